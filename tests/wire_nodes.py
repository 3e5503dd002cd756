"""A wire node for rule tests, built from human numbers (exact: Decimal, never float)."""

from decimal import Decimal


def wire_node(
    node_id="spot",
    side="buy",
    qty="1",
    price=None,
    symbol="ETH-USD",
    activation="root",
    type="spot",
    **execution_fields,
):
    return {
        "node_id": node_id,
        "instrument": {"symbol": symbol, "type": type},
        "side": side,
        "order_type": "market" if price is None else {"limit": {"price_1e9": int(Decimal(price) * 10**9)}},
        "quantity": "derived" if qty == "derived" else {"fixed": {"qty_1e8": int(Decimal(qty) * 10**8)}},
        "execution": {"policy": "sor", **execution_fields},
        "activation": activation,
    }


def config(venues=None, markets=None):
    """graphc.toml's market settings, typed as the config loader types them."""
    from graphc.venues import MarketConfig, parse_setting

    def typed(table):
        return {name: {k: parse_setting(k, v) for k, v in settings.items()} for name, settings in (table or {}).items()}

    return MarketConfig(typed(venues), typed(markets))


def run_rules_on(wire, rules, *, quotes=None, venues=None, markets=None):
    """Run ``rules`` over a wire graph as lint does for JSON input: (findings, skipped)."""
    from graphc.stages.checks import LintContext, run_rules

    ctx = LintContext.for_wire(wire, quotes=quotes or {}, market_config=config(venues, markets))
    run = run_rules(ctx, rules)
    return run.findings, run.skipped


def lint_both(tmp_path, playbook: str, quotes: str | None = None, *args: str) -> tuple[dict, dict]:
    """Lint a playbook with the real CLI, compile it (`graphc compile -o`) and lint the wire graph the same way.

    Each report is ``{"rc": exit code, "findings": [(code, severity, message, hint)], "skips": [(code, reason)]}``
    (each sorted: a playbook's report is in line order, its wire graph's in path order; skips with
    --explain-skips): a rule reads a playbook and its wire graph alike.
    """
    import json

    from click.testing import CliRunner

    from graphc.cli import cli

    book = tmp_path / "book.yaml"
    book.write_text(playbook, encoding="utf-8")
    extra = [*args]
    if quotes is not None:
        (tmp_path / "q.yaml").write_text(quotes, encoding="utf-8")
        extra += ["--quotes", str(tmp_path / "q.yaml")]
    wire = tmp_path / "book.json"
    compiled = CliRunner().invoke(cli, ["compile", *extra, "-o", str(wire), str(book)])
    assert compiled.exit_code == 0 and wire.exists(), compiled.output

    def report(path):
        result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", "--explain-skips", *extra, str(path)])
        assert result.exit_code in (0, 1), result.output
        data = json.loads(result.stdout)
        return {
            "rc": result.exit_code,
            "findings": sorted((d["code"], d["severity"], d["message"], d.get("hint")) for d in data["diagnostics"]),
            "skips": sorted((s["code"], s["reason"]) for s in data["files"][0]["skipped"]),
        }

    return report(book), report(wire)


def alike(book: dict, wire: dict) -> bool:
    """:func:`lint_both`'s two reports are the same but for the hints, which say what to write in each form (a
    playbook's `after:` and templates, a wire graph's fields: audit ruledoc21 4)."""

    def told(report: dict) -> dict:
        return {**report, "findings": [finding[:3] for finding in report["findings"]]}

    return told(book) == told(wire)
