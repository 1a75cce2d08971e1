"""Decision support: value functions, weights, aggregation, constraints, robustness, regions."""
