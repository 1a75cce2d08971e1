"""The summary picture (summary.png) of a run."""
