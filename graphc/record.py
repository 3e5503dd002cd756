"""Small records with what ``@dataclass`` gives them, without its start-up cost.

``@dataclass`` writes a record's ``__init__``, ``__repr__``, ``__eq__`` (and,
frozen, ``__hash__``, ``__setattr__``, ``__delattr__``) as source text and
compiles each when the class is made: about a millisecond a class at every
start, and a one-file lint made eleven. A :class:`Record` names its ``FIELDS``
and writes its own ``__init__``; the other methods are written once, here:

- ``repr``: ``Name(field=value, ...)`` over the ``SHOWN`` fields (all unless it
  says), as a dataclass's;
- ``==``: equal when of the same class and equal in the ``COMPARED`` fields
  (all ``FIELDS`` unless it says), ``NotImplemented`` for any other class;
- :meth:`Record.replace`: a copy with some fields changed, made through
  ``__init__`` (``dataclasses.replace``);
- a :class:`FrozenRecord` refuses assignment and hashes its compared fields;
  its ``__init__`` fills ``self.__dict__`` directly.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen record (as ``dataclasses.FrozenInstanceError``)."""


class Record:
    """A mutable record: see the module's docstring."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()
    COMPARED: ClassVar[tuple[str, ...] | None] = None  # the fields == (and hash) look at; None: all of FIELDS
    SHOWN: ClassVar[tuple[str, ...] | None] = None  # the fields repr shows; None: all of FIELDS
    _key: ClassVar[Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        compared = cls.FIELDS if cls.COMPARED is None else cls.COMPARED
        cls._key = attrgetter(*compared) if len(compared) > 1 else (lambda self: (getattr(self, compared[0]),))

    def __repr__(self) -> str:
        shown = self.FIELDS if self.SHOWN is None else self.SHOWN
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            key = type(self)._key
            return bool(key(self) == key(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable, as a dataclass with eq

    def replace(self: R, **changes: Any) -> R:
        """A copy with ``changes`` applied, made through ``__init__`` (an unknown name is a TypeError)."""
        values = {name: getattr(self, name) for name in self.FIELDS}
        values.update(changes)
        return type(self)(**values)


class FrozenRecord(Record):
    """An immutable, hashable record: see the module's docstring."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:  # type: ignore[override]  # Record's is None: a mutable record has no hash
        return hash(type(self)._key(self))
