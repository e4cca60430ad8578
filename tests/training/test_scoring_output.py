"""`penataan score`'s file is written a part at a time and still whole or not at all."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from training.scoring import SCORE_COLUMNS, write_table


def _read(target: Path) -> pd.DataFrame:
    if target.suffix.lower() == ".csv":
        return pd.read_csv(target, dtype={"nip": str})
    if target.suffix.lower() == ".xlsx":  # text stays text: a NIP keeps its leading zeros
        return pd.read_excel(target, dtype={"nip": str})
    return pd.read_parquet(target)


def _parts(n: int = 4, rows: int = 5) -> list[pd.DataFrame]:
    rng = np.random.default_rng(0)
    out = []
    for k in range(n):
        size = 0 if k == 1 else rows  # an empty part in between
        out.append(
            pd.DataFrame(
                {
                    "nip": [f"{k:02d}{i:02d}" for i in range(size)],
                    "unit_id": ["U1"] * size,
                    **{c: rng.normal(size=size) for c in SCORE_COLUMNS[2:9]},
                    "is_current": np.zeros(size, bool),
                    "suggested": np.ones(size, bool),
                    "rank": np.arange(1, size + 1),
                    "pilot": np.zeros(size, bool),
                }
            )[SCORE_COLUMNS]
        )
    return out


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx", ".CSV", ".XLSX"])
def test_parts_written_one_by_one_read_back_as_the_whole(tmp_path: Path, suffix: str) -> None:
    """`SKOR.XLSX`, as Windows users name files, was refused: the kind is the name's, any case."""
    target = tmp_path / f"scores{suffix}"
    parts = _parts()
    assert write_table(iter(parts), target) == 15
    back = _read(target)
    whole = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(back, whole, check_dtype=False)
    if suffix == ".parquet":  # one row group a part with rows: nothing held whole
        assert pq.ParquetFile(target).num_row_groups == 3


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_a_failure_between_parts_leaves_the_previous_file(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"scores{suffix}"
    write_table(_parts(1), target)
    before = target.read_bytes()

    def failing() -> Iterator[pd.DataFrame]:
        yield _parts(1)[0]
        raise MemoryError("the second part did not fit")

    with pytest.raises(MemoryError):
        write_table(failing(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no part file left


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_nobody_to_score_still_names_the_columns(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"scores{suffix}"
    assert write_table(iter([_parts(1, rows=0)[0]]), target) == 0
    back = _read(target)
    assert list(back.columns) == SCORE_COLUMNS and back.empty


def test_a_workbook_holds_text_as_text_whatever_it_holds(tmp_path: Path) -> None:
    """A cell that begins with `=` stays text (no formula runs), and a control character a
    worksheet cannot hold (a vertical tab pasted into a name) is left out, not the file."""
    import openpyxl

    from features.spreadsheet import write_workbook

    target = tmp_path / "moves.xlsx"
    write_workbook(pd.DataFrame({"reasons": ["=HYPERLINK(\"http://x\")", "Dinas\x0bKesehatan"], "gain": [1.5, np.nan]}), target, "t")  # fmt: skip
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells == [["reasons", "gain"], ['=HYPERLINK("http://x")', 1.5], ["DinasKesehatan", None]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_a_workbook_past_a_sheets_rows_is_refused_and_the_previous_file_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--all-units` on a city is 1.5M rows, more than a worksheet's 1,048,576: refused with
    what to write instead, before anything replaces the file."""
    target = tmp_path / "scores.xlsx"
    write_table(_parts(1), target)
    before = target.read_bytes()
    monkeypatch.setattr("features.spreadsheet.SHEET_ROWS", 10)
    with pytest.raises(ValueError, match="rows a worksheet holds: write .csv or .parquet"):
        write_table(iter(_parts()), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_the_parts_a_killed_scorer_left_are_swept_and_nobody_elses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scorer killed between its passes (SIGKILL runs no cleanup) leaves its parts'
    folder: the next scorer removes it once it is stale, and never a live process's folder,
    a fresh one, or a folder not named as ours; a scorer reading its parts back (its second
    pass writes nothing there) keeps its folder fresh."""
    import os
    import signal
    import subprocess
    import sys

    from training.scoring import SPILL_PREFIX, sweep_stale_parts

    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; import numpy as np; from training.scoring import SpilledParts\n"
         "parts = SpilledParts(); parts.append((None, np.arange(3)))\n"
         "print(parts.folder, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    assert child.stdout is not None
    left = Path(child.stdout.readline().strip())
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert left.is_dir() and left.name.startswith(f"{SPILL_PREFIX}{child.pid}-")
    assert sweep_stale_parts(tmp_path) == 0  # just written: perhaps another machine's scorer
    live = tmp_path / f"{SPILL_PREFIX}{os.getpid()}-live"
    other = tmp_path / "penataan-parts-notapid-x"
    for folder in (live, other):
        folder.mkdir()
    hour_ago = time.time() - 3700
    for folder in (left, live, other):
        os.utime(folder, (hour_ago, hour_ago))
    assert sweep_stale_parts(tmp_path) == 1
    assert not left.exists() and live.is_dir() and other.is_dir()

    import tempfile

    from training.scoring import SpilledParts

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parts = SpilledParts()
    parts.append((None, np.arange(3)))  # type: ignore[arg-type]
    assert parts.folder is not None
    os.utime(parts.folder, (hour_ago, hour_ago))
    assert len(list(parts)) == 1 and time.time() - parts.folder.stat().st_mtime < 60
