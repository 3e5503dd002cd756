"""Rule metadata (registry) and the rule families that check compiled graphs."""
