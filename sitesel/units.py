"""Unit conversions used across sitesel (areas: schemes count acres, GIS works in m2 and ha)."""

ACRE_HA = 0.40468564224
"""One international acre in hectares."""

M2_PER_HA = 10_000.0
"""Square metres in a hectare."""
