"""`penataan score`'s file is written a part at a time and still whole or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from training.scoring import SCORE_COLUMNS, write_table


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


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_parts_written_one_by_one_read_back_as_the_whole(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"scores{suffix}"
    parts = _parts()
    assert write_table(iter(parts), target) == 15
    back = pd.read_csv(target, dtype={"nip": str}) if suffix == ".csv" else pd.read_parquet(target)
    whole = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(back, whole, check_dtype=False)
    if suffix == ".parquet":  # one row group a part with rows: nothing held whole
        assert pq.ParquetFile(target).num_row_groups == 3


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
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


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_nobody_to_score_still_names_the_columns(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"scores{suffix}"
    assert write_table(iter([_parts(1, rows=0)[0]]), target) == 0
    back = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    assert list(back.columns) == SCORE_COLUMNS and back.empty
