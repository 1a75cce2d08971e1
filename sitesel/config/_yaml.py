"""Turn YAML files into validated pydantic models, with errors a planner can act on.

Shared by the scoring config (:mod:`sitesel.config.scoring`) and the layer catalog
(:mod:`sitesel.config.catalog`): both are read once, at the edge, and every problem found is
reported in one :class:`~sitesel.errors.ConfigError` whose message names the file, the
key, what was expected and what was found.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sitesel.config._messages import expected as expected_words
from sitesel.errors import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)


MAX_YAML_BYTES = 1_000_000
"""Largest config or catalog read (a real one is a few kB)."""

MAX_YAML_VALUES = 100_000
"""Most values a document may expand to once its aliases are followed."""


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it (five times faster), else PyYAML's own."""


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader, refusing a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                first = seen[key].start_mark.line + 1
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} is given twice (first at line {first}); keep one",
                    key_node.start_mark,
                )
            if isinstance(key, str | int | float | bool):
                seen[key] = key_node
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _expanded_size(data: Any, limit: int) -> int:
    """How many values ``data`` holds with aliases expanded, counting no further than ``limit``."""
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ConfigError(f"{path}: is a directory, not a YAML file; check the path")
        if size > MAX_YAML_BYTES:
            raise ConfigError(
                f"{path}: {size:,} bytes, more than the {MAX_YAML_BYTES:,} a config or catalog"
                " may have; check that this is the right file"
            )
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found; check the path") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None


def _parse(text: str, path: Path) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a config") from None


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping at its top level.

    Files over :data:`MAX_YAML_BYTES`, keys given twice and documents whose aliases expand
    to more than :data:`MAX_YAML_VALUES` values are refused (a few kB of YAML can otherwise
    expand to billions of values).

    Raises
    ------
    ConfigError
        If the file is missing, too large, not UTF-8, not valid YAML or not a mapping.
    """
    data = _parse(_read_text(path), path)
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ConfigError(f"{path}: expected a mapping of keys at the top level, found {found}")
    if _expanded_size(data, MAX_YAML_VALUES) > MAX_YAML_VALUES:
        raise ConfigError(
            f"{path}: expands to more than {MAX_YAML_VALUES:,} values once its aliases (*name)"
            " are followed; write the values out instead of nesting aliases"
        )
    return data


def _child(node: Any, item: int | str) -> tuple[bool, Any]:
    """Whether ``item`` is a key (or index) of ``node``, and the value there."""
    if isinstance(node, dict) and item in node:
        return True, node[item]
    if isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
        return True, node[item]
    return False, None


_TYPE_LABEL = re.compile(
    r"^(constrained-)?(float|int|str|bool|bytes|list|dict|tuple|set|frozenset|none|decimal|"
    r"function-(after|before|wrap|plain)|json-or-python|lax-or-strict|nullable|union|chain|"
    r"tagged-union|literal|enum|url|date|datetime|path)(\[.*\])?$"
)
"""What pydantic calls the members of a union in an error's location (not YAML keys)."""


def _member(loc: tuple[int | str, ...], data: Any) -> str | None:
    """The tagged-union member an error's location passes through (``owa``), if any."""
    node, member = data, None
    for item in loc[:-1]:
        found, child = _child(node, item)
        if found:
            node = child
        elif isinstance(item, str) and not _TYPE_LABEL.match(item) and isinstance(node, dict):
            member = item
    return member


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic location as ``a.b[0].c``.

    Labels pydantic adds for tagged unions (``slope``, ``function-after[...]``) are left
    out: they are not keys of the input. The last item is always kept (it may name a
    key missing from the input).
    """
    parts: list[str] = []
    node = data
    for pos, item in enumerate(loc):
        found, child = _child(node, item)
        below_scalar = node is not None and not isinstance(node, dict | list)
        if isinstance(item, str) and not found and _TYPE_LABEL.match(item):
            continue  # a union member's label (``constrained-float``, ``dict[str,int]``)
        if not (found or below_scalar or pos == len(loc) - 1):
            continue  # a union label, not part of the YAML
        if found:
            node = child
        parts.append(f"[{item}]" if isinstance(item, int) else ("." if parts else "") + item)
    return "".join(parts) or "(top level)"


def _shorten(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_validation_error(path: Path, exc: ValidationError, data: Any) -> str:
    """Render every problem of a pydantic error on one line.

    Parameters
    ----------
    path
        The file the data came from, named first in the message.
    exc
        The validation error.
    data
        The data that was validated, to tell YAML keys from pydantic's union labels.

    Returns
    -------
    str
        ``"<file>: <key>: <what was expected>, found <value>; <key>: ..."``
    """
    problems = []
    for err in exc.errors(include_url=False):
        key = _location(tuple(err["loc"]), data)
        kind = err["type"]
        if kind == "extra_forbidden":
            member = _member(tuple(err["loc"]), data)
            whose = f" of {member}" if member else ""
            problems.append(
                f"{key}: unknown key{whose} (check its spelling; `sitesel schema` lists keys)"
            )
        elif kind == "missing":
            problems.append(f"{key}: required key is missing")
        elif kind in {"union_tag_invalid", "union_tag_not_found"}:
            ctx = err.get("ctx", {})
            field = str(ctx.get("discriminator", "")).strip("'")
            expected = ctx.get("expected_tags", "")
            found = _shorten(ctx.get("tag")) if kind == "union_tag_invalid" else "nothing"
            problems.append(f"{key}.{field}: expected one of {expected}, found {found}")
        elif isinstance(err.get("input"), dict):  # a whole section: its rule says what is wrong
            msg = expected_words(dict(err))
            problems.append(msg if key == "(top level)" else f"{key}: {msg}")
        else:
            found = _shorten(err.get("input"))
            merged = f"{key}: expected "
            earlier = next(
                (i for i, p in enumerate(problems) if p.startswith(merged) and
                 p.endswith(f", found {found}")), None,
            )  # fmt: skip
            words = expected_words(dict(err))
            if earlier is not None and words.startswith("expected "):  # two members of a union
                problems[earlier] = (
                    problems[earlier].removesuffix(f", found {found}")
                    + f" or {words.removeprefix('expected ')}, found {found}"
                )
            else:
                problems.append(f"{key}: {words}, found {found}")
    return f"{path}: " + "; ".join(problems)


def validate_mapping(model: type[ModelT], data: dict[str, Any], path: Path) -> ModelT:
    """Validate ``data`` against ``model``, raising one :class:`ConfigError` on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc, data)) from None
