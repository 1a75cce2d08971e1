"""Exception hierarchy of sitesel.

Every error a user can cause (a bad config, a missing file, a layer without a CRS) is a
:class:`SiteselError`. The CLI turns these into one line and exit code 2. Each subclass
also inherits the closest builtin, so callers may catch either (``ConfigError`` is a
``ValueError``; ``LayerNotFoundError`` is a ``FileNotFoundError``).

Messages say what was expected, what was found and how to fix it.
"""

from __future__ import annotations


class SiteselError(Exception):
    """Root of every error sitesel raises on purpose."""


class ConfigError(SiteselError, ValueError):
    """A scoring config or layer catalog is invalid (unknown key, wrong type, ...)."""


class LayerError(SiteselError, ValueError):
    """A layer's content cannot be used (empty, wrong geometry, missing column)."""


class CrsError(LayerError):
    """A layer has no CRS, or one that cannot be used."""


class EmptyLayerError(LayerError):
    """A layer, or the selection made from it, has no features."""


class CoverageError(LayerError):
    """A raster layer does not cover the study area."""


class DemSizeError(ConfigError):
    """A DEM at the configured resolution would not fit in memory (``dem.max_cells``)."""


class LayerNotFoundError(SiteselError, FileNotFoundError):
    """A layer's file is missing locally and cannot be downloaded."""


class DownloadError(SiteselError, OSError):
    """A download failed, or what it fetched does not match its checksum."""


class ChecksumError(DownloadError):
    """A downloaded file does not match the checksum recorded in the catalog."""


class NoSuitableSiteError(SiteselError):
    """Every candidate site was excluded by a constraint: there is nothing to rank."""


class OutputError(SiteselError, OSError):
    """An output could not be written."""


class SolverError(SiteselError):
    """A location problem has no feasible answer (or none was found within its limits)."""
