"""The synthetic world: valid, reproducible, and carrying the seed's two examples in its truth."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd

from features import vocab
from features.data import HRData
from world.generate import generate


def _truth(world_dir: Path) -> pd.DataFrame:
    return pd.read_csv(world_dir / vocab.TRUTH_DIR / vocab.EXPECTED_SCORES_FILE, dtype={"nip": str})


def test_generate_same_seed_gives_identical_files(world_dir: Path, tmp_path: Path) -> None:
    from tests.conftest import SEED

    again = tmp_path / "again"
    generate("cakranegara", SEED, again, progress=False)
    files = sorted(p.relative_to(world_dir) for p in world_dir.rglob("*.csv"))
    assert files == sorted(p.relative_to(again) for p in again.rglob("*.csv"))
    for rel in files:
        assert filecmp.cmp(world_dir / rel, again / rel, shallow=False), rel


def test_generate_other_seed_differs(world_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate("cakranegara", 12345, other, progress=False)
    assert not filecmp.cmp(world_dir / "evaluations.csv", other / "evaluations.csv", shallow=False)


def test_small_world_has_expected_shape(hr_data: HRData) -> None:
    active = hr_data.active_nips()
    assert 250 <= len(active) <= 350
    assert 20 <= len(hr_data.units) <= 30
    assert len(hr_data.periods) == 6
    assert set(hr_data.employees["employment_type"]) == {"PNS", "PPPK"}


def test_truth_covers_every_active_employee_in_every_unit(world_dir: Path, hr_data: HRData) -> None:
    truth = _truth(world_dir)
    assert set(truth["nip"]) == set(hr_data.active_nips())
    assert len(truth) == len(hr_data.active_nips()) * len(hr_data.units)


def test_truth_accountants_do_better_in_finance(world_dir: Path, hr_data: HRData) -> None:
    truth = _truth(world_dir).merge(hr_data.units[["unit_id", "domain"]], on="unit_id")
    truth = truth.merge(hr_data.employees[["nip", "education_field"]], on="nip")
    acc = truth[truth["education_field"] == "akuntansi"]
    assert acc["nip"].nunique() >= 3
    per_person = (
        acc.groupby(["nip", acc["domain"] == "keuangan"])["expected_score"].mean().unstack()
    )
    gain = per_person[True] - per_person[False]
    assert (gain > 3).all(), gain.describe()


def test_truth_communicators_gain_more_in_humas(world_dir: Path, hr_data: HRData) -> None:
    comp = hr_data.competencies
    kom = comp[comp["competency"] == "komunikasi"].groupby("nip")["level"].mean()
    truth = _truth(world_dir).merge(hr_data.units[["unit_id", "domain"]], on="unit_id")
    means = truth.groupby(["nip", truth["domain"] == "humas"])["expected_score"].mean().unstack()
    gain = (means[True] - means[False]).rename("gain").to_frame().join(kom, how="inner")
    high = gain.loc[gain["level"] >= 4, "gain"].mean()
    low = gain.loc[gain["level"] <= 2, "gain"].mean()
    assert high > low + 2, (high, low)
