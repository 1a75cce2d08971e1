"""The compare map: two runs' rankings side by side, the rank changes."""
