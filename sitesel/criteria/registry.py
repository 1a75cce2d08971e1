"""The criterion registry: every criterion family, built in or from a plug-in package.

A family is one module: a spec model (a :class:`~sitesel.config.CriterionSpec` with a
``kind`` literal and its own keys), registered with :func:`criterion` on its compute
function, which turns a spec and a :class:`~sitesel.criteria.context.CriterionContext`
into raw values. The built-in families are the modules of :mod:`sitesel.criteria`;
other packages add theirs through the entry-point group ``sitesel.criteria`` (each entry
point names a module, imported to register its families).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sitesel._plugins import registry_modules
from sitesel._typing import FloatArray
from sitesel.config import CriterionSpec
from sitesel.config.criteria import selections
from sitesel.criteria.context import CriterionContext, CriterionValues

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sitesel.criteria"
SpecT = TypeVar("SpecT", bound=CriterionSpec)


Summary = Callable[[FloatArray], str]
"""A family's line in the run's summary: its ranked sites' values in words."""


@dataclass(frozen=True)
class CriterionFamily(Generic[SpecT]):
    """One kind of criterion: its spec model, unit, label and compute function.

    ``summary``, when a family gives one, says its ranked sites' values in the run's
    summary (the cost criterion: their range in crore).
    """

    spec: type[SpecT]
    compute: Callable[[SpecT, str, CriterionContext], CriterionValues]
    unit: str | Callable[[SpecT], str]
    label: str
    summary: Summary | None = None

    @property
    def kind(self) -> str:
        """The ``kind:`` that selects this family in YAML."""
        return self.spec.kind_name()

    def unit_of(self, spec: SpecT) -> str:
        """Unit of the raw values a spec of this family gives."""
        return self.unit if isinstance(self.unit, str) else self.unit(spec)


_FAMILIES: dict[str, CriterionFamily[Any]] = {}
_loaded = False
_TAG = "__sitesel_criterion_family__"


def criterion(
    spec: type[SpecT],
    *,
    unit: str | Callable[[SpecT], str],
    label: str,
    summary: Summary | None = None,
) -> Callable[
    [Callable[[SpecT, str, CriterionContext], CriterionValues]],
    Callable[[SpecT, str, CriterionContext], CriterionValues],
]:
    """Register the decorated function as the compute function of a criterion family.

    Parameters
    ----------
    spec
        The family's spec model; its ``kind`` literal must not be taken by another family.
    unit
        Unit of the raw values, or a function of the spec giving it.
    label
        A short readable name of the family ("Travel time").
    summary
        Its ranked sites' values in words, for the run's summary (None: no line).

    Raises
    ------
    ValueError
        If another spec model already registered the same kind.
    """

    def register(
        compute: Callable[[SpecT, str, CriterionContext], CriterionValues],
    ) -> Callable[[SpecT, str, CriterionContext], CriterionValues]:
        kind = spec.kind_name()
        known = _FAMILIES.get(kind)
        if known is not None and known.spec.__qualname__ != spec.__qualname__:
            raise ValueError(
                f"criterion kind {kind!r} is registered twice ({known.spec.__module__}"
                f".{known.spec.__qualname__} and {spec.__module__}.{spec.__qualname__})"
            )
        family = CriterionFamily(spec=spec, compute=compute, unit=unit, label=label,
                                 summary=summary)  # fmt: skip
        _FAMILIES[kind] = family
        setattr(compute, _TAG, family)  # found again by _load, whatever was imported when
        return compute

    return register


def _load() -> None:
    """Import the built-in family modules and the plug-ins' entry points, once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in registry_modules(
        "sitesel.criteria", ENTRY_POINT_GROUP
    ):  # modules imported before a reset registered then, not now
        for value in vars(module).values():
            family = getattr(value, _TAG, None)
            if isinstance(family, CriterionFamily):
                _FAMILIES.setdefault(family.kind, family)


def forget(kind: str) -> None:
    """Remove a registered family: a session trying one out (a notebook, a test) ends.

    Raises
    ------
    KeyError
        If no family has that kind.
    """
    _load()
    family = _FAMILIES.pop(kind)
    if getattr(family.compute, _TAG, None) is family:
        delattr(family.compute, _TAG)  # or _load would find it again


def families() -> dict[str, CriterionFamily[Any]]:
    """Every registered criterion family, by kind."""
    _load()
    return dict(_FAMILIES)


def spec_models() -> tuple[type[CriterionSpec], ...]:
    """The spec model of every registered family (what a config's criteria may be)."""
    return tuple(family.spec for _, family in sorted(families().items()))


def family_of(spec: CriterionSpec) -> CriterionFamily[Any]:
    """The family a criterion spec belongs to."""
    return families()[spec.kind_name()]


UNIT_SYMBOLS = {"deg": "\u00b0"}


def _target_words(spec: CriterionSpec) -> str:
    """The target of a criterion in words: a place's name, a selected value, a layer."""
    for sel in selections(spec).values():
        if sel.place:
            return sel.place
        values = [v for v in sel.where.values() if not isinstance(v, list)]
        if len(values) == 1:
            return str(values[0])
        return sel.layer.replace("_", " ")
    return ""


def criterion_label(spec: CriterionSpec) -> str:
    """The criterion's ``label:``, or one made from its family, target and unit.

    >>> from sitesel.config import Selection
    >>> spec = families()["travel_time"].spec(kind="travel_time", to=Selection(place="Leh"))
    >>> criterion_label(spec)
    'Travel time to Leh (min)'
    """
    if spec.label:
        return spec.label
    family = family_of(spec)
    target = _target_words(spec)
    unit = family.unit_of(spec)
    words = family.label + (f" to {target}" if target else "")
    stat = getattr(spec, "stat", None)
    if isinstance(stat, str):
        words += f", {stat}"
    return f"{words} ({UNIT_SYMBOLS.get(unit, unit)})" if unit else words
