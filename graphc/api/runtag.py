"""Run keys and run tags: how one run of a graph is recognised, here and at the router.

A **run key** names one intended submission: by default the graph's content
(``NAME@`` + the first 16 hex digits of the SHA-256 of its canonical JSON), or
a key the caller chooses (``dca-2026-W05``; an occurrence of a schedule is
``NAME@2026-01-05T14:00Z``). Any text is allowed.

A **run tag** is derived from the run key alone: ``gc`` + 16 base32 characters
of its SHA-256 (80 bits). graphc appends it to every node id of the graph it
POSTs (``spot`` becomes ``spot.gcxxxxxxxxxxxxxxxx``), and the router echoes
node ids in ``GET /v1/orders`` (``node_order_id`` is
``graph:<graph_id>:<node_id>:<n>``). So a run can be found at the router from
its run key alone, without any local state and without idempotency support:
:func:`graphc.api.lookup.find_run`. The tag is also the ``Idempotency-Key``
header (ASCII whatever the run key), which a router that honours it uses as a
second guard.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from graphc.stages.emit import to_json
from graphc.stages.triggers import JsonFloat
from graphc.stages.wire_order import in_wire_order

__all__ = [
    "SEPARATOR",
    "TAG_PATTERN",
    "canonical_wire_text",
    "content_run_key",
    "is_content_run_key",
    "node_tag",
    "run_tag",
    "tag_wire",
    "untagged_node_id",
    "untagged_text",
    "untagged_wire",
]

SEPARATOR = "."
TAG_PATTERN = re.compile(r"gc[a-z2-7]{16}")
_TAGGED = re.compile(r"^(?P<node>.+)\.(?P<tag>gc[a-z2-7]{16})$", re.DOTALL)
_TAG_SUFFIX = re.compile(r"(?<=[^\s.])\.gc[a-z2-7]{16}(?![A-Za-z0-9_])")


def run_tag(run_key: str) -> str:
    """The tag of a run key: ASCII, 18 characters, the same on every machine."""
    digest = hashlib.sha256(b"graphc run\0" + run_key.encode("utf-8")).digest()
    return "gc" + base64.b32encode(digest).decode("ascii")[:16].lower()


def canonical_wire_text(text: str) -> str:
    """A wire graph's JSON text in graphc's one layout (what compile emits): the form that is hashed and sent.

    Every mapping's keys are in the wire schema's order (:func:`~graphc.stages.wire_order.in_wire_order`), whatever
    order the text had them in. Numbers keep their form (``0.5`` stays a fraction, ``-5.0`` keeps its ``.0``)
    and never pass through float.
    """
    return to_json(in_wire_order(json.loads(text, parse_float=JsonFloat, parse_constant=_not_a_number)))


def _not_a_number(name: str):
    """NaN and the infinities, which Python's json reads and no JSON has: ``ValueError``, as any text that is not
    JSON (``graphc submit`` reports the file GC100, the library refuses it: :func:`graphc.submit.submit_wire`)."""
    raise ValueError(f"{name} is not a JSON number")


def content_run_key(name: str, wire_text: str) -> str:
    """The default run key: the same graph under the same name is the same run, whatever file it came from
    and in whatever layout or key order (the hash is of :func:`canonical_wire_text`)."""
    return f"{name}@{_content_hash(wire_text)}"


def is_content_run_key(run_key: str, wire_text: str) -> bool:
    """Whether ``run_key`` is this graph's content run key (``NAME@`` and its hash, whatever the name): the tag of
    such a key can only be on this graph, since any other content has another key."""
    return run_key.rpartition("@")[2] == _content_hash(wire_text)


def _content_hash(wire_text: str) -> str:
    return hashlib.sha256(canonical_wire_text(wire_text).encode("utf-8")).hexdigest()[:16]


def tag_wire(canonical_text: str, tag: str) -> str:
    """The wire text with ``.TAG`` appended to every node id and to the edge ends that name them."""
    data = json.loads(canonical_text, parse_float=JsonFloat)
    for node in data.get("nodes") or []:
        if isinstance(node, dict) and isinstance(node.get("node_id"), str):
            node["node_id"] = f"{node['node_id']}{SEPARATOR}{tag}"
    for edge in data.get("edges") or []:
        if isinstance(edge, dict):
            for end in ("from_node", "to_node"):
                if isinstance(edge.get(end), str):
                    edge[end] = f"{edge[end]}{SEPARATOR}{tag}"
    return to_json(data)


def untagged_wire(tagged_text: str) -> str:
    """:func:`tag_wire` undone: the wire text with the run tag taken off every node id and edge end (the graph as
    it was before it was tagged, for :func:`is_content_run_key`)."""
    data = json.loads(tagged_text, parse_float=JsonFloat)
    for node in data.get("nodes") or []:
        if isinstance(node, dict) and isinstance(node.get("node_id"), str):
            node["node_id"] = untagged_node_id(node["node_id"])
    for edge in data.get("edges") or []:
        if isinstance(edge, dict):
            for end in ("from_node", "to_node"):
                if isinstance(edge.get(end), str):
                    edge[end] = untagged_node_id(edge[end])
    return to_json(data)


def node_tag(node_id: str) -> str | None:
    """The run tag a node id carries, or None."""
    match = _TAGGED.match(node_id) if isinstance(node_id, str) else None
    return match["tag"] if match else None


def untagged_node_id(node_id: str) -> str:
    """The node id as the playbook named it (``spot.gc…`` -> ``spot``)."""
    match = _TAGGED.match(node_id) if isinstance(node_id, str) else None
    return match["node"] if match else node_id


def untagged_text(text: str) -> str:
    """``text`` (a router's message) with the run tag taken off every node id in it, so it names nodes as
    the playbook does: ``node spot.gc… is cancelled`` -> ``node spot is cancelled`` (docs/submitting.md:
    node names are shown without the tag)."""
    return _TAG_SUFFIX.sub("", text)
