"""`--help` says what the code says, in a terminal 80 columns wide: the help is rendered as
Markdown, where text in angle brackets is read as an HTML tag and silently dropped
(`berita-acara-<round>.html` was shown as `berita-acara-.html`), and a word too long for its
column is cut (`score`'s default model was `models:/penataan-placement@cham…`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

from penataan.cli import app

BOX = str.maketrans(dict.fromkeys("│╭╮╰╯─", " "))


def _commands(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, [*path, name])


def test_every_options_help_is_shown_as_written() -> None:
    runner, missing = CliRunner(), []
    for path, command in _commands(typer.main.get_command(app), []):
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"}).output
        flat = " ".join(shown.translate(BOX).split())
        for param in command.params:
            written = " ".join((getattr(param, "help", None) or "").split())
            if written not in flat:
                missing.append(f"{' '.join(path)} --{param.name}: {written}")
    assert not missing, missing
