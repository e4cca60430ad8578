"""Evaluations of two regimes: the generator records predikat as the law has since 2022, and
`features.kinerja` places them on the score scale better than fixed midpoints."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from features.contract.validate import load_data
from features.kinerja import on_one_scale
from features.scale import KinerjaScale
from tests.helpers import SEED
from world.kinerja import UNIT_CAPS
from world.writer import generate


@pytest.fixture(scope="module")
def numeric_twin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test world with its numbers kept every year (the same world otherwise)."""
    out = tmp_path_factory.mktemp("numeric") / "cakranegara"
    generate("cakranegara", SEED, out, progress=False, evaluations="numeric")
    return out


def test_from_2022_a_law_world_records_predikat_and_ratings_only(
    world_dir: Path, numeric_twin: Path
) -> None:
    ev = pd.read_csv(world_dir / "evaluations.csv", dtype={"nip": str})
    law = ev["period"] >= 2022
    assert ev.loc[law, "score"].isna().all() and ev.loc[~law, "score"].notna().all()
    assert (
        ev.loc[law, ["predikat", "rating_hasil_kerja", "rating_perilaku_kerja"]].notna().all().all()
    )
    assert ev.loc[~law, ["rating_hasil_kerja", "rating_perilaku_kerja"]].isna().all().all()
    loosest = max(UNIT_CAPS.values(), key=lambda c: c.baik_or_better)
    for _, unit in ev[law].groupby(["unit_id", "period"]):
        if len(unit) > 1:
            good = unit["predikat"].isin(["sangat_baik", "baik"]).mean()
            assert good <= loosest.baik_or_better  # someone is rated below baik
            assert (unit["predikat"] == "sangat_baik").mean() <= max(c.sangat_baik for c in UNIT_CAPS.values())  # fmt: skip
    same = filecmp.dircmp(world_dir, numeric_twin)
    assert same.diff_files == ["evaluations.csv"]  # the same world, truth included
    assert not filecmp.dircmp(world_dir / "truth", numeric_twin / "truth").diff_files


def test_the_latent_scale_beats_midpoints_against_the_numbers(
    world_dir: Path, numeric_twin: Path
) -> None:
    truth = pd.read_csv(numeric_twin / "evaluations.csv", dtype={"nip": str})
    data = load_data(world_dir, "drop")  # as recorded
    fit = {}
    for method in ("latent", "midpoints"):
        placed, _ = on_one_scale(data, method)
        ev = placed.evaluations.merge(truth, on=["nip", "period"], suffixes=("", "_true"))
        ev = ev[ev["period"] >= 2022]
        fit[method] = float(np.corrcoef(ev["score"], ev["score_true"])[0, 1])
    assert fit["latent"] > 0.75 and fit["latent"] > fit["midpoints"] + 0.1, fit


def test_predikat_probabilities_sum_to_one_and_follow_the_score(hr_data: object) -> None:
    scale = hr_data.scale  # type: ignore[attr-defined]
    assert isinstance(scale, KinerjaScale) and scale.method == "latent"
    assert list(scale.cuts) == sorted(scale.cuts, reverse=True)
    point = np.array([60.0, 80.0, 97.0])
    chances = scale.probabilities(point, np.full(3, 4.0))
    np.testing.assert_allclose(chances.sum(axis=1), 1.0)
    assert chances[2, 0] > chances[1, 0] > chances[0, 0]  # sangat baik likelier as the score rises
    assert chances[0, -1] > chances[2, -1]


def test_a_file_of_predikat_only_is_valid_and_a_row_needs_one_or_the_other(
    world_copy: Path,
) -> None:
    from features.contract.validate import validate_directory

    path = world_copy / "evaluations.csv"
    ev = pd.read_csv(path, dtype=str, keep_default_na=False)
    ev.loc[0, ["score", "predikat"]] = ["", ""]
    ev.to_csv(path, index=False)
    report = validate_directory(world_copy)
    assert [(v.row, v.rule) for v in report.violations] == [
        (1, "an evaluation needs a score or a predikat")
    ]
