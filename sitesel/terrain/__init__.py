"""The terrain engine.

Zonal statistics on DEMs, exact hexagon coverage, a stack of DEMs, slope classes.
"""
