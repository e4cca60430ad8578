"""The synthetic world: valid, reproducible, and carrying the seed's two examples in its truth."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest

from features import vocab
from features.contract.validate import load_data
from features.data import HRData
from world.presets import MATARAM_STAFF, PRESETS
from world.writer import generate


def _truth(world_dir: Path) -> pd.DataFrame:
    return pd.read_csv(world_dir / vocab.TRUTH_DIR / vocab.EXPECTED_SCORES_FILE, dtype={"nip": str})


def test_generate_same_seed_gives_identical_files(world_dir: Path, tmp_path: Path) -> None:
    from tests.helpers import SEED

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


def test_family_worlds_draw_their_structure_from_the_seed(tmp_path: Path) -> None:
    """`--scenario family`: each seed its own causal structure, written beside the truth;
    the same seed gives the same files; the world is valid under the contract."""
    import json

    from features.contract.validate import load_data
    from world.scenarios import DRAWS, draw_causal

    a, b = tmp_path / "a", tmp_path / "b"
    generate("cakranegara", 101, a, progress=False, scenario="family")
    generate("cakranegara", 101, b, progress=False, scenario="family")
    for rel in (
        "evaluations.csv",
        "assignments.csv",
        "truth/expected_scores.csv",
        "truth/causal.json",
    ):
        assert filecmp.cmp(a / rel, b / rel, shallow=False), rel
    causal = json.loads((a / "truth" / "causal.json").read_text())
    assert causal["scenario"] == "family" and causal["seed"] == 101
    for name, (low, high, _) in DRAWS.items():
        assert causal[name] == 0 or low <= causal[name] <= high, name
    load_data(a)  # a valid contract folder
    structures = {json.dumps(draw_causal(seed).__dict__, sort_keys=True) for seed in range(20)}
    assert len(structures) == 20
    switched_off = sum(draw_causal(seed).knack_sd == 0 for seed in range(200))
    assert 20 < switched_off < 100  # about a quarter of worlds have no hidden knack


def test_the_next_year_replays_the_same_history_and_only_the_executed_moves(tmp_path: Path) -> None:
    from world.presets import PRESETS
    from world.records import World
    from world.scenarios import causal_for

    def world() -> World:
        w = World(PRESETS["cakranegara"], 5, causal_for("family", 5), "numeric")
        w.run(progress=False)
        return w

    before = world().tables()
    current = before["assignments"][before["assignments"]["end_date"].isna()]
    units = before["units"]["unit_id"].tolist()
    moves = {n: units[(units.index(u) + 1) % len(units)] for n, u in zip(current["nip"][:6], current["unit_id"][:6], strict=True)}  # fmt: skip
    played = world()
    assert played.play(moves) == 6
    after = played.tables()
    old = after["evaluations"][after["evaluations"]["period"] <= 2025].reset_index(drop=True)
    pd.testing.assert_frame_equal(old, before["evaluations"].reset_index(drop=True))
    year = after["evaluations"][after["evaluations"]["period"] == 2026].set_index("nip")["unit_id"]
    assert all(year[n] == u for n, u in moves.items())
    changed = after["assignments"]["start_date"].astype(str).str.startswith("2026")
    assert changed.sum() == 6  # nobody else moved
    with pytest.raises(ValueError, match="no such unit"):
        world().play({current["nip"].iloc[0]: "NOWHERE"})


def test_regions_repeat_mataram_and_a_province_can_leave_its_truth_out(tmp_path: Path) -> None:
    """`mataram-x2`, `-x3` and `provinsi` are Mataram's organisation over and over, each
    region's units under their own ids and parents; a world may leave out its truth (a
    province's would be 125 million rows), and is then a valid contract folder as any
    agency's data is."""
    city, province = PRESETS["mataram"].units(), PRESETS["provinsi"].units()
    assert len(province) == 9 * len(city) and PRESETS["provinsi"].n_active == 9 * MATARAM_STAFF
    ids = {u.unit_id for u in province}
    assert len(ids) == len(province)
    assert all(u.parent_unit_id in ids for u in province if u.parent_unit_id)
    assert {u.unit_id for u in province if u.unit_id.endswith("-W9")} == {f"{u.unit_id}-W9" for u in city}  # fmt: skip
    generate("cakranegara", 3, tmp_path / "w", progress=False, truth=False)
    assert not (tmp_path / "w" / vocab.TRUTH_DIR / vocab.EXPECTED_SCORES_FILE).exists()
    assert len(load_data(tmp_path / "w").active_nips()) > 0


def test_the_record_only_truth_differs_from_the_truth_only_in_each_units_leadership(
    world_dir: Path,
) -> None:
    """`record_score` (the benchmark's record-only oracle) is the expected score with the
    unit's leadership as the records can know it: the same shift for everyone in a unit
    (this preset has no hidden knack), not the same for every unit."""
    truth = _truth(world_dir)
    inside = truth[["expected_score", vocab.RECORD_SCORE]].lt(100).all(axis=1)  # not clipped
    truth = truth[inside]
    shift = (truth[vocab.RECORD_SCORE] - truth["expected_score"]).groupby(truth["unit_id"])
    assert (shift.max() - shift.min()).max() <= 0.002  # rounding to 3 decimals only
    assert shift.mean().std() > 0.1


def test_record_leadership_tells_leadership_from_leniency_only_as_far_as_the_marks_do() -> None:
    """The forecast of next year's leadership from past marks (leadership + leniency + the
    year's shock): exact when the marks are leadership alone and it never changes; shrunk
    to leadership's share of the marks' lasting variance when a unit's marks never move;
    and where leadership drifts, recent marks count more than old ones, since leniency lasts
    and leadership does not: a unit marked high long ago and plainly since has its lasting
    leniency in today's plain marks, so its leadership now is below them."""
    import numpy as np

    from world.outcome import Causal
    from world.records import record_leadership

    lasting = np.array([[1.5, -2.0]] * 6)
    exact = Causal(leadership_sd=2.0, leadership_persistence=1.0, leniency_sd=0.0, unit_year_sd=0.0)
    np.testing.assert_allclose(record_leadership(lasting, exact), [1.5, -2.0])
    lenient = Causal(
        leadership_sd=1.0, leadership_persistence=1.0, leniency_sd=3.0, unit_year_sd=0.0
    )
    np.testing.assert_allclose(record_leadership(np.full((5, 1), 3.0), lenient), [0.3])
    drifting = Causal(
        leadership_sd=2.0, leadership_persistence=0.6, leniency_sd=1.0, unit_year_sd=0.5
    )
    rose, fell = np.zeros((6, 2)), np.zeros((6, 2))
    rose[-2:, 0], fell[:2, 1] = 3.0, 3.0  # the same mean mark, late or early
    late, early = record_leadership(rose + fell, drifting)
    assert late > 1.0 and early < 0.0
