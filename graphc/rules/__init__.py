"""Rule metadata (registry), the rule pages, and the rule families only lint runs (input, venue, execution,
risk). What a rule is and the graph family (GC2xx), which the local sandbox router runs too, are in the
Compile layer: :mod:`graphc.stages.checks`, :mod:`graphc.stages.graph_rules`."""
