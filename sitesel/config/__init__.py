"""Scoring configs, layer catalogs and scheme files: pydantic models read once, at the edge.

Nothing here computes: the models validate YAML and hand plain, typed values on.
"""
