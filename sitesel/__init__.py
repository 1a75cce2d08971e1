"""sitesel: score and rank candidate sites for manufacturing clusters.

Road-network connectivity, terrain and land parcels (or a generated grid) are combined
into suitability rankings and offline-ready HTML maps. The command line (``sitesel run``)
is one way in; the same work from Python::

    import sitesel
    result = sitesel.run("configs/leh.yaml", data_dir="../shared/data", offline=True)
    result.ranking[["site_id", "suitability", "rank"]].head()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sitesel._version import __version__

if TYPE_CHECKING:
    from sitesel.api import StudyConfig, load_config, read_run, run
    from sitesel.result import Result

__all__ = ["Result", "StudyConfig", "__version__", "load_config", "read_run", "run"]

_API = {"load_config", "read_run", "run", "StudyConfig", "run_and_write", "validate"}


def __getattr__(name: str) -> Any:
    """Import the API on first use, so ``import sitesel`` (and the CLI's help) stays fast."""
    if name in _API:
        from sitesel import api

        return getattr(api, name)
    if name == "Result":
        from sitesel.result import Result

        return Result
    raise AttributeError(f"module 'sitesel' has no attribute {name!r}")
