"""What the commands share: their options, logging, and errors as one line and an exit code.

Every :class:`~sitesel.errors.SiteselError` becomes one line on stderr and exit code 2;
any other exception is a bug: exit 1, its traceback with ``-v``. ``-v`` shows progress
logs, ``-vv`` debug logs.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from sitesel.errors import SiteselError

log = logging.getLogger("sitesel")

ConfigArg = Annotated[
    Path,
    typer.Argument(
        help="Scoring config (YAML), e.g. configs/leh.yaml.", show_default=False, metavar="CONFIG"
    ),
]
RunDirArg = Annotated[
    Path,
    typer.Argument(help="Output folder of a `sitesel run`.", show_default=False, metavar="RUN_DIR"),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder holding layer files (and receiving downloads)."
        " Default: $SITESEL_DATA_DIR, else ../shared/data if present, else ~/.cache/sitesel/data.",
        show_default=False,
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never download; fail listing missing files.")
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="The language of the page: en (English) or hi (Hindi); default: the run's"
        " map.language.",
        show_default=False,
    ),
]
RefreshOpt = Annotated[
    bool,
    typer.Option(
        "--refresh",
        help="Accept data that changed since the catalog's lock file pinned it: download it"
        " again and rewrite the lock (<catalog>.lock).",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Output folder. Default: out/<config name>/.", show_default=False),
]
MapOpt = Annotated[
    Path | None,
    typer.Option("--map", help="HTML map path. Default: maps/<run name>.html.", show_default=False),
]
VerboseOpt = Annotated[
    int,
    typer.Option("--verbose", "-v", count=True, help="-v: progress; -vv: debug and tracebacks."),
]


def check_language(lang: str | None) -> None:
    """Refuse a ``--lang`` sitesel has no messages for (inside :func:`reported`: one line).

    Raises
    ------
    ConfigError
        Naming the languages there are.
    """
    from sitesel.errors import ConfigError
    from sitesel.language import LANGUAGES

    if lang is not None and lang not in LANGUAGES:
        raise ConfigError(f"--lang: expected one of {', '.join(LANGUAGES)}, found {lang!r}")


def setup_logging(verbose: int) -> None:
    """Show warnings; with ``-v`` progress, with ``-vv`` everything (libraries' too)."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    if verbose < 2:  # third-party chatter (rasterio.merge, osmnx) only when debugging
        for name in ("rasterio", "fiona", "pyogrio", "osmnx", "urllib3", "pooch"):
            logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def _fail(exc: BaseException, verbose: int, code: int) -> NoReturn:
    report_error(exc, verbose)
    raise typer.Exit(code)


def report_error(exc: BaseException, verbose: int) -> None:
    """The one-line error of ``exc`` on stderr (and its traceback with ``-v``)."""
    if verbose >= 1:
        log.error("traceback follows", exc_info=exc)
    message = (
        str(exc)
        if isinstance(exc, SiteselError)
        else (f"internal error ({type(exc).__name__}: {exc}); rerun with -v for the traceback")
    )
    typer.echo(f"sitesel: error: {printable(message)}", err=True)


def printable(message: str) -> str:
    """One line, whatever the data holds: control characters (a newline in a key) escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)


@contextmanager
def reported(verbose: int) -> Iterator[None]:
    """Turn errors into one line and an exit code (2 for bad input, 1 for a bug)."""
    try:
        yield
    except typer.Exit:
        raise
    except SiteselError as exc:
        _fail(exc, verbose, 2)
    except Exception as exc:
        _fail(exc, verbose, 1)


@contextmanager
def stage_display(verbose: int) -> Iterator[Callable[[str], None] | None]:
    """A one-line spinner on stderr naming the running stage, on a terminal only.

    Quiet when stderr is a file or a pipe (CI, logs) and with ``-v`` (the log says it).
    """
    if verbose or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    start = time.perf_counter()
    with Console(stderr=True).status("sitesel: starting") as status:

        def show(stage: str) -> None:
            status.update(
                f"sitesel: {stage.replace('_', ' ')} ({time.perf_counter() - start:.0f} s)"
            )

        yield show


def read_early(config_path: Path) -> None:
    """Report a missing, unreadable or broken config file at once.

    Reading it takes 0.4 s; validating it needs the library, which takes 2 s to import.
    """
    from sitesel.config import read_yaml_mapping

    read_yaml_mapping(config_path)
