"""The Typer app every command module registers with."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="sitesel",
    help="Score and rank candidate sites for manufacturing clusters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no boxes, no "<bool>" after every flag
)
