"""Location-allocation: the four location problems, their exact (HiGHS) and heuristic solvers."""
