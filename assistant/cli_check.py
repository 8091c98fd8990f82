"""`assistant check`: placeholder until the checker lands (issue 4)."""

import typer


def register(app: typer.Typer) -> None:
    """Add the `check` command to the CLI."""
