"""The command line ends every failure in one line and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from penataan.cli import main


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return int(stop.value.code or 0), err.splitlines()[-1]


def test_errors_are_one_line_with_an_exit_code(
    registry_uri: str, world_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = _fails(["promote", "999"], capsys)
    assert code == 1 and line.startswith("penataan: error:") and "999" in line
    bad = tmp_path / "params.json"
    bad.write_text("{not json")
    code, line = _fails(["train", "--data", str(world_dir), "--config", str(bad)], capsys)
    assert code == 2 and line.startswith(f"--config {bad}")
    bad.write_text('{"num_leaves": 0}')
    code, line = _fails(["train", "--data", str(world_dir), "--config", str(bad)], capsys)
    assert code == 1 and "num_leaves=0" in line
    out = tmp_path / "round"
    code, line = _fails(["plan", "--data", str(world_dir), "--out", str(out), "--as-of", "2099-01-01"], capsys)  # fmt: skip
    assert code == 1 and "outside what the data covers" in line and not out.exists()
    code, _ = _fails(["score", "--data", str(world_dir), "--out", str(tmp_path / "x.txt")], capsys)
    assert code == 2
