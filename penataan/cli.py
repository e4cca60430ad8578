"""The `penataan` command line: one typer app, each pipeline step a command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from features.validate import validate_directory

app = typer.Typer(
    help="Penataan: placement suggestions for ASN. Advises; people (Baperjakat, the PPK) decide.",
    no_args_is_help=True,
    add_completion=False,
)


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def validate(
    directory: Annotated[Path, typer.Argument(help="A data directory following the contract.")],
) -> None:
    """Check a data directory against the contract; list every violation (exit 1) or summarise."""
    report = validate_directory(directory)
    for warning in report.warnings:
        _echo_err(f"warning: {warning}")
    if report.data is None:
        for violation in report.violations:
            typer.echo(str(violation))
        _echo_err(f"{len(report.violations)} violation(s): {directory} breaks the data contract")
        raise typer.Exit(1)
    data = report.data
    typer.echo(f"{directory}: valid")
    for name, count in data.row_counts().items():
        typer.echo(f"  {name:<13} {count:>8} rows")
    periods = data.periods
    typer.echo(f"  periods       {periods[0]}-{periods[-1]} ({len(periods)} years)")


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Directory to write the world to.")],
    preset: Annotated[
        str, typer.Option(help="mataram (about 5,500 ASN) or cakranegara (small).")
    ] = "mataram",
    seed: Annotated[int, typer.Option(help="The same seed gives byte-identical files.")] = 7,
) -> None:
    """Generate a synthetic HR world with its ground truth (truth/expected_scores.csv)."""
    from world.generate import PRESETS
    from world.generate import generate as run

    if preset not in PRESETS:
        _echo_err(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        raise typer.Exit(2)
    counts = run(preset, seed, out)
    typer.echo(f"wrote {out} ({', '.join(f'{k} {v}' for k, v in counts.items())})")
