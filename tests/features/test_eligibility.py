"""Each eligibility rule blocks exactly the moves it should, and never blocks staying put."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from features.contract.validate import load_data
from features.data import HRData
from features.eligibility import RULES, broken_rules, eligibility_mask
from features.pipeline import build_features, candidate_pairs
from features.settings import EligibilitySettings


def _mask(data: HRData, settings: EligibilitySettings | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    rows = build_features(data, candidate_pairs(data))
    return rows, eligibility_mask(data, rows, settings or EligibilitySettings())


def test_staying_is_never_blocked_and_every_rule_has_a_reference(hr_data: HRData) -> None:
    rows, mask = _mask(hr_data)
    assert list(mask.columns) == list(RULES)
    assert not mask[rows["is_stay"].to_numpy() == 1].any().any()
    assert all(rule.reference and rule.text_id and rule.text_en for rule in RULES.values())


def test_minimum_tenure_and_formasi(hr_data: HRData) -> None:
    rows, mask = _mask(hr_data)
    move = rows["is_stay"] == 0
    assert (mask["min_tenure"] == (move & (rows["tenure_current"] < 2.0))).all()
    assert (mask["formasi_full"] == (move & (rows["unit_fill"] >= 1.0))).all()
    _, looser = _mask(hr_data, EligibilitySettings(min_tenure_years=0.5))
    assert looser["min_tenure"].sum() < mask["min_tenure"].sum()


def test_heavy_sanction_blocks_moves_for_twelve_months(world_copy: Path) -> None:
    data = load_data(world_copy)
    nip = str(data.active_nips().iloc[0])
    as_of = data.default_as_of()
    recent = (as_of - pd.DateOffset(months=3)).date().isoformat()
    with (world_copy / "discipline.csv").open("a") as f:
        f.write(f"{nip},{recent},berat\n")
    rows, mask = _mask(load_data(world_copy))
    mine = rows["nip"] == nip
    assert mask.loc[mine & (rows["is_stay"] == 0), "heavy_sanction"].all()
    assert not mask.loc[~mine, "heavy_sanction"].any()


def test_education_level_for_the_position_type(world_copy: Path) -> None:
    rows, _ = _mask(load_data(world_copy))
    managers = rows.loc[rows["position_type"].astype(str) == "administrator", "nip"]
    assert len(managers), "the small world has administrators"
    nip = str(managers.iloc[0])
    employees = pd.read_csv(world_copy / "employees.csv", dtype=str, keep_default_na=False)
    employees.loc[employees["nip"] == nip, ["education_level", "education_field"]] = ["SMA", "umum"]
    employees.to_csv(world_copy / "employees.csv", index=False)
    rows, mask = _mask(load_data(world_copy))
    mine = rows["nip"] == nip
    assert mask.loc[mine & (rows["is_stay"] == 0), "education_level"].all()
    codes = broken_rules(mask[mine & (rows["is_stay"] == 0)].to_numpy()[0])
    assert "education_level" in codes


def test_nobody_within_a_year_of_bup_is_moved(world_copy: Path) -> None:
    """BUP by position: 58, 60 for JPT and ahli madya, 65 for ahli utama (read from the
    title); a move is blocked when the employee reaches it within a year of the round."""
    data = load_data(world_copy)
    rows, mask = _mask(data)
    as_of = data.default_as_of()
    age = (as_of - rows["nip"].map(data.employees.set_index("nip")["birth_date"])).dt.days / 365.25
    jpt = rows["position_type"].astype(str) == "jpt"
    move = rows["is_stay"] == 0
    expected = move & (age + 1.0 >= jpt.map({True: 60.0, False: 58.0}))
    assert expected.any(), "the small world has someone within a year of BUP"
    assert (mask["retiring"] == expected).all()
    nip = str(rows.loc[expected & ~jpt, "nip"].iloc[0])
    asg = pd.read_csv(world_copy / "assignments.csv", dtype=str, keep_default_na=False)
    open_row = (asg["nip"] == nip) & (asg["end_date"] == "")
    asg.loc[open_row, ["position_type", "position_title"]] = ["fungsional", "Pranata Ahli Utama"]
    asg.to_csv(world_copy / "assignments.csv", index=False)
    rows, mask = _mask(load_data(world_copy))
    assert not mask.loc[rows["nip"] == nip, "retiring"].any()  # ahli utama: BUP 65


def test_a_world_without_heavy_sanctions_is_no_special_case(world_copy: Path) -> None:
    """No berat sanction at all used to crash the mask (an empty lookup of dates)."""
    path = world_copy / "discipline.csv"
    sanctions = pd.read_csv(path, dtype=str, keep_default_na=False)
    sanctions[sanctions["severity"] != "berat"].to_csv(path, index=False)
    _, mask = _mask(load_data(world_copy))
    assert not mask["heavy_sanction"].any()


def test_no_discipline_records_block_nobody_for_a_sanction(hr_data: HRData) -> None:
    """An agency whose export has no discipline table (an empty frame, untyped) is checked
    like one whose staff has no heavy sanction, and a staff checked in parts with the
    readings of every assignment taken once gets the rules it gets whole."""
    import dataclasses

    from features.eligibility import StaffReadings

    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in hr_data.discipline.columns})
    bare = dataclasses.replace(hr_data, discipline=empty)
    rows, mask = _mask(bare)
    assert not mask["heavy_sanction"].any()
    readings = StaffReadings.read(bare, EligibilitySettings(), bare.default_as_of())
    pd.testing.assert_frame_equal(eligibility_mask(bare, rows, EligibilitySettings(), readings), mask)  # fmt: skip


def _kinds(data: HRData, rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per candidate row: the kind of unit the employee is in, and the kind of the row's unit."""
    kind = data.units.set_index("unit_id")["unit_kind"]
    here = rows.loc[rows["is_stay"] == 1].set_index("nip")["unit_id"].map(kind)
    return rows["nip"].map(here), rows["unit_id"].map(kind)


def test_a_move_between_kinds_of_unit_no_past_transfer_made_is_never_allowed(
    hr_data: HRData,
) -> None:
    """In the small world teachers have only ever moved between schools: a teacher's move to
    a kelurahan has no precedent, to another school it has; a rule of evidence, so 0 past
    transfers needed turns it off."""
    from features.eligibility import transfer_precedents

    rows, mask = _mask(hr_data)
    precedents = transfer_precedents(hr_data, hr_data.default_as_of())
    assert precedents.loc["sekolah", "kelurahan"] == 0 and precedents.loc["sekolah", "sekolah"] > 0
    left, joined = _kinds(hr_data, rows)
    move = rows["is_stay"] == 0
    teacher = move & (left == "sekolah")
    assert mask.loc[teacher & (joined == "kelurahan"), "no_precedent"].all()
    assert not mask.loc[teacher & (joined == "sekolah"), "no_precedent"].any()
    counts = [precedents.loc[a, b] for a, b in zip(left, joined, strict=True)]
    assert (mask["no_precedent"] == (move & (pd.Series(counts, index=rows.index) == 0))).all()
    _, off = _mask(hr_data, EligibilitySettings(min_precedent_moves=0))
    assert not off["no_precedent"].any()


def test_one_past_transfer_is_a_precedent_from_the_day_it_began(world_copy: Path) -> None:
    """An employee whose first post is made a school's, before the kelurahan they moved to:
    from the day of that move, teachers may move to a kelurahan; before it, not."""
    from features.eligibility import transfer_precedents

    data = load_data(world_copy)
    kind = data.units.set_index("unit_id")["unit_kind"]
    asg = pd.read_csv(world_copy / "assignments.csv", dtype=str, keep_default_na=False)
    asg = asg.sort_values(["nip", "start_date"], kind="stable")
    second = asg.groupby("nip").nth(1)
    nip = str(second.loc[second["unit_id"].map(kind) == "kelurahan", "nip"].iloc[0])
    first = asg.index[asg["nip"] == nip][0]
    moved_on = pd.Timestamp(asg.loc[asg["nip"] == nip, "start_date"].iloc[1])
    asg.loc[first, "unit_id"] = str(data.units.loc[data.units["unit_kind"] == "sekolah", "unit_id"].iloc[0])  # fmt: skip
    asg.to_csv(world_copy / "assignments.csv", index=False)
    data = load_data(world_copy)
    assert transfer_precedents(data, moved_on + pd.Timedelta(days=1)).loc["sekolah", "kelurahan"] == 1  # fmt: skip
    assert transfer_precedents(data, moved_on).loc["sekolah", "kelurahan"] == 0
    rows, mask = _mask(data)
    left, joined = _kinds(data, rows)
    assert not mask.loc[(left == "sekolah") & (joined == "kelurahan"), "no_precedent"].any()
