"""Data: find or fetch catalog layers, and read them (vector, CSV, OSM, DEM) in one CRS."""
