"""Multi-criteria decision analysis.

Value functions, weights (direct, AHP, BWM, objective), aggregation methods, robustness,
SMAA, the comparison of two rankings and contiguous regions of good sites.
"""
