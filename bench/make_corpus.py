"""Generate the benchmark corpus: realistic playbooks and large scaling graphs.

    python bench/make_corpus.py                 # 1,000 playbooks -> bench/corpus/playbooks/
    python bench/make_corpus.py --count 200     # fewer
    python bench/make_corpus.py --scaling 1000 10000 100000   # bench/corpus/scaling/legs-N.yaml
    python bench/make_corpus.py --fmt 200 2000                # bench/corpus/scaling/fmt-N.yaml

Everything comes from one ``random.Random(SEED)``, so the same command writes
byte-identical files on every machine. ``bench/corpus/`` is git-ignored.

The playbooks look like a desk's repository: 2-8 legs each, spot pairs on
Coinbase/Binance/Kraken, perps on Hyperliquid, Kalshi and Polymarket
prediction legs, literal and quote-relative limits, TWAPs, horizons,
slippage, `after:` triggers of every kind plus some top-level `edges:`, risk
limits on most files, and `defaults:` on some. A `derived` hedge trades in its
parent's unit (the same base asset, or the same prediction market), as a desk
writes one. About one file in twenty has a realistic mistake (an off-tick
price, a missing risk limit on a live graph, a racy limit, a slippage above
500 bps, a derived hedge on another asset) so the linter has findings to report.
No file uses templates, params or for_each (those need the render stage,
which this corpus does not measure).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SEED = 20260105
HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

SPOT = [  # symbol, venue, reference price, tick
    ("BTC-USD", "coinbase", 97250, "0.01"),
    ("ETH-USD", "coinbase", 2325, "0.01"),
    ("SOL-USD", "coinbase", 182, "0.01"),
    ("ETH-USDT", "binance", 2325, "0.01"),
    ("BTC-USDT", "binance", 97250, "0.01"),
    ("XRP-USD", "kraken", 2.1, "0.0001"),
    ("AVAX-USD", "kraken", 38, "0.01"),
]
PERP = [  # symbol, reference price (Hyperliquid: 5 significant figures)
    ("BTC-USD-PERP", 97250),
    ("ETH-USD-PERP", 2325),
    ("SOL-USD-PERP", 182),
    ("DOGE-USD-PERP", 0.31),
]
KALSHI = [
    "KXFEDDECISION-26DEC-C25",
    "KXBTCZ-26DEC31-T99000",
    "KXCPI-26MAR-T3.1",
    "KXHIGHNY-26JUL04-B85",
    "KXNBAGAME-26FEB12-BOSLAL",
    "KXETHD-26JUN30-T4000",
]
POLY = [
    "fed-decision-in-december-25-bps-cut",
    "will-btc-close-above-100k-in-2026",
    "us-recession-in-2026",
    "eth-flips-btc-by-2027",
    "who-wins-the-2026-world-cup-brazil",
]
POLICIES = ["sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip"]
WORDS = [
    "basis",
    "hedge",
    "dip",
    "breakout",
    "arb",
    "roll",
    "rebalance",
    "unwind",
    "scale",
    "ladder",
    "fade",
    "momentum",
    "carry",
    "funding",
    "event",
    "skew",
    "spread",
    "pair",
    "entry",
    "exit",
]
LEG_NAMES = [
    "entry",
    "hedge",
    "spot",
    "perp",
    "yes",
    "no",
    "stop",
    "take",
    "scale",
    "exit",
    "roll",
    "tail",
    "add",
    "trim",
    "cover",
    "reload",
]


def _fmt(value) -> str:
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


class _Gen:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def choice(self, seq):
        return self.rng.choice(seq)

    def chance(self, p) -> bool:
        return self.rng.random() < p

    # -- one leg -------------------------------------------------------------------
    def leg(self, kind: str, mistake: str | None) -> dict:
        r = self.rng
        leg = {}
        side = self.choice(["buy", "sell"])
        if kind == "spot":
            symbol, venue, ref, tick = self.choice(SPOT)
            base = symbol.split("-")[0]
            size = self.choice(
                [
                    _fmt(round(r.uniform(0.01, 5), 2)) + f" {base}",
                    f"${r.choice([5, 10, 25, 50, 100])}k",
                    _fmt(round(r.uniform(0.1, 20), 3)),
                ]
            )
            leg[side] = size
            leg["symbol"] = symbol
            if self.chance(0.6):
                leg["venue"] = venue
            if self.chance(0.5):
                step = float(tick)
                price = round(ref * r.uniform(0.97, 1.03) / step) * step
                leg["limit"] = self.choice([_fmt(price), f"${price:,.2f}" if step >= 0.01 else _fmt(price)])
                if mistake == "off-tick":
                    leg["venue"] = venue
                    leg["limit"] = _fmt(price + step / 2)
            elif self.chance(0.5):
                leg["limit"] = self.choice(
                    ["bid", "ask - 1 tick", "mid - 25bps", "bid - 0.5%", "ask + 2 ticks", "last + 0.1%"]
                )
        elif kind == "perp":
            symbol, ref = self.choice(PERP)
            base = symbol.split("-")[0]
            units = max(1, round(r.uniform(20, 5000) / ref))  # at least $20: Hyperliquid's $10 minimum
            leg[side] = self.choice([f"{units} {base}", str(units), f"${r.choice([1, 5, 20])}k"])
            leg["symbol"] = symbol
            leg["venue"] = "hyperliquid"
            if self.chance(0.4):
                price = float(f"{ref * r.uniform(0.97, 1.03):.5g}")
                leg["limit"] = _fmt(price)
            elif self.chance(0.4):
                leg["limit"] = self.choice(["ask + 1 tick", "bid - 1 tick", "mid"])
        elif kind == "kalshi":
            leg[side] = f"{r.randint(5, 500)} contracts"
            leg["symbol"] = self.choice(KALSHI)
            if self.chance(0.8):
                leg["limit"] = self.choice([f"{r.randint(3, 97)}c", _fmt(r.randint(3, 97) / 100), "ask + 1 tick"])
                if mistake == "off-tick":
                    leg["limit"] = _fmt(r.randint(3, 97) / 100 + 0.005)
        else:  # polymarket
            leg[side] = self.choice([f"{r.randint(10, 2000)} shares", f"${r.randint(20, 900)}"])
            leg["symbol"] = f"{self.choice(POLY)}:{self.choice(['yes', 'no'])}"
            leg["limit"] = self.choice([_fmt(r.randint(20, 980) / 1000), f"{r.randint(2, 98)}c", "bid + 1 tick"])
        has_limit = "limit" in leg
        policy = self.choice(POLICIES if has_limit else ["sor", "ioc_sweep", "aggressive_chase", "time_drip"])
        if self.chance(0.5):
            leg["policy"] = policy
        if self.chance(0.3):
            leg["urgency"] = self.choice(["low", "medium", "high"])
        if self.chance(0.3):
            leg["slippage"] = self.choice(["10bps", "25bps", "0.5%", "50bps", "1%"])
            if mistake == "slippage":
                leg["slippage"] = "6%"
        if self.chance(0.2):
            minutes = r.choice([5, 10, 15, 30, 60])
            leg["horizon"] = f"{minutes}m"
            if self.chance(0.5) and leg.get("policy") != "ioc_sweep":
                leg["twap"] = self.choice([f"{minutes} slices every 30s", f"{{slices: {minutes}, over: {minutes}m}}"])
        if self.chance(0.15):
            if leg.get("policy") == "ioc_sweep":
                leg["tif"] = "IOC"
            elif leg.get("policy") in ("passive_limit", "passive_ladder", "time_drip") or "twap" in leg:
                leg["tif"] = self.choice(["GTC", "gtc"])
            else:
                leg["tif"] = self.choice(["GTC", "IOC", "ioc", "FOK"])
        return leg

    def in_parents_unit(self, leg: dict, parent: dict, p_side: str) -> dict:
        """The leg moved to a market in its parent's unit, on the other side: a hedge as a desk writes it.

        A ``derived`` size copies the parent's fill quantity, so it means the same
        amount only in the same asset (spot or perp of one base, or the same
        prediction market); a limit priced for the leg's old market is dropped.
        """
        symbol = parent["symbol"]
        base = symbol.split("-")[0]
        markets = [(s, v) for s, v, _, _ in SPOT if s.split("-")[0] == base]
        markets += [(s, "hyperliquid") for s, _ in PERP if s.split("-")[0] == base]
        new_symbol, new_venue = self.choice(markets) if markets else (symbol, parent.get("venue"))
        keep = {k: v for k, v in leg.items() if k not in ("buy", "sell", "symbol", "venue", "limit")}
        moved = {("sell" if p_side == "buy" else "buy"): "derived", "symbol": new_symbol}
        if new_venue is not None:
            moved["venue"] = new_venue
        moved.update(keep)
        if moved.get("policy") in ("passive_limit", "passive_ladder"):
            moved["policy"] = "aggressive_chase"
        if moved.get("tif") == "GTC" and moved.get("policy") == "ioc_sweep":
            moved["tif"] = "IOC"
        return moved

    # -- one playbook ------------------------------------------------------------------
    def playbook(self, index: int) -> tuple[str, str]:
        r = self.rng
        name = f"{self.choice(WORDS)}-{self.choice(WORDS)}-{index:04d}"
        mistake = self.choice(["off-tick", "no-risk", "slippage", "racy"]) if self.chance(0.05) else None
        n_legs = r.randint(2, 8)
        kinds = [self.choice(["spot", "spot", "spot", "perp", "perp", "kalshi", "poly"]) for _ in range(n_legs)]
        ids = []
        for _k in kinds:
            base = self.choice(LEG_NAMES)
            leg_id = base if base not in ids else f"{base}-{len(ids)}"
            ids.append(leg_id)
        legs = [self.leg(k, mistake) for k in kinds]
        if mistake == "racy":
            legs[0]["limit"] = "ask" if "buy" in legs[0] else "bid"
        # after: triggers on earlier legs (a DAG; most legs wait on something)
        triggers = [
            "{} accepted",
            "{} first fill",
            "{} each fill",
            "{} filled 50%",
            "{} filled 25%",
            "{} filled",
            "{} + 5s",
            "{} + 2m",
            "{} cancelled",
            "{} done",
        ]
        fill_triggers = {"{} first fill", "{} each fill", "{} filled 50%", "{} filled 25%", "{} filled"}
        derived_ok = set()
        for i in range(1, n_legs):
            if not self.chance(0.8):
                continue
            parents = r.sample(range(i), k=min(i, r.choice([1, 1, 1, 2])))
            entries = []
            for p in parents:
                form = r.random()
                if form < 0.75:
                    trigger = self.choice(triggers)
                    entries.append(trigger.format(ids[p]))
                    if trigger in fill_triggers:
                        derived_ok.add(i)
                elif form < 0.85:
                    entries.append(
                        f"{ids[p]} price {legs[p]['symbol']} {self.choice(['below', 'above'])} "
                        f"entry {self.choice(['-5%', '+3%', '-2.5%', '+10%'])}"
                    )
                else:
                    derived_ok.add(i)
                    if self.chance(0.5):
                        entries.append({"from": ids[p], "trigger": "on_fill_ratio", "fill_ratio": "50%"})
                    else:
                        entries.append({"from": ids[p], "trigger": "on_full_fill"})
            single = len(entries) == 1 and isinstance(entries[0], str) and self.chance(0.7)
            legs[i]["after"] = entries[0] if single else entries
        for i in sorted(derived_ok):
            side = "buy" if "buy" in legs[i] else "sell"
            parents = list(legs[i]["after"] if isinstance(legs[i]["after"], list) else [legs[i]["after"]])
            fill_parents = [
                ids.index(p.split()[0]) if isinstance(p, str) else ids.index(p["from"])
                for p in parents
                if not isinstance(p, str) or any(p == t.format(p.split()[0]) for t in fill_triggers)
            ]
            if len(set(fill_parents)) > 1:
                continue  # fills of two legs to copy: a desk sizes such a leg itself
            parent = fill_parents[0]  # the leg whose fills a derived size copies
            p_side = "buy" if "buy" in legs[parent] else "sell"
            if self.chance(0.5) or legs[parent][p_side] == "derived" or len(parents) > 1:
                if self.chance(0.95):  # one in twenty keeps its own market: the mistake GC405 reports
                    legs[i] = self.in_parents_unit(legs[i], legs[parent], p_side)
                    side = "buy" if "buy" in legs[i] else "sell"
                legs[i][side] = "derived"
            else:  # a hedge of exactly the parent's size: same market, other side
                keep = {k: v for k, v in legs[i].items() if k not in ("buy", "sell", "symbol", "venue", "limit")}
                legs[i] = {
                    ("sell" if p_side == "buy" else "buy"): legs[parent][p_side],
                    **{k: legs[parent][k] for k in ("symbol", "venue") if k in legs[parent]},
                    **keep,
                }
                if legs[i].get("policy") in ("passive_limit", "passive_ladder"):
                    legs[i]["policy"] = "aggressive_chase"
                if legs[i].get("tif") == "GTC" and legs[i].get("policy") == "ioc_sweep":
                    legs[i]["tif"] = "IOC"
        explicit_edges = []
        if n_legs >= 3 and self.chance(0.25):
            a, b = sorted(r.sample(range(n_legs), 2))
            if "after" not in legs[b]:
                explicit_edges.append(
                    {"from": ids[a], "to": ids[b], "trigger": self.choice(["on_accepted", "on_done"])}
                )
        defaults = {}
        if self.chance(0.3):
            defaults["policy"] = self.choice(["sor", "aggressive_chase"])
            for leg in legs:
                leg.pop("policy", None)
            if self.chance(0.5):
                defaults["urgency"] = self.choice(["low", "medium", "high"])
                for leg in legs:
                    leg.pop("urgency", None)
        live = self.chance(0.3) or mistake == "no-risk"
        lines = ["# yaml-language-server: $schema=../../../schemas/playbook.schema.json", "graphc: 1", f"name: {name}"]
        if self.chance(0.7):
            lines += [
                "description: >",
                f"  {name.replace('-', ' ').capitalize()}: {n_legs} legs across {len(set(kinds))} kinds of market,",
                "  generated for the graphc benchmark.",
            ]
        if live:
            lines.append("sandbox: false")
        if mistake != "no-risk" and (live or self.chance(0.9)):
            lines.append("risk:")
            lines.append(f"  max_notional: ${r.choice([50, 100, 250, 500])}m")
            if self.chance(0.7):
                lines.append(f"  max_loss: ${r.choice([10, 25, 50, 100])}k")
        if defaults:
            lines.append("defaults:")
            lines += [f"  {k}: {v}" for k, v in defaults.items()]
        lines.append("legs:")
        for leg_id, leg in zip(ids, legs, strict=False):
            lines.append(f"  {leg_id}:")
            for key, value in leg.items():
                lines += _field(key, value, 4)
        if explicit_edges:
            lines.append("edges:")
            for edge in explicit_edges:
                lines.append(f"  - {{from: {edge['from']}, to: {edge['to']}, trigger: {edge['trigger']}}}")
        return f"{index:04d}-{name}.yaml", "\n".join(lines) + "\n"


def _scalar(value) -> str:
    text = str(value)
    if text.startswith(("$", "{", "[", "*", "&", "!", "%", "@", "`")) or ": " in text or " #" in text:
        if text.startswith("{slices"):
            return text
        return f'"{text}"'
    return text


def _field(key, value, indent) -> list[str]:
    pad = " " * indent
    if isinstance(value, list):
        out = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in item.items())
                out.append(f"{pad}  - {{{inner}}}")
            else:
                out.append(f"{pad}  - {_scalar(item)}")
        return out
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
        return [f"{pad}{key}: {{{inner}}}"]
    return [f"{pad}{key}: {_scalar(value)}"]


def write_corpus(count: int = 1000, out: Path = CORPUS / "playbooks") -> list[Path]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen = _Gen(random.Random(SEED))
    paths = []
    for index in range(count):
        name, text = gen.playbook(index)
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def scaling_playbook(n_legs: int) -> str:
    """One playbook of ``n_legs`` legs: chains of 50 legs hanging off fan-out roots.

    Every 50th leg is a root; each other leg waits on the one before it
    (``after: L filled 50%`` or ``L accepted``), and every tenth leg also has a
    second parent further back, so the graph has fans, long chains and
    joins. Flow style keeps 100k legs under the 10 MB file limit.
    """
    lines = ["graphc: 1", f"name: scaling-{n_legs}", "risk:", "  max_notional: $900bn", "legs:"]
    symbols = ["BTC-USD", "ETH-USD", "SOL-USD", "ETH-USD-PERP"]
    for i in range(n_legs):
        symbol = symbols[i % len(symbols)]
        base = symbol.split("-")[0]
        fields = [f"{'buy' if i % 2 else 'sell'}: 1.5 {base}", f"symbol: {symbol}"]
        if i % 3 == 0:
            fields.append("policy: aggressive_chase")
        if i % 50:
            parent = f"l{i - 1}"
            trigger = f"{parent} filled 50%" if i % 2 else f"{parent} accepted"
            if i % 10 == 0 and i >= 60:
                fields.append(f"after: [{trigger}, l{i - 55} done]")
            else:
                fields.append(f"after: {trigger}")
        lines.append(f"  l{i}: {{{', '.join(fields)}}}")
    return "\n".join(lines) + "\n"


def fmt_playbook(n_legs: int) -> str:
    """One block-style playbook of ``n_legs`` legs, written as a person would before ``graphc fmt``: a ladder of
    rungs, keys out of fmt's order (``symbol`` above the size, ``venue`` first, ``max_loss`` above
    ``max_notional``), four spaces of indent and every ninth leg six, a comment above every 25th leg and an
    end-of-line one on every 4th, flow mappings (``twap: {every: 30s, slices: 10}``) with their keys out of
    order, one-entry ``after:`` and two-entry block lists. For the fmt rows (bench/scale_fmt.py)."""
    lines = [
        "# yaml-language-server: $schema=../../../schemas/playbook.schema.json",
        "graphc: 1",
        f"name: ladder-{n_legs}",
        "description: >",
        "  A ladder of rungs with hedges, written out of fmt's order for the benchmark.",
        "risk:",
        "    max_loss: $50k",
        "    max_notional: $900bn",
        "defaults:",
        "  urgency: low",
        "  policy: sor",
        "legs:",
    ]
    symbols = ["BTC-USD", "ETH-USD", "SOL-USD", "ETH-USD-PERP"]
    for i in range(n_legs):
        symbol = symbols[i % len(symbols)]
        base = symbol.split("-")[0]
        if i % 25 == 0:
            lines.append(f"  # rung group {i // 25}")
        lines.append(f"  l{i}:")
        size = f"{1 + i % 7}.5 {base}"
        fields = [f"symbol: {symbol}", f"buy: {size}"] if i % 2 else [f"sell: {size}", f"symbol: {symbol}"]
        if i % 3 == 0:
            fields.append(f"limit: {1000 + i}.25")
        if i % 4 == 0:
            fields.append("policy: aggressive_chase  # chase the touch")
        if i % 5 == 0:
            fields.append("twap: {every: 30s, slices: 10}")
        if i % 50:
            if i % 10 == 0 and i >= 60:
                fields += ["after:", f"  - l{i - 1} filled 50%", f"  - l{i - 55} done"]
            else:
                fields.append(f"after: l{i - 1} {'filled 50%' if i % 2 else 'accepted'}")
        if i % 7 == 0:
            fields.insert(0, "venue: hyperliquid" if symbol.endswith("-PERP") else "venue: coinbase")
        indent = "      " if i % 9 == 0 else "    "
        lines += [indent + field for field in fields]
    return "\n".join(lines) + "\n"


def write_scaling(sizes, out: Path = CORPUS / "scaling") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in sizes:
        path = out / f"legs-{n}.yaml"
        path.write_text(scaling_playbook(n), encoding="utf-8")
        paths.append(path)
    return paths


def write_fmt(sizes, out: Path = CORPUS / "scaling") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in sizes:
        path = out / f"fmt-{n}.yaml"
        path.write_text(fmt_playbook(n), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="number of playbooks (default 1000)")
    parser.add_argument(
        "--scaling",
        type=int,
        nargs="*",
        default=[1000, 10000, 100000],
        help="leg counts of the scaling graphs (default 1000 10000 100000)",
    )
    parser.add_argument(
        "--fmt", type=int, nargs="*", default=[200, 2000], help="leg counts of the fmt playbooks (default 200 2000)"
    )
    args = parser.parse_args(argv)
    paths = write_corpus(args.count)
    scaling = write_scaling(args.scaling) + write_fmt(args.fmt)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} playbooks ({size / 1024:.0f} KiB) to {paths[0].parent}")
    for p in scaling:
        print(f"wrote {p} ({p.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
