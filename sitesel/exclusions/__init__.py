"""What excludes and flags land: thresholds, setbacks, rule packs, land layers, scheme rules."""
