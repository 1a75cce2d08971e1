"""The modules a registry reads: every module of its package, then the plug-ins' modules.

A plug-in package names its modules under an entry-point group (``sitesel.criteria``,
``sitesel.aggregations``, ``sitesel.outputs``); importing them is what registers them.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
from importlib import metadata
from types import ModuleType

log = logging.getLogger(__name__)


def registry_modules(
    package: str, group: str, skip: frozenset[str] = frozenset()
) -> list[ModuleType]:
    """The modules of ``package`` (but ``skip``), then each entry point's of ``group``.

    An entry point names a module, or an object whose module is taken.
    """
    found = importlib.import_module(package)
    modules = [
        importlib.import_module(f"{package}.{info.name}")
        for info in pkgutil.iter_modules(found.__path__)
        if info.name not in skip
    ]
    for entry in metadata.entry_points(group=group):
        log.debug("plug-in %s from %s (%s)", entry.name, entry.value, group)
        loaded = entry.load()
        modules.append(loaded if isinstance(loaded, ModuleType) else sys.modules[loaded.__module__])
    return modules
