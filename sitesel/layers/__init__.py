"""Layer loaders: one module per source kind, all returning data in the working CRS."""
