"""Outputs of a run: atomic writing, tables, manifest, and reading a run folder back."""
