"""GC1xx: reading and compiling the playbook.

The loading and compiling stages report these codes (``graphc.stages``,
``graphc.inputs``, ``graphc.config``); this module holds their metadata and
pages, so every code is described in one place like the lint rules. GC111 is
the one check here: a wire graph that leaves out a field the router fills in.
"""

from __future__ import annotations

from graphc.diagnostics import WARNING
from graphc.stages.checks import Finding, describe, rule
from graphc.venues import SLUG_READING, may_be_polymarket_slug, router_normalizes, venue_case_problem

GC100 = describe(
    "GC100",
    "yaml-syntax",
    summary="YAML syntax error (not valid JSON, in a .json file), alias bomb or nesting too deep",
    source="playbook-spec.md §1 (YAML 1.2 core, at most 100,000 nodes after aliases, 100 levels deep; a `.json` "
    "file is the router's format); §8 (exit 2 for input that could not be read, a file that cannot be read as "
    "text among it)",
    demoted="still reported, and `graphc lint` still exits 2 (the file was not checked)",
    suppression=(
        "`# graphc: ignore[GC100]` at the end of the reported line, or `# graphc: ignore-file[GC100]` anywhere "
        "in the file, hides the finding, but not what it did: a file that does not parse has no graph to check, "
        "so it was not checked, and `graphc lint` exits 2 and names it on its summary line as not checked (below). "
        "The reported line is wherever the parser gave up: fix the YAML instead. A file "
        "YAML cannot read as text makes `graphc lint` exit 2 whatever is done with its GC100, as it was not "
        "checked: reported as a warning, and turned off or suppressed, when stderr says so "
        "(`graphc: PATH holds a character YAML does not allow (GC100, not reported here), so it was not checked`)."
    ),
    docs="""The file is not well-formed YAML (a `.json` file: not valid JSON), or it is too large or too deeply
    nested to load safely.

    ## What it checks

    graphc parses every playbook before doing anything else, and reports GC100 when
    that first step fails:

    - the YAML parser cannot make sense of the text: bad indentation, a quote or
      bracket that is never closed, a tab used for indentation, a stray `:`;
    - the file holds more than one YAML document (a `---` separator followed by a
      second document);
    - a value carries a YAML tag (`!!python/object`, `!custom`): playbooks use plain
      values only;
    - anchors and aliases would expand to more than 100,000 nodes (an "alias bomb"),
      or mappings and lists nest more than 100 levels deep;
    - a single scalar is longer than 100,000 characters;
    - a file meant as JSON is not valid JSON (below);
    - the file holds a character YAML does not allow: a control character other
      than tab, line feed, carriage return and NEL (NUL, ESC, DEL...), or U+FFFE or
      U+FFFF. A file saved as UTF-16 without its byte-order mark reads so, every
      other byte a NUL. The finding is at the first such character, whatever else is wrong
      with the file: `cannot read the file as YAML: unacceptable character
      #x0000: control characters are not allowed`. In a file meant as JSON, whose
      strings may hold DEL and the C1 characters raw, only the control characters
      JSON never allows raw count (U+0000 to U+001F other than tab, line feed and
      carriage return): `cannot read the file as JSON text`.

    A file that cannot be read as text is input graphc could not check, as a file
    that is not UTF-8 (GC112): `graphc lint` reports it wherever it finds it, named,
    in a directory, by a glob or in the pre-commit hook's list (whether it is a
    playbook cannot be told, so it is never passed over as another tool's YAML),
    lints the other files, and exits 2 ("unreadable input", not 1 "findings"), as
    `graphc fmt`, `compile`, `graph`, `decompile`, `plan` and `submit` do. Every
    other GC100 is a finding: exit 1.

    The reported position is where the parser gave up. For an unclosed quote that
    can be several lines below the real mistake, so look upwards from it. When
    the line the parser gave up on is indented with a tab, the message names the
    tab's line and column instead: YAML indents with spaces only (YAML 1.2 §6.1).
    When a NEL (U+0085), LS (U+2028) or PS (U+2029) is on that line (or on the
    line before), the message names it and points at it: graphc's YAML parser
    (libyaml, YAML 1.1) reads each as a line break, where YAML 1.2 reads it as an
    ordinary character, so one in a comment makes the rest of the comment YAML
    (`# pasted from chat:<LS> desk says ok`). Remove the character, or, in a
    double-quoted value, write it as an escape (`\\u2028`). Lines are counted at
    LF, CRLF and CR only (docs/playbooks.md, "Positions").

    A `.json` file (any case), and standard input that opens as JSON does (`{"`,
    `{}` or `[`; with `--stdin-filename`, its name decides), is the router's
    format, and the router reads it with a JSON parser. So graphc reads it as
    strict JSON (RFC 8259), not as YAML: anything JSON does not allow is GC100
    `not valid JSON: ...` at the line and column where a JSON parser stops, with a
    hint for the usual slips. That covers a trailing comma, single quotes,
    `True`/`False`/`None`, an unquoted key, a comment, `NaN` and `Infinity`
    (Python's `json.dumps` writes them unless given `allow_nan=False`), hex, octal,
    `+` or leading-zero numbers and `.5`, anchors and aliases, YAML block style, a
    second document, a raw tab or line break inside a string, and a `\\uD800`
    escape without the other half of its surrogate pair (it stands for no
    character). YAML would read most of these, and a gate that lints the file the
    desk POSTs would pass a body the router cannot parse. Valid JSON is read as
    JSON reads it: `"\\ud83d\\udd01"` (how `json.dumps` writes `🔁`), a newline
    between a key and its colon, and raw DEL, C1, NEL, LS and PS characters in a
    string are all fine, and keep their value. A `.yaml` file is YAML whatever its
    text looks like.

    ## Why it matters

    Nothing can be checked, planned or submitted from a file that does not parse, so
    the mistake surfaces whenever someone next reaches for the playbook, which may
    be in the middle of a fast market when the hedge has to go out now. GC100 moves
    that failure to CI. The size limits protect the machines that run graphc (the
    desk's laptops, the CI runner) from files crafted to exhaust memory.

    ## Failing example

    The closing quote after `BTC-USD` is missing, so the string runs on to the end
    of the file:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: "BTC-USD
        limit: 58000
    ```

    ## Fix

    Close the quote (or drop the quotes; `BTC-USD` needs none):

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: "BTC-USD"
        limit: 58000
    ```
    """,
)

GC101 = describe(
    "GC101",
    "duplicate-key",
    summary="a mapping repeats a key",
    source="playbook-spec.md §1 (a repeated key is an error, never last-one-wins; a `.json` file is the "
    "router's format, and JSON has no merge keys)",
    flagged="    limit: 58000",
    docs="""A mapping repeats a key; graphc refuses instead of silently keeping the last value.

    ## What it checks

    Every mapping in a playbook (the top level, `legs`, each leg, `params`, `risk`,
    the mappings in `edges`) may contain a key at most once. Most YAML readers keep
    the last occurrence and drop the others without a word; graphc reports GC101 at
    the second occurrence and names the line of the first.

    Two leg ids under `legs:` are duplicate keys as well, so a copy-pasted leg that
    kept its old id is caught here.

    Keys that come in through a YAML merge (`<<: *defaults`) are the one exception:
    overriding a merged key is what merge keys are for, and is allowed.

    The merge key itself is a key like any other: a mapping may have one `<<`. Two
    `<<:` lines in one mapping are GC101 at the second, because YAML readers do not
    agree on what they mean (ruamel, and so `graphc fmt`, refuse them; PyYAML lets
    the last merge win; graphc once let the first one win). Here `retry` was meant
    to take its size from `*probe` (0.01 BTC), and graphc used to send the 5 BTC of
    `*main`:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      main: &main {symbol: BTC-USD, limit: 60000, buy: 5}
      probe: &probe {symbol: BTC-USD, limit: 59000, buy: 0.01}
      retry:
        <<: *main
        <<: *probe
        after: probe cancelled
    ```

    To merge several mappings, list them under one key, the one that should win a
    key they both have first (a key written beside the `<<` still overrides them
    all):

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      main: &main {symbol: BTC-USD, limit: 60000, buy: 5}
      probe: &probe {symbol: BTC-USD, limit: 59000, buy: 0.01}
      retry:
        <<: [*probe, *main]
        after: probe cancelled
    ```

    Only a plain `<<` is a merge key (as PyYAML and ruamel read it): a quoted
    `"<<"` or `'<<'` is the text `<<`, an ordinary key, and so is any `<<` in a
    `.json` file. JSON has no merge keys, so in a wire graph `"<<"` is what the
    router sees, an unknown key (GC102), and the fields under it are not the
    node's. Two `"<<"` keys in one JSON object are a duplicate key like any other.

    ## Why it matters

    Duplicates are almost always left over from an edit: a new `limit:` line was
    added and the old one was not removed, or a leg was copied and kept its id. With
    "last one wins" the order goes out with whichever value happens to come last,
    which may not be the one the reviewer read. A repeated leg id is worse: the
    first leg disappears from the graph entirely, for example the hedge of a
    position you are about to open.

    ## Failing example

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        limit: 59000
        limit: 58000
    ```

    ## Fix

    Keep the value you mean and delete the other line:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        limit: 58000
    ```
    """,
)

GC102 = describe(
    "GC102",
    "unknown-key",
    summary="a key graphc does not know (with a did-you-mean)",
    source="playbook-spec.md §2-§3 and §3.3 (the keys of a playbook, a leg and graphc.toml); §8 (the codes a "
    "suppression comment names); orders-and-execution-graphs.md, Node Fields (the keys of a wire node)",
    flagged="    slipage: 25bps",
    docs="""A key graphc does not recognise, usually a typo; the message suggests the closest known key.

    ## What it checks

    Each level of a playbook accepts a fixed set of keys, those listed in the
    playbook spec: the top-level keys (`graphc`, `name`, `description`, `params`,
    `sandbox`, `risk`, `defaults`, `legs`, `edges`), the leg fields (`buy`, `sell`,
    `side`, `qty`, `symbol`, `venue`, `type`, `limit`, `policy`, `urgency`,
    `slippage`, `horizon`, `tif`, `twap`, `after`, `activation`, `for_each`), the
    fields of `risk`, of a param, of a `twap` mapping and of an edge mapping. Any
    other key is GC102. When a known key is close in spelling, the message says "did
    you mean ...?".

    A suppression comment is read the same way: a directive other than
    `ignore` and `ignore-file` written as one (`# graphc: ignores[GC405]`, did
    you mean 'ignore'?; `ignore_file[GC307]`), and a name in its brackets that
    is no rule code or name (`ignore[GC999]`; `ignore[GC4O5]`, did you mean
    'GC405'?; `ignore[hedge-sise]`; the prefix `ignore[GC3]`, which only
    `--select` and `--ignore` take), are GC102 at that name, as an unknown
    `[rules]` key of graphc.toml is. The comment suppresses nothing for it (the
    other codes in the same brackets still count), so a mistyped suppression no
    longer passes for a working one.

    A wire graph (a `.json` file with `nodes`) is checked the same way against the
    router's fields (orders-and-execution-graphs.md, Node Fields). A `"<<"` key
    there is GC102 too: JSON has no YAML merge keys, so the router reads `"<<"` as a
    key it does not know, and a `side` or `quantity` written under it as no side or
    quantity at all (GC104). graphc reads the file as the router does and never
    merges it (GC101 covers merge keys in YAML).

    ## Why it matters

    A key graphc does not know would otherwise be dropped without notice, and the
    setting it was meant to carry would never reach the router. A misspelled
    `slippage` sends the order with no slippage cap at all, so a market order in a
    thin book can sweep far through it. A misspelled `max_notional` under `risk`
    removes the admission limit the desk thinks it has.

    ## Failing example

    `slipage` is not a leg field; graphc suggests `slippage`:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        slipage: 25bps
    ```

    ## Fix

    Spell the key as the spec does:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        slippage: 25bps
    ```
    """,
)


@rule(
    "GC103",
    "invalid-value",
    summary="wrong type or invalid value (enum, range, pattern)",
    source="playbook-spec.md §2-§3.2 (types, word lists, signed 64-bit wire integers; `instrument.venue` "
    "lower-case, as orders-and-execution-graphs.md and hosted-strategies.md spell every venue); §3.3 (graphc.toml "
    "values); §4 (generated prices stay in the venue's range: venue-rules.md §1-§2); §8 (the suppression comment's "
    "forms)",
    flagged="    urgency: asap",
)
def check_wire_venue_case(ctx):
    """A value has the wrong type, is not one of the allowed choices, or is out of range.

    ## What it checks

    graphc checks every field against the playbook schema and reports GC103 when a
    value is present but not acceptable, for example:

    - a choice outside its list: `side` (`buy`/`sell`), `type`
      (`spot`/`perp`/`prediction`), `policy` (`sor`, `ioc_sweep`, `passive_limit`,
      `aggressive_chase`, `passive_ladder`, `time_drip`), `urgency`
      (`low`/`medium`/`high`), `tif` (`GTC`/`IOC`/`FOK`, any case), `activation`
      (`root`/`wait`);
    - the wrong type, such as a list where a string is expected, or `sandbox` given
      something other than `true`/`false`. graphc reads YAML 1.2, where `no`, `off`
      and `yes` are strings, so `sandbox: no` is GC103 rather than a quiet `false`;
    - a pattern that does not match: `name` must look like `btc-dip-buy` (lower-case
      letters, digits, `.`, `_`, `-`) as written: it is the run key, never
      rendered, so a `{{ }}` in it is GC103 at the value (`` `name` is written
      literally: it is the run key ``), as a `{{ }}` in `schedule:` is (the
      schedule decides `now`); leg ids must start with a letter or digit
      (an id made by `for_each` is reported once, at the item that made it: a
      Polymarket outcome such as `rain-london:yes` makes `ID-rain-london:yes`,
      and the hint gives the items as mappings, `for_each: [{sym:
      rain-london:yes}]` with `symbol: "{{ item.sym }}"`, whose copies are
      numbered `ID-0`, `ID-1`);
    - a quoted `true`, `false` or number where a boolean or number goes:
      `sandbox: "false"` is the text `false`, and the message says to remove the quotes;
      and the other way round, `name: 2026` or `description: true`, which YAML
      reads as a number or a boolean: the hint quotes it (`description: 'true'`).
      A `description` template whose whole value is true or false, nothing, a
      list or a mapping (`description: "{{ flag }}"`) is GC103 too, as
      `description` takes text, and the hint writes it as text:
      `"{{ flag | string }}"`, `"{{ items | join(', ') }}"` (a number there is
      its text);
    - a leg that gives its side and size twice (`buy: 1 ETH` with `side: buy`), and a
      side or size written on a `use:` leg (`buy: 2 ETH`) that does not fit every leg
      of its template, which it is set on: one of them sells, or gives `side` +
      `qty`. That is one error at the `use:` leg's key, with a note at each template
      leg it clashes with; the template's buying legs are never resized alone;
    - a value out of range: quantities and prices must be positive, and so must
      risk limits (`risk.max_notional`, `risk.max_loss`, and on the wire
      `risk.admission.max_notional_usd`, `risk.runtime.max_loss_usd`), `qty_1e8`
      and `price_1e9` must fit a signed 64-bit integer, a symbol is at most 512
      characters (a leg's `symbol`, and the SYMBOL of an `on_price` trigger in
      either form: `after: x price SYMBOL below entry -5%` or the mapping); a `horizon` must be positive (`horizon: 0s` or `-5s` gives the
      router no time to complete the order: orders-and-execution-graphs.md, Node
      Fields), and a TWAP's slice count and interval fit a signed 64-bit integer;
      a `schedule.catch_up` must be positive (spec §9) and at most `999999999d`
      (the longest duration Python's `timedelta` holds: `catch_up: 1000000000d`
      is GC103 at the value, naming that maximum). A catch-up that would end, at
      the occurrence's time plus `catch_up`, past the last time graphc can
      represent (9999-12-31T23:59:59.999999Z, the end of Python's `datetime`)
      ends there instead: in effect it has no end, and `run`, `plan`, `submit`
      and a bundle send the occurrence as with any other catch-up.
      Linting a wire graph checks `horizon_ms`, `num_slices` and `interval_ms` the
      same way (each from 1 to 9223372036854775807), and the message shows the
      number in plain digits (`1.5e19` is `15000000000000000000 is greater than
      the maximum of 9223372036854775807`; past 40 digits, as the file writes it,
      `1e400`);
    - a param whose limits no value can meet (docs/templates.md, Params): `min`
      above `max` (`b: {type: number, min: 10, max: 1}`), or a quantity's `min`
      and `max` in two units (`min: 1 ETH, max: 5 BTC`), at the `max:` key,
      whatever value is given (`min` equal to `max` is one value, and allowed);
    - a template price (`limit: bid`, `ask + 1 tick`) that, moved onto the
      venue's grid in the leg's favour (buys down, sells up), is outside the
      prices the venue accepts: GC304's range, and at least above 0. With no
      Polymarket tick known, a sell at `bid` with bid 0.993 goes up to 1.00 on
      the 0.01 grid generated prices use, and no sell at or above 0.993 on it is
      in the range 0.01-0.99; a buy at a bid of 0.004 goes down to 0. The
      message names the price, the grid and the range; give the market's tick
      (quotes snapshot or graphc.toml) or write a literal price (spec §4, grid
      for generated prices; venue-rules.md §1 `tick <= price <= 1 - tick`). A
      `trigger` limit that rounding in the leg's favour would carry past its
      level is rounded the other way (GC407), and then the message says so,
      and why: `this sell is rounded down ..., not rounded up: rounded up to
      0.01 it would sit above the level 0.008 its trigger fires at`;
    - a market symbol that is blank, has whitespace at either end or has a
      control or invisible character in it (a tab, a line break, NUL, a
      zero-width space: `"BTC-USD "`, `"BTC\\u200b-USD"` in JSON), in every input form
      alike: a playbook leg's `symbol` and its `on_price` trigger's (the
      `after:` text or the mapping), a simple order's `symbol`, and a wire
      node's `instrument.symbol` and an `on_price` trigger's `symbol`. No
      symbol the router's reference writes (a pair, a Polymarket slug, token id
      or URL, a Kalshi ticker) has one: `BTC-USD ` is not the market `BTC-USD`,
      and no venue's facts would be found for it, so every venue check would be
      skipped. The hint writes the symbol without them. In the router's JSON (a
      wire node's `instrument.symbol`, a wire `on_price` trigger's `symbol`, a
      simple order's `symbol`) a symbol inside a pair of quote characters,
      `"\\"BTC-USD\\""`, `"“BTC-USD”"`, backticks or guillemets, is GC103 too:
      graphc sends it as written, and no market's symbol has them (the same
      symbol in a playbook is GC105);
    - a number that is not finite: YAML reads `.nan`, `.inf`, `-.inf` (and
      `!!float nan`) as numbers, but no playbook or wire value can be one, so each
      is GC103 at its value, `` `risk.admission.max_notional_usd` is .inf, not a
      finite number `` (an infinite limit would be one no order exceeds). Quote it
      if it is meant as text. JSON has no such numbers: in a `.json` file `NaN`
      and `Infinity` are GC100 (not valid JSON), in YAML they are text;
    - on the wire, a venue not written in lower case (`"venue": "Polymarket"`),
      or with whitespace around it (`"venue": "kalshi "`): the spec writes
      `instrument.venue` lower-case (§3) and the router's reference spells
      every venue that way (`kalshi`, `polymarket`, `hyperliquid`), with
      nothing around it, and the router gets the text as written, so it may
      not know the venue. The finding is at the value, with the venue's
      spelling as the hint, and graphc still checks the node under that
      venue's rules (`"Polymarket"` as `polymarket`, `"kalshi "` as `kalshi`),
      so its other findings come too; an unknown venue is GC307 as well. A
      simple order is the router's JSON too, and its venue is sent as
      written, so its `"venue": "Coinbase"` or `"venue": "coinbase "` is GC103
      in the same words. A playbook's `venue:` may be written in any case and
      with spaces around it: compile sends it lower-case and without them, so
      the same order gives the same venue findings either way, and only the
      JSON that spells the venue otherwise has this one;
    - in a simple order, a `qty` or `price` that is not a JSON number: the
      router's reference types both as numbers, so text is GC103 at the value,
      `"1k"`, `"1,000"`, `"$60,000"` and `"55c"` (never read as a playbook's human
      values) and `"0.5"` (a number in quotes) alike; a `symbol` that is empty or
      over 512 characters and an empty `venue` are GC103 as in a wire node, and
      so is a `null` in any field: the reference says to omit `price` for a
      market order and `venue` for the router's choice, and `"price": null` is
      not an omission, so it is never sent as a market order;
    - in `graphc.toml`, a setting's value of the wrong type or out of range
      (`tick = -0.01`), and a `tick` the market's venue cannot have: a
      Polymarket market's tick is 0.1, 0.01, 0.001 or 0.0001 (venue-rules.md
      §1), a Kalshi market's 0.01 or 0.001 (§2), so `tick = 0.005` in
      `[venues.polymarket]` or `[venues.kalshi]`, or in `[markets."SYMBOL"]` of
      a market a leg trades on one of them, is GC103 at the key (the second
      with a note naming that leg), and the tick is not used. So is an
      `sz_decimals` above 8, or above 6 in a table of a market a leg trades as
      a perp: Hyperliquid prices have at most 6 − szDecimals decimals on a
      perp and 8 − szDecimals on spot (venue-rules.md §3). And a minimum
      above its maximum in one table (`price_min = 20` with `price_max = 10`,
      `min_size` above `max_size`, `min_notional` or `min_notional_market`
      above `max_notional`), which no order can meet: GC103 at the key written
      later, naming both values, and neither is used (equal values are one
      price, or one size, and fine). These are
      errors of `graphc.toml` itself, as all its problems are: its own
      `[rules]` (`GC103 = "off"`), `--select`/`--ignore` and suppression
      comments leave them errors, and `lint`, `compile`, `graph`, `plan`,
      `submit`, `run` and the Python API refuse the file alike (exit 1);
    - a suppression comment not written as spec §8 and the docs give it
      (`# graphc: ignore[GC405]` on the line, `# graphc: ignore-file[GC405]`
      anywhere, a bare `# graphc: ignore` for every code of its line): codes not
      in brackets (`# graphc: ignore GC406 -- note`, `ignore: GC405`,
      `ignore-file (GC307)`, `ignore=GC307`), a `[` never closed, empty brackets,
      text after a bare `ignore`, a bare `ignore-file`. GC103 at the comment's
      `#`, with the bracketed form as the hint; the comment suppresses nothing,
      so the findings it was meant for are reported as well (read as "every
      code", it would have hidden the errors of its line or file too);
    - a number literal in a `{{ }}` template outside the range of any playbook
      number (at most 40 digits, between 1e-40 and 1e40), such as `{{ 1e400 }}`
      (spec §1: numbers are read exactly from their text, never as a float);
    - a fractional wire number outside that same range: `risk.admission.max_notional_usd`,
      `risk.runtime.max_loss_usd`, `condition.fill_ratio_gte` and
      `on_price.offset_pct` of a wire graph are read, shown and written back
      (`graphc graph`, `decompile`, `plan`) as playbook numbers, so
      `"max_notional_usd": 1e999` is `` `risk.admission.max_notional_usd`: '1e999'
      is out of range `` (the number as the file writes it), as `max_notional: 1e999`
      in a playbook. `graph` and
      `decompile` report it too, as an input error (exit 1);
    - more schema problems in one file than `GRAPHC_MAX_DIAGNOSTICS` (5,000): the
      schema check stops at one past it, the first 4,999 are listed, and one more
      GC103 at 1:1 says so, `schema checking stopped after 4999 problems, at
      GRAPHC_MAX_DIAGNOSTICS (5000 findings listed per file): the rest of the file
      was not checked, so its counts are a lower bound`. Nothing else reads the
      rest of the file (the compiler, the wire number and symbol checks, the
      rules): fix the problems listed and lint again, or raise
      `GRAPHC_MAX_DIAGNOSTICS` to see more at once (docs/robustness.md). Each
      problem costs jsonschema 100-300 µs: a 3.8 MB graph of 1.9 million bad
      nodes took 190 s and 3.4 GB to list them all, where the report lists 5,000.
    - in `graphc decompile`, a wire value no playbook can hold, at the value
      with a hint (exit 1, nothing written): a `node_id` that cannot be a leg id
      (a leg id starts with a letter or digit, A-Z, a-z or 0-9, then has only
      those, `.`, `_` and `-`: `"1:2"`, `"-a"`, `"é"`), an edge's `from_node` or
      `to_node` that names no node and cannot be a leg id either, a venue not in
      lower case (in the words above: a playbook's venue compiles lower-case, so
      the graph would not come back), and an empty `risk` block or section
      (`"risk": {}`: it sets no limit, and a playbook's `risk:` writes limits).

    ## Why it matters

    A value the router does not understand is rejected at submission, which is the
    moment the trade was supposed to happen. Some would be worse than rejected: a
    guessed `sandbox` value decides whether real money moves. GC103 makes these
    mistakes fail in CI, with the list of allowed values in the message.

    ## Failing example

    `urgency` must be `low`, `medium` or `high`:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        urgency: asap
    ```

    ## Fix

    Use one of the allowed values:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        urgency: high
    ```
    """
    # The rest of GC103 is reported while the file is read and compiled (the schema, the model); this check is
    # the one part the rules make: the node is read as the venue in lower case, without spaces (graphc.facts), so
    # its venue's rules run, and this says that the wire text is not what the router's reference writes.
    raw_nodes = ctx.wire.get("nodes")
    for node in ctx.nodes:
        venue = node.venue  # lower-cased where the facts were read; None where no venue is pinned (most nodes)
        if venue is None:
            continue
        instrument = raw_nodes[node.index].get("instrument")
        written = instrument.get("venue") if isinstance(instrument, dict) else None  # read from the symbol: no text
        # one wording with decompile's refusal
        found = venue_case_problem(written) if type(written) is str and written != venue else None
        if found is not None:
            yield Finding(node.at("instrument", "venue"), f"{found[0]}; graphc checks the node as {venue}", found[1])


GC104 = describe(
    "GC104",
    "missing-field",
    summary="a required field is missing",
    source="playbook-spec.md §2-§3 (required keys)",
    flagged="  entry:",
    docs="""A field that the playbook, a leg, a param or an edge must have is missing.

    ## What it checks

    Some fields have no sensible default and must be written out. Examples: the
    playbook's `name`; a leg's `symbol`; a leg's side and size (`buy: Q` /
    `sell: Q`, or `side:` together with `qty:`); the `from`, `to` and `trigger` of a
    mapping in the top-level `edges:` list. graphc reports GC104 at the mapping that
    lacks the field and names the field. A simple order (`{"symbol": ..., "side":
    ..., "qty": ...}`) that has two of its three required keys is GC104 naming
    the third: ``a simple order needs `qty` ``. A wire graph is the router's JSON, so
    there the field is named as JSON writes it: a node without `side` is
    `nodes.0 needs "side"`, with the hint `add "side": ...`. `graphc decompile`
    reports GC104 at a wire node's `instrument` when a prediction market's
    symbol names its venue (`KX...`, `...:yes`, a Polymarket URL) and the node
    leaves `instrument.venue` out: the router allows that, but a playbook
    always pins the venue it infers (spec §3.1), so no playbook compiles to
    that node; the hint says which venue to add.

    ## Why it matters

    graphc never invents a value that decides what is traded. Without a symbol there
    is no instrument to route; without a side and size there is no order. Guessing
    would be dangerous and leaving the field out of the wire graph gets the graph
    rejected at submission, so the playbook stops at compile time instead.

    ## Failing example

    The leg `entry` says how much to buy and at what price, but not what:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        limit: 58000
    ```

    ## Fix

    Add the missing field:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        limit: 58000
    ```
    """,
)

GC105 = describe(
    "GC105",
    "unreadable-value",
    summary="unreadable human value, or a unit that does not match the instrument",
    source="playbook-spec.md §3.2 (quantities and their units: a plain number is base units), §4 (prices, the "
    "`trigger` base), §6.1 (`money` params)",
    flagged="    buy: 2 BTC",
    graded="a `schedule.catch_up` written without a unit is a warning and every other finding an error",
    docs="""A human-readable value cannot be parsed, or its unit does not fit the leg's instrument.

    ## What it checks

    Playbooks write quantities, prices, slippage, durations and TWAP schedules in
    human units, which graphc converts to the router's integers. GC105 is reported
    when such a value cannot be read, for example `buy: ten`, `slippage: 25 bips`,
    `horizon: 5 mins`, `limit: ask plus one`, or when its unit does not belong to
    the instrument:

    - `N ASSET` must name the symbol's base asset, the text before the first `-`,
      compared without regard to case: `2 ETH` fits `ETH-USD`, `2 BTC` does not.
      A symbol without `-` (a venue's own spelling: `BTCUSDT`, `PURR/USDC`) is
      its own base asset, so `0.5 BTC` on `BTCUSDT` is GC105 too; the message
      says so, and the hint offers the plain number `0.5` (base units) or the
      symbol written with a `-` (`BTC-USDT`), if the venue accepts it;
    - `N shares` and `N contracts` are for prediction legs only;
    - a dollar notional (`$5k`, `5000 USD`) is divided by a price, so it needs a
      market priced in dollars: on `ETH-BTC` or `USD-JPY` it is refused (graphc
      has no exchange rates). Where the base asset is itself a dollar (`USD-JPY`),
      `1000 USD` still reads as a notional; a size of 1000 USD there is the plain
      number `1000` (base units), which the hint says;
    - the `trigger` price base (`limit: trigger - 0.5%`) is the level at which
      the leg's price trigger fires, a price of the symbol that trigger watches
      (spec §4). It needs a price trigger (`after: LEG price SYMBOL ...`), and
      that trigger must watch the symbol the leg trades: an `ETH-USD` stop behind
      `entry price BTC-USD below entry -5%` would be priced at BTC's level,
      about 40 times ETH's price. Watch the leg's own symbol, write a literal
      price, or drop `limit:` for a market order. Spec §4 defines `trigger` as
      one level, so a leg with price triggers at different levels (a stop and a
      take-profit) has no `trigger`: a limit priced from one level rests when
      the other fires (GC407). Write a literal price, or split the leg into one
      leg per trigger, each with its own `after:` and `limit: trigger ...`.
      Triggers that share one level (the same move written twice) are fine;
    - a size made from a `money` param must say its unit. Inside a template a
      money param is a plain number of dollars (`budget` with `$500` is `500`),
      and a size's plain number is base units, so `buy: "{{ budget }}"` and
      `buy: "{{ budget / 2 }}"` on `BTC-USD` would buy 500 and 250 BTC. graphc
      cannot tell dollars from units (`budget / 2` is dollars,
      `budget / quote('BTC-USD').ask` is BTC), so a `buy`, `sell` or `qty` (on a
      leg or in `defaults`), or a `quantity` param given in `with:`, whose number
      is computed from a money param and has no unit is refused: write `$` before
      the number for dollars (`"${{ budget / 2 }}"`), or the asset (`BTC`), or
      `shares`/`contracts`, after it for units. The number stays money through
      arithmetic, any filter (`round`, `int`, `abs`, `title`, `list`, `map`,
      `join`, ...), text (`| string`, `~`), `for_each` items and `with:` values
      (to a `number`, `integer`, `string`, `symbol` or `price` param); money
      divided by money (`part / total`) is a plain ratio, but
      `budget * budget / total` is dollars again (docs/templates.md, "Params
      reference"). A number that does not fit a size (`budget / 3` does not
      end) is GC105 too, and the hint rounds it down: `| round(2, 'floor')` for
      dollars, `| round(8, 'floor')` for units, as a notional's quantity is
      rounded down to 1e-8 (spec §3.2).
    - a market symbol written inside a pair of quote characters: a leg's
      `symbol: '"ETH-USD"'` (YAML's quotes around a second pair), typographic
      quotes (`symbol: “ETH-USD”`, a paste from a word processor or a chat),
      backticks (`` symbol: "`ETH-USD`" ``) or guillemets (`«ETH-USD»`), in
      `symbol:` or `defaults:`, and the same in an `on_price` edge mapping's
      `symbol:`; in the `after:` text (`price "will-x:yes" below entry -25%`)
      any quote character in the symbol. graphc sends a symbol as written and
      no market's symbol has them, so the order would go to a market that does
      not exist, or the stop would watch one and never fire. The hint writes
      the symbol without them (`symbol: ETH-USD`); a quote character inside a
      symbol value (`it’s`) is kept. In a wire graph or a simple order the
      same symbol is GC103 (the router's JSON has no human value to read).
    - a `schedule.catch_up` written without a unit is a warning: a duration
      without a unit is milliseconds, so `catch_up: 7200` is 7.2 s, not two
      hours, and `graphc run` would miss every occurrence it cannot send
      within that. Write the unit (`2h`, `7200s`, or `7200ms` if meant).

    The values of a quotes snapshot (`--quotes FILE`) are checked the same way: a
    negative price (`bid: -1`), or a `tick` or `lot` of `0` or less, is GC105 at
    the value, shown as the file writes it. A price of exactly `0` is not an
    error: it is the empty side of a one-sided book, as the router reports it
    (see GC109). A `tick` that the market's venue cannot have is GC105 too: a
    Polymarket market's tick is 0.1, 0.01, 0.001 or 0.0001 (venue-rules.md §1),
    a Kalshi market's 0.01 or 0.001 (§2: linear_cent, deci_cent, or the bands of
    tapered_deci_cent), so `tick: 0.005` (or `0.02`) for a symbol a leg trades
    on Polymarket or Kalshi is GC105 at the value, with a note naming that leg,
    and the tick is not used: the market is checked against the next tick
    known, graphc's 0.001 check grid on Polymarket and Kalshi's 0.01 unless
    `graphc.toml` gives one (the same tick in `graphc.toml` is GC103). `compile`
    reports it as `lint`, `plan` and `submit` do. With `--quotes live` the tick
    is the router's answer, not a value you wrote: the error is at the leg's
    `symbol` and names the answer (`quote X.tick of the router's answer (GET
    /v1/quotes?symbol=X): ...`), and its hint says which tick is used instead
    and how to give the market's own (`[markets."X"] tick` in `graphc.toml`). A
    `lot` finer than the venue's is GC105 the same way, and the venue's lot is
    used: Kalshi trades whole contracts (0.01 only on a market `graphc.toml`
    says allows fractional trading, `fractional = true`: venue-rules.md §2) and
    Polymarket 0.01 shares (§1), so `lot: 0.01` for another Kalshi market, or
    `lot: 0.0001` for a Polymarket one, is GC105 at the value (`quote X.lot:
    0.01 is looser than kalshi's own 1: whole contracts ...`), a notional is
    sized on the venue's lot, and a typed size is checked against it (GC305);
    the same lot in `graphc.toml` is GC103, and from the router's answer it is
    at the leg's `symbol`, as a tick is. A price
    (`bid`, `ask`, `mid`, `last`) that a prediction market cannot have is GC105
    too: its prices are dollars per share, 0.01-0.99 on Kalshi and Polymarket
    (venue-rules.md §0) and above 0 and below 1 on any (§4), so for a symbol a
    leg trades as a prediction market (on Kalshi or Polymarket, or with `type:
    prediction`) a price of 1 or more is GC105 at the value, with a note naming
    that leg (`quote KXFEDDECISION-26DEC-C25.ask: 41 is not a prediction
    market's price (dollars per share, 0 < p < 1), so it is not used`), and the
    price is not used: a whole number from 1 to 99 is Kalshi's older integer
    cents (§2), and the hint says `looks like cents: write 0.41 (or 41c)`. A
    notional size or a template that needs the price is this error (said once,
    at the value), a check that values an order at it is skipped, saying why,
    and a refused `mid` leaves the mid of the book, (bid + ask) / 2. `quote()`
    in a `{{ }}` expression refuses it for a symbol whose shape names a Kalshi
    or Polymarket market. From the router (`--quotes live`) such an answer is
    malformed (exit 3), not a GC105. A tick, lot or price the market's venue
    cannot have is an error of the snapshot, as a `bid: -1` is: `GC105 =
    "off"` (or `"warning"`), `--select`/`--ignore` and suppression comments
    leave it an error, and `lint`, `compile`, `graph`, `plan`, `submit`, `run`
    and the Python API refuse it alike (exit 1). A crossed
    book, a bid above the ask (`{bid: 2325.10, ask: 232.55}`: a digit dropped,
    or the sides swapped), is GC105 at the quote (`quote ETH-USD: crossed: bid
    2325.10 > ask 232.55`), and neither side is used: a notional buy would be
    sized at the lower ask and its risk checked there. A locked book (bid =
    ask) is fine.

    Readable forms are listed in the playbook spec: plain numbers with `,` or `_`
    separators and `k`/`m`/`M`/`bn` suffixes, notional sizes like `$5k` or
    `5000 USD`, prices like `0.55`, `55c`, `$2,325.53` or templates like
    `ask + 1 tick`.

    ## Why it matters

    A unit mismatch means the size is expressed in a different asset from the one
    traded. Read literally, `2 BTC` on `ETH-USD` would become an order for 2 ETH, a
    small fraction of the value the author had in mind; converted at a price, it
    would become a much larger ETH order than the number on the page suggests.
    Either guess trades the wrong amount, so graphc stops and asks.

    ## Failing example

    The leg trades `ETH-USD` but its size is written in BTC:

    ```yaml
    graphc: 1
    name: eth-accumulate
    legs:
      entry:
        buy: 2 BTC
        symbol: ETH-USD
    ```

    A size computed from a `money` param without a unit fails the same way:
    with `budget: {type: money, default: $500}` in `params:`, a `BTC-USD` leg
    with `buy: "{{ budget / 2 }}"` would buy 250 BTC (about $25M at 100,000)
    where $250 was meant.

    ## Fix

    Write the size in the base asset of the symbol (or fix the symbol, if that was
    the mistake):

    ```yaml
    graphc: 1
    name: eth-accumulate
    legs:
      entry:
        buy: 2 ETH
        symbol: ETH-USD
    ```

    For a size computed from money, say its unit: `buy: "${{ budget / 2 }}"`
    for dollars ($250, 0.0025 BTC at a 100,000 limit), or
    `buy: "{{ budget / 100000 }} BTC"` when the arithmetic computed units
    (0.005 BTC).
    """,
)

GC106 = describe(
    "GC106",
    "excess-precision",
    summary="more precision than the wire scale (qty 1e-8, price 1e-9)",
    source="orders-and-execution-graphs.md, Node Fields (`qty_1e8`, `price_1e9` are integers); playbook-spec.md §3.2",
    flagged="    buy: 0.123456789",
    docs="""A quantity or price has more decimal places than the router's wire format can carry.

    ## What it checks

    The router receives sizes as integers of 10^-8 units (`qty_1e8`) and prices as
    integers of 10^-9 dollars (`price_1e9`). A value you write, or that a `{{ }}`
    expression produces (say, a size divided by 3), must convert to those integers
    exactly: at most 8 decimal places for a quantity and 9 for a price. A size
    written as `qty_1e8` must already be a whole number. The hint offers the
    value cut to those places; where that would be 0 (`buy: 0.000000001`), it
    offers the smallest value the wire carries instead (0.00000001 for a
    quantity, 0.000000001 for a price), since a size or price of 0 is GC103.

    A number a `{{ }}` expression makes with more than 40 significant digits,
    the most any playbook number has, cannot be a size or a price either.
    Templates compute with 60 digits, so a division that does not end is rounded
    there: `{{ total / n }}` with n = 3, `{{ 2300 / 7 }}` and `{{ 2 / 3 * 3 }}`
    are GC106 at the template, `` `total / n` needs more than 60 significant
    digits to be worked out exactly; a number may have at most 40 `` (the rounded
    value is not quoted: the expression does not have it). An exact value that
    is too long is quoted in full, its digits counted: `` `2300 + 1e-38` is
    2300.00000000000000000000000000000000000001, 42 significant digits; a number
    may have at most 40 ``. Either is reported once for a `for_each` leg (not
    once per copy), and the hint writes the `round` filter that fixes it around your expression: a size
    rounds down to 8 decimals, `{{ (total / n) | round(8, 'floor') }}` (as graphc
    rounds a notional's quantity down); a price to its tick, `'floor'` for a buy
    and `'ceil'` for a sell (`{{ (2300 / 7) | round(2, 'floor') }}` on a 0.01
    tick); dollars to the cent, `{{ (budget / 3) | round(2, 'floor') }}`. (A size
    computed from a `money` param with no unit is GC105 first, whose hint rounds
    it too.) Only a playbook's `name` and `description`, text for people, take
    such a number as text.

    graphc does round where the spec says so: notional sizes like `$500` are rounded
    down to the lot, and template prices like `mid - 25bps` are aligned to the tick.
    Values you wrote yourself are never rounded behind your back.

    ## Why it matters

    Rounding silently changes the order you reviewed. Drop the extra digits of a
    price and a buy may end up above the limit you set. Truncate a size and the
    hedge no longer matches the position it covers, leaving a small residual that
    nobody asked for and that someone has to clean up by hand later.

    ## Failing example

    Nine decimal places of BTC is finer than the 10^-8 quantity scale:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.123456789
        symbol: BTC-USD
    ```

    ## Fix

    Decide on the size yourself and write it with at most 8 decimals:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.12345678
        symbol: BTC-USD
    ```
    """,
)

GC107 = describe(
    "GC107",
    "template-error",
    summary="template error, undefined name or sandbox violation",
    source="playbook-spec.md §6.2 (sandboxed, strict templates)",
    flagged='    buy: "{{ sise }}"',
    docs="""A `{{ ... }}` expression failed: it does not parse, uses an undefined name, or does something the sandbox forbids.

    ## What it checks

    Any string value may contain Jinja2 expressions in `{{ ... }}`. graphc evaluates
    them after parsing the YAML, in a sandboxed, read-only environment where an
    undefined name is an error, never an empty string. The names available are the
    playbook's params, `now`, `today`, `quote(SYMBOL)`, and `item`/`index` inside a
    `for_each` leg.

    GC107 is reported at the value that holds the expression when:

    - the expression does not parse (`{{ size * }}`);
    - it names something that does not exist, usually a misspelled param;
    - evaluating it fails (division by zero, adding a string to a number);
    - it tries something the sandbox blocks, such as reaching into Python internals;
      `{% ... %}` blocks, file access, imports and environment variables are not
      available at all;
    - it writes a `percent` param's value, or a ratio computed from it
      (`-stop`, `(index + 1) * step`, a `for_each` item made from it), straight
      before `%` or `bps` (`-{{ stop }}%`, `-{{ stop }}{{ '%' }}`): the param is a
      ratio (5% is 0.05), so that text would be 0.05%; write `{{ stop * 100 }}%`
      (docs/templates.md, Params reference);
    - a `slippage` is text that ends with such a ratio (`"{{ slip }} "`,
      `"{{ slip | string }}"`): its number would be read as bps, 0.0025 bps for
      0.25%; write the whole value `"{{ slip }}"`, which graphc reads as the
      percentage it is (25 bps), or `{{ slip * 10000 }}` (docs/templates.md,
      Percent params).

    ## Why it matters

    A template that quietly rendered as an empty string or a fallback value would
    put a different size or price on the wire than the one the author wrote, and
    nobody would see it until the fill. Strict evaluation turns a typo into a failed
    build. The sandbox matters because playbooks are shared and reviewed like code:
    one must not be able to read the API key from the environment or a file on the
    machine that compiles it.

    ## Failing example

    The expression uses `sise`, but the param is called `size`:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    params:
      size:
        type: quantity
        default: 0.01
    legs:
      entry:
        buy: "{{ sise }}"
        symbol: BTC-USD
    ```

    ## Fix

    Use the name the param was declared with:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    params:
      size:
        type: quantity
        default: 0.01
    legs:
      entry:
        buy: "{{ size }}"
        symbol: BTC-USD
    ```
    """,
)

GC108 = describe(
    "GC108",
    "param-error",
    summary="param missing, unknown, wrongly typed or out of range",
    source="playbook-spec.md §6.1 (params)",
    flagged="  size:",
    docs="""A param is missing, unknown, of the wrong type, or outside its allowed range or choices.

    ## What it checks

    Params are declared under `params:`, each with a `type` (`number`, `integer`,
    `string`, `bool`, `quantity`, `money`, `price`, `duration`, `percent`, `symbol`)
    and optionally a `default`, `choices`, `min` and `max`. Values come from
    `--set NAME=VALUE` (repeatable) and `--params FILE`; when both give a value,
    `--set` wins. A param with no `default` is required.

    GC108 is reported when:

    - a required param gets no value;
    - a value is given for a name that is not declared (often a typo in `--set`);
    - a value cannot be read as the declared type (`--set size=lots`);
    - a value is below `min`, above `max`, or not one of `choices`;
    - a `percent` param's ratio is passed in a template's `with:` to a param that
      is not a `percent` (`with: {stop_pct: "{{ stop }}"}` into a `number`
      param): the template would read 5% as 0.05; pass `{{ stop * 100 }}` for
      percent points (docs/templates.md, `use:` template files);
    - a param is named as something an expression reads itself: `now`, `today`,
      `quote`, `range`, `item`, `index`, or the literals `none`, `None`, `true`,
      `True`, `false`, `False` (`{{ None }}` is the literal none, never the
      param), so it could never be read. It is reported at the name; rename it.

    ## Why it matters

    Params let one reviewed playbook serve many trades, so they are where sizes and
    prices change from run to run. A missing size must stop the build rather than
    fall back to something nobody chose. A mistyped `--set sise=0.5` that was
    quietly ignored would trade the default instead. `max` is a guard against a fat
    finger such as `--set size=50` when `5.0` was meant, and only works if values
    outside it are refused.

    ## Failing example

    `size` has no default, so it is required; compiling without `--set size=...`
    fails:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    params:
      size:
        type: quantity
        description: BTC to buy
    legs:
      entry:
        buy: "{{ size }}"
        symbol: BTC-USD
    ```

    ## Fix

    Pass the value on the command line
    (`graphc lint --set size=0.01 playbook.yaml`), or give the param a default:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    params:
      size:
        type: quantity
        description: BTC to buy
        default: 0.01
    legs:
      entry:
        buy: "{{ size }}"
        symbol: BTC-USD
    ```
    """,
)

GC109 = describe(
    "GC109",
    "missing-quote",
    summary="a quote is needed and not available",
    source="playbook-spec.md §3.2 (notional sizes), §4 (price templates), §7 (the quotes snapshot); hosted-strategies.md (one-sided books, an empty side read as 0)",
    suppression=(
        "`# graphc: ignore[GC109]` at the end of the reported line, or `# graphc: ignore-file[GC109]` anywhere "
        "in the playbook, hides the finding from `graphc lint`, but not what it did: it stopped the checks, so the "
        "file counts as not checked and `graphc lint` exits 2 (below); `graphc compile` cannot write the graph "
        "without the price and still stops. Give the quote, or a literal limit, instead."
    ),
    docs="""A value depends on a market quote, and no quote for that symbol is available.

    ## What it checks

    Some values can only be computed from a market price:

    - a notional size (`$500`, `5000 USD`) on a leg without a literal limit price;
      graphc divides by the ask for a buy and by the bid for a sell;
    - a price template built on `bid`, `ask`, `mid` or `last`, such as
      `ask + 1 tick` or `mid - 25bps`;
    - `quote(SYMBOL)` inside a `{{ }}` expression.

    Quotes come from `--quotes FILE` (a snapshot of
    `SYMBOL: {bid, ask, last, mid, tick, lot}`) or `--quotes live` (the router's
    quote endpoint). GC109 is reported when no snapshot was given (by `compile`;
    `lint` skips the checks instead, below), when it has no entry for the symbol,
    or when the entry lacks the field the value needs (for example `last`).

    A price of `0` in the snapshot is a field the entry lacks: it is the empty
    side of a one-sided book, as the router reports it (hosted-strategies.md:
    "Far-OTM Kalshi outcomes often have one-sided books"; its log shows
    `bid=0.99 ask=0`), and `--quotes live` reads it the same way. With
    `{bid: 0.99, ask: 0}`, `limit: ask + 1 tick` is GC109 ("needs the ask, but
    the quote has no ask"), and so is a `mid` base, since a one-sided book has
    no midpoint, unless the snapshot writes a `mid` (spec §4: the mid is
    (bid + ask) / 2 "unless given"), which is then used; a leg with a literal
    limit, or one that needs only the bid, is unaffected.

    `graphc compile` (and `plan` and `submit`, which compile first) report GC109,
    because they must produce the exact wire graph. `graphc lint` reports it too
    when it is given a snapshot (`--quotes FILE`) that lacks the symbol or field.
    Without any snapshot, `graphc lint` treats the value as unknown instead: the
    checks that need it are skipped, and `graphc lint --explain-skips` lists them.
    A `quote(SYMBOL)` call in a `{{ }}` expression is still GC109 there (its
    template has no value to render). `graphc bundle` is the exception: the
    strategy it writes reads quotes live when it runs (docs/recurring.md,
    "Bundle"), so a value computed from `quote()` in a size or a `limit` is
    unknown while bundling; bundle prints it as skipped, with the checks that
    need it, and checks everything else.

    ## Why it matters

    graphc will not make up a price. Sizing `$500` of BTC with a guessed price could
    buy several times more, or less, than intended, and a template price built on a
    guessed ask could cross the spread by far more than the author meant.

    ## Failing example

    A $500 market buy: graphc needs the ask to turn dollars into BTC, and no
    quote is given. `graphc compile playbook.yaml` reports GC109 (exit 1), and so
    does `graphc lint --quotes quotes.yaml playbook.yaml` with a snapshot that has
    no `BTC-USD` entry. `graphc lint playbook.yaml` without `--quotes` does not:
    it skips the checks that need the price (no problems, exit 0), and
    `graphc lint --explain-skips playbook.yaml` lists them (`skipped GC109
    notional '$500' needs a price for BTC-USD; pass --quotes`).

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: $500
        symbol: BTC-USD
    ```

    ## Fix

    Give the leg a limit price; graphc then sizes it from that price (500 / 60000,
    rounded down to 0.00833333 BTC). Alternatively keep the market order and run
    with `--quotes quotes.yaml` (a snapshot with a `BTC-USD` entry) or
    `--quotes live`.

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: $500
        symbol: BTC-USD
        limit: 60000
    ```
    """,
)

GC110 = describe(
    "GC110",
    "not-a-playbook",
    summary="not a playbook, or an unsupported graphc version",
    source="playbook-spec.md §1-§2 (`graphc: 1`; a `.json` file with `nodes` is a wire graph)",
    flagged="graphc: 2",
    docs="""The file is not a graphc playbook, or it asks for a playbook version this graphc does not support.

    ## What it checks

    A playbook is a YAML mapping whose top level contains `graphc: 1`, the format
    version. GC110 is reported when `graphc:` holds any other value (`2`, `v1`,
    or the quoted text `"1"`, which is not the number 1), when the top level is
    not a mapping at all (a list or a bare string), or
    when a file named on the command line is neither a playbook, nor a wire graph (a
    `.json` file with `nodes`), nor a simple order. A file with two of a simple
    order's three required keys (`symbol`, `side`, `qty`) is read as a simple
    order that lacks the third: GC104 names it.

    A plan saved by `graphc plan -o` (JSON with `graphc_plan`) is not a playbook
    either: `graph`, `lint`, `decompile` and `compile` report it as GC110 with the
    hint that it is a saved plan, which `graphc plan FILE` shows and `graphc
    submit FILE` sends.

    When `graphc lint` walks a directory, YAML files with no `graphc:` key are
    skipped rather than reported, so CI configs and other YAML in the repository are
    left alone.

    ## Why it matters

    The version line is the contract: a later format may change what a field means,
    for instance its units. Compiling a newer playbook under version 1 rules could
    misread sizes or prices and still produce a graph that looks valid, so graphc
    refuses instead of guessing.

    ## Failing example

    This graphc understands version 1 only:

    ```yaml
    graphc: 2
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
    ```

    ## Fix

    Declare the version the playbook is written for (or upgrade graphc if it really
    uses a newer format):

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
    ```
    """,
)


@rule(
    "GC111",
    "wire-default",
    severity=WARNING,
    summary="wire node without instrument.type or activation: read as the router does; a simple order's symbol "
    "that may be a Polymarket slug",
    source=(
        "orders-and-execution-graphs.md, Node Fields (instrument.type: spot, perp or prediction; a Polymarket "
        "slug or URL is made prediction before routing) and Simple Order (Polymarket's symbols: a slug, :yes/:no "
        "slug, token id or polymarket.com/event URL); hosted-strategies.md (without the type the engine "
        "assumes spot; the SDK sets activation root "
        "on a node no edge targets)"
    ),
    suppression=(
        "JSON has no comments, so a wire graph cannot carry `# graphc: ignore[GC111]` or "
        "`# graphc: ignore-file[GC111]`; turn the rule off in `graphc.toml` if your wire graphs rely on the "
        "router's defaults on purpose."
    ),
)
def check_wire_defaults(ctx):
    """A node of a wire graph leaves out `instrument.type` or `activation`, so the router fills it in.

    ## What it checks

    In a wire graph (a `.json` file with `nodes`), every node should say what it
    trades and when it starts. When `instrument.type` is missing, graphc reads
    the node as the router does, as `spot`, except for a Polymarket event URL,
    a `:yes`/`:no` slug, or any symbol on a node pinned to `polymarket` (a bare
    slug such as `will-btc-reach-150k-in-2025` with `"venue": "polymarket"`):
    orders-and-execution-graphs.md (Node Fields) says the router turns
    Polymarket slugs and URLs into prediction instruments before routing, and
    a symbol pinned to Polymarket is one of Polymarket's (a slug, token id or
    URL: Simple Order), never a trading pair, so such a node is read as
    `prediction` (and is not GC306), as the same simple order is. Unpinned, a
    token id, a `0x` condition id or a Kalshi ticker is neither a slug nor a
    URL, so it is read as `spot` (GC306 then says the router cannot route it);
    so is any symbol pinned to `kalshi`, for which the reference names no such
    normalization. When `activation`
    is missing, graphc reads the node as `root` if no edge leads to it and
    `wait` if one does (what the router's SDK sets). Every other rule then
    checks the node as read, and GC111 says what was assumed. Compiled
    playbooks always carry both fields.

    A lower-case, hyphenated symbol (`will-btc-hit-100k`) on a node with
    neither a type nor a venue may be a bare Polymarket slug, which the router
    normalizes to prediction, or a trading pair written in lower case: graphc
    cannot tell which, checks the node as spot, and the warning says so.

    A simple order (`{"symbol", "side", "qty", "price", "venue"}`) has no
    field for the type. graphc sends it as one node that leaves the type out
    wherever the router reads the symbol as graphc does (a pair as spot, a
    Polymarket URL or `:yes`/`:no` slug as prediction; docs/submitting.md), so
    GC111 says nothing of that. It warns of one case only: a symbol that may
    be a bare Polymarket slug, with no venue, which graphc checks as spot
    while the router may trade a prediction market. Write the `:yes`/`:no`
    slug or the `polymarket.com/event/...` URL, or pin `"venue":
    "polymarket"`; a trading pair written in capitals (`BTC-USD`) is not a
    slug.

    ## Why it matters

    The defaults are easy to get wrong. A prediction-market node without
    `"type": "prediction"` (a Polymarket URL or slug aside) is routed as spot, and the router cannot find the
    venue: the hosted-strategies reference calls this the one non-obvious
    argument. A node meant to wait for a fill but written without `activation`
    still waits only because an edge happens to point at it. Writing the fields
    out makes the graph mean the same thing to the router, to reviewers and to
    graphc.

    ## Failing example

    The hedge node has neither a type nor an activation:

    ```json
    {
      "nodes": [
        {"node_id": "spot", "instrument": {"symbol": "ETH-USD", "type": "spot"}, "side": "buy",
         "order_type": "market", "quantity": {"fixed": {"qty_1e8": 100000000}},
         "execution": {"policy": "sor"}, "activation": "root"},
        {"node_id": "hedge", "instrument": {"symbol": "ETH-USD-PERP", "venue": "hyperliquid"}, "side": "sell",
         "order_type": "market", "quantity": {"fixed": {"qty_1e8": 100000000}},
         "execution": {"policy": "aggressive_chase"}}
      ],
      "edges": [{"edge_id": "e0", "from_node": "spot", "to_node": "hedge", "trigger": "on_full_fill"}],
      "is_sandbox": true
    }
    ```

    ## Fix

    Say what the node trades and when it starts:

    ```json
    {
      "nodes": [
        {"node_id": "spot", "instrument": {"symbol": "ETH-USD", "type": "spot"}, "side": "buy",
         "order_type": "market", "quantity": {"fixed": {"qty_1e8": 100000000}},
         "execution": {"policy": "sor"}, "activation": "root"},
        {"node_id": "hedge", "instrument": {"symbol": "ETH-USD-PERP", "type": "perp", "venue": "hyperliquid"},
         "side": "sell", "order_type": "market", "quantity": {"fixed": {"qty_1e8": 100000000}},
         "execution": {"policy": "aggressive_chase"}, "activation": "wait"}
      ],
      "edges": [{"edge_id": "e0", "from_node": "spot", "to_node": "hedge", "trigger": "on_full_fill"}],
      "is_sandbox": true
    }
    ```
    """
    for node in ctx.nodes:
        if "instrument.type" in node.missing:
            found = _type_left_out(node, ctx.simple)
            if found is not None:
                yield found
        if "activation" in node.missing:
            why = "an edge leads to it" if node.activation == "wait" else "no edge leads to it"
            yield Finding(
                node.at(),
                f"node {node.node_id!r} has no activation: read as {node.activation!r} ({why})",
                f'add "activation": "{node.activation}"',
            )


def _type_left_out(node, simple: bool) -> Finding | None:
    """GC111 for a node without ``instrument.type``, read as the router reads it (graphc.venues.router_type); on a
    simple order (``simple``), only for a symbol that may be a bare Polymarket slug (audit wirelint23 1)."""
    slug = node.type == "spot" and node.venue is None and may_be_polymarket_slug(node.symbol)
    if simple:
        if not slug:
            return None  # the order has no type to write: the router reads its symbol as graphc does
        return Finding(
            node.at("instrument", "symbol"),
            f"{node.symbol!r} may be a Polymarket slug: {SLUG_READING}, so it checks the order as spot",
            'if it is a slug, write its `:yes`/`:no` form or its polymarket.com/event/... URL, or pin "venue": '
            '"polymarket"; write a trading pair in capitals (BTC-USD)',
        )
    if node.type == "prediction":
        pinned = "" if router_normalizes(node.symbol) else ", pinned to polymarket,"  # a Polymarket symbol: rules26 3
        return Finding(
            node.at("instrument"),
            f"node {node.node_id!r} has no instrument.type: the router reads {node.symbol!r}{pinned} as prediction "
            "(it normalizes a Polymarket URL or slug to prediction before routing)",
            'add "type": "prediction" to the instrument',
        )
    if slug:
        return Finding(
            node.at("instrument"),
            f"node {node.node_id!r} has no instrument.type: the router reads it as spot, or as a prediction market "
            f"if {node.symbol!r} is a Polymarket slug ({SLUG_READING}; it checks the node as spot)",
            'add "type": "spot", or "type": "prediction" and "venue": "polymarket" if it is a slug',
        )
    shaped = node.shaped_venue
    note = (
        f"; {node.symbol!r} looks like a {shaped} market, which needs type prediction"
        if shaped and node.venue is None
        else ""
    )
    return Finding(
        node.at("instrument"),
        f"node {node.node_id!r} has no instrument.type: the router reads it as spot{note}",
        'add "type": "spot", "perp" or "prediction" to the instrument',
    )


GC112 = describe(
    "GC112",
    "unreadable-file",
    summary="the file cannot be read, or is not UTF-8 text",
    source="playbook-spec.md §8 (GC112: reported at the first bad byte's line:col, in every output format; the "
    "other files are still linted)",
    demoted="still reported, and `graphc lint` still exits 2 (the file was not checked)",
    suppression=(
        "Whatever the severity, a reported GC112 makes `graphc lint` exit 2: the file was not checked, and the "
        "summary line names it so instead of counting it among the files. "
        "With GC112 off (or `--ignore GC112`) a file graphc could not read still makes it exit 2 and is never "
        "counted as a linted file with no problems: no report lists it among its files (the JSON report names it "
        "under `not_read`, SARIF as an error notification), the summary line names "
        "it (`nothing linted: nope.yaml not found`, or `no problems in 1 file; nope.yaml not found`; `could not "
        "be read` for a file that exists), and stderr says it (`graphc: no such file or directory: PATH`). "
        "A playbook whose `use:` template is not UTF-8 was not checked either: with GC112 off the playbook's report "
        "has a skip saying so, stderr says `graphc: PLAYBOOK uses TEMPLATE, which is not UTF-8 text (GC112, not "
        "reported here), so it was not checked`, and lint exits 2. "
        "Suppression comments cannot apply: `# graphc: ignore[GC112]` and `# graphc: ignore-file[GC112]` are "
        "read from a file's text, and this file has none graphc could read. Fix the encoding instead."
    ),
    docs="""The file cannot be read, or it is not UTF-8 text.

    ## What it checks

    graphc reads every file as UTF-8 (a byte-order mark is allowed). GC112 is
    reported when a file named on the command line, or found in a directory,
    does not exist (a mistyped path: `graphc lint nope.yaml plays/` reports
    `nope.yaml: error GC112 cannot read the file: No such file or directory` and
    lints `plays/`), cannot be opened (permissions, a broken link), is not a
    regular file, or holds bytes that are not UTF-8, most often a file saved by an
    editor in Windows-1252 or Latin-1. (A directory or glob that gives no file is
    not GC112 but a warning; see `--allow-empty`.) A file that is UTF-8 but holds
    a character YAML does not allow (NUL or another control character; a UTF-16
    file saved without its byte-order mark reads so) is GC100 at that character,
    and exits 2 in the same way, named or found (docs/rules/GC100.md).

    `graphc fmt` reports a file it read but cannot write back as GC112 too
    (`p.yaml: error GC112 cannot write the file: Permission denied`: read-only, in
    a folder that takes no new file, a full disk, a file-size limit), leaves the
    file as it was, formats the other files and exits 2 (docs/integrations.md).

    Only regular files are read. A named pipe (FIFO), a socket or a device named
    `*.yaml`, or a symlink to one (`/dev/stdin`, `/dev/zero`), is GC112 `cannot
    read the file: it is a named pipe (FIFO), not a regular file` without being
    opened: reading it could wait for ever or never end. To lint standard input,
    name `-`. In a directory walk a symlink whose target is outside the project
    root is not followed at all (docs/robustness.md, "Reading files").

    A `use:` template that is not UTF-8 is GC112 too, in the template: at its
    first bad byte, with a note `PLAYBOOK:LINE:COL: template used here` at the
    `use:`, as for its other findings; `lint`, `compile`, `graph`, `plan` and
    `submit` of the playbook exit 2. A template that cannot be opened is GC107 at
    the `use:` (docs/templates.md, "Paths").

    The finding points at the first byte that cannot be decoded (its line and
    column) and names it, e.g. `byte 0xE9`. It appears in every output format
    (text, JSON, SARIF, GitHub, JUnit) like any other finding. The other files of
    the run are still linted, and `graphc lint` then exits with status 2
    ("unreadable input", not 1 "findings"), so CI never reads a file it could not
    check as a pass.

    Text given to the Python API (`graphc.lint_text`, `graphc.compile_text`) is
    not read from bytes, but it can hold what no UTF-8 holds: a lone surrogate,
    which is what `errors="surrogateescape"` (and `sys.stdin` under a C locale)
    makes of a byte that is not UTF-8. That is GC112 at the surrogate's line and
    column, naming it and the byte it stands for (`U+DCFF is a lone surrogate,
    which UTF-8 cannot encode (byte 0xFF read with errors='surrogateescape')`),
    never an exception (docs/api.md).

    ## Why it matters

    A playbook graphc cannot read is a playbook nobody checked. Silently skipping it
    would turn "not linted" into "no problems"; stopping the whole run would hide
    the findings of every other file.

    ## Failing example

    Saved as Windows-1252, the `é` in the comment is the single byte 0xE9, which is
    not UTF-8:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    # entrée sur repli
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
    ```

    ## Fix

    Save the file as UTF-8 (in most editors: *Save with Encoding*, or
    `iconv -f cp1252 -t utf-8`), or keep comments in ASCII:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    # entry on a dip
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
    ```
    """,
)

RULES = [
    GC100,
    GC101,
    GC102,
    check_wire_venue_case.rule,
    GC104,
    GC105,
    GC106,
    GC107,
    GC108,
    GC109,
    GC110,
    check_wire_defaults.rule,
    GC112,
]
