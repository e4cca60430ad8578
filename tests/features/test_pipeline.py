"""The feature pipeline: no protected attribute, point-in-time, one path for train and serve."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from features import vocab
from features.data import HRData
from features.definitions import FEATURE_NAMES, FEATURES, label
from features.geo import haversine_km
from features.pipeline import (
    CATEGORY_DTYPES,
    as_model_frame,
    build_features,
    candidate_pairs,
    take_snapshot,
    training_pairs,
)

PROTECTED_HINTS = ("sex", "birth", "age", "religion", "marital", "name", "nip")


def test_protected_attributes_are_never_features() -> None:
    for name in FEATURE_NAMES:
        assert name not in vocab.PROTECTED_COLUMNS
        assert not any(hint in name for hint in PROTECTED_HINTS if hint != "name"), name


def test_protected_attributes_do_not_change_features(hr_data: HRData) -> None:
    pairs = candidate_pairs(hr_data).iloc[:400]
    before = build_features(hr_data, pairs)
    emp = hr_data.employees.copy()
    emp["sex"] = emp["sex"].map({"L": "P", "P": "L"})
    emp["religion"] = "lainnya"
    emp["marital_status"] = None
    emp["name"] = "X"
    emp["birth_date"] = emp["birth_date"] - pd.Timedelta(days=3650)
    after = build_features(dataclasses.replace(hr_data, employees=emp), pairs)
    pd.testing.assert_frame_equal(before, after)


def test_every_feature_has_labels_in_both_languages() -> None:
    for feature in FEATURES:
        assert label(feature.name, "id") and label(feature.name, "en")


DATED = {
    "assignments": "start_date",
    "competencies": "assessed_on",
    "trainings": "completed_on",
    "discipline": "decided_on",
}


def _perturb_future(data: HRData, as_of: pd.Timestamp, rng: np.random.Generator) -> HRData:
    """Change or delete every record dated on or after `as_of`; reveal future end dates."""
    ev = data.evaluations.copy()
    future = ev["period"] >= as_of.year
    ev.loc[future, "score"] = rng.uniform(0, 100, int(future.sum())).round(2)
    ev = ev[~(future & (rng.random(len(ev)) < 0.3))]
    kpi = data.unit_kpis.copy()
    kpi.loc[kpi["period"] >= as_of.year, "ikm"] = 1.0
    changes: dict[str, pd.DataFrame] = {"evaluations": ev, "unit_kpis": kpi}
    for table, column in DATED.items():
        frame = data.table(table).copy()
        later = frame[column] >= as_of
        frame = frame[~(later & (rng.random(len(frame)) < 0.5))]
        if table == "competencies":
            frame.loc[frame[column] >= as_of, "level"] = 5
        if table == "trainings":
            frame.loc[frame[column] >= as_of, "hours"] = 999.0
        if table == "assignments":
            # an end date after as_of is not known yet: moving it must change nothing
            ends = frame["end_date"] >= as_of
            frame.loc[ends, "end_date"] = frame.loc[ends, "end_date"] + pd.Timedelta(days=200)
        changes[table] = frame
    return dataclasses.replace(data, **changes)


@pytest.mark.parametrize("as_of", ["2022-01-01", "2023-06-15", "2026-01-01"])
def test_features_ignore_everything_dated_on_or_after_as_of(hr_data: HRData, as_of: str) -> None:
    t = pd.Timestamp(as_of)
    nips = hr_data.employees.loc[hr_data.employees["service_start"] < t, "nip"].iloc[:60].tolist()
    pairs = candidate_pairs(hr_data, as_of=t, nips=nips)
    before = build_features(hr_data, pairs)
    after = build_features(_perturb_future(hr_data, t, np.random.default_rng(0)), pairs)
    pd.testing.assert_frame_equal(before, after)


def test_features_do_see_the_past(hr_data: HRData) -> None:
    """The guard above is not vacuous: changing a past score changes features."""
    t = pd.Timestamp("2024-01-01")
    pairs = candidate_pairs(hr_data, as_of=t).iloc[:500]
    ev = hr_data.evaluations.copy()
    ev.loc[ev["period"] == 2023, "score"] = 0.0
    changed = build_features(dataclasses.replace(hr_data, evaluations=ev), pairs)
    assert not changed["score_last"].equals(build_features(hr_data, pairs)["score_last"])


def test_training_rows_equal_candidate_rows_for_same_pair(hr_data: HRData) -> None:
    train = build_features(hr_data, training_pairs(hr_data))
    sample = train.sample(40, random_state=1)
    for as_of, group in sample.groupby("as_of"):
        nips = group["nip"].tolist()
        cands = build_features(hr_data, candidate_pairs(hr_data, as_of=as_of, nips=nips))
        merged = group.merge(cands, on=["nip", "unit_id", "as_of"], suffixes=("", "_c"))
        assert len(merged) == len(group)
        for name in FEATURE_NAMES:
            left, right = merged[name], merged[f"{name}_c"]
            if isinstance(left.dtype, pd.CategoricalDtype):
                assert left.astype(object).equals(right.astype(object)), name
            else:
                np.testing.assert_allclose(left, right, equal_nan=True, err_msg=name)


def test_candidate_rows_mark_current_unit_as_stay(hr_data: HRData) -> None:
    rows = build_features(hr_data, candidate_pairs(hr_data))
    per_person = rows.groupby("nip")["is_stay"].sum()
    assert (per_person == 1).all()
    assert len(rows) == len(hr_data.active_nips()) * len(hr_data.units)


@pytest.mark.parametrize("nip", ["000", None], ids=["unknown", "missing"])
def test_unknown_pair_is_refused(hr_data: HRData, nip: str | None) -> None:
    """Among known pairs too: each distinct key is looked up once (`key_positions`), and a
    missing or unknown one must not borrow another key's position."""
    known = candidate_pairs(hr_data).head(3)
    odd = pd.DataFrame({"nip": [nip], "unit_id": [known["unit_id"].iloc[0]], "as_of": known["as_of"].iloc[:1]})  # fmt: skip
    with pytest.raises(KeyError):
        build_features(hr_data, pd.concat([known, odd], ignore_index=True))


def test_the_model_frame_reads_columns_or_a_frame_and_misses_unknown_levels(
    hr_data: HRData,
) -> None:
    """Columns by name give the frame a frame gives; a level the vocabulary does not hold,
    or none, is missing (never a new level, never an error)."""
    rows = build_features(hr_data, candidate_pairs(hr_data).iloc[:50])
    columns = {name: rows[name].to_numpy(dtype=object) for name in FEATURE_NAMES}
    pd.testing.assert_frame_equal(as_model_frame(columns, rows.index), as_model_frame(rows))
    columns["unit_domain"] = columns["unit_domain"].copy()
    columns["unit_domain"][:3] = ["keuangan", "no-such-field", None]
    frame = as_model_frame(columns, rows.index)
    assert frame["unit_domain"].iloc[0] == "keuangan"
    assert frame["unit_domain"].iloc[1:3].isna().all()
    assert list(frame["unit_domain"].cat.categories) == list(
        CATEGORY_DTYPES["unit_domain"].categories
    )


def test_competency_gaps_are_each_pairs_gaps_over_the_units_required(hr_data: HRData) -> None:
    """The gaps are read by expanding each pair into its unit's required competencies
    (`_competency_gaps`); every pair's must be what reading that pair alone gives: the
    assessed level less the required one, over the competencies both name."""
    units = hr_data.units.copy()  # one unit that requires nothing, beside those that do
    units.at[units.index[0], "required_competencies"] = {}
    data = dataclasses.replace(hr_data, units=units)
    as_of = data.default_as_of()
    snap = take_snapshot(data, as_of)
    rows = build_features(data, candidate_pairs(data, as_of=as_of))
    e_rows = snap.employees.index.get_indexer(rows["nip"])
    u_rows = snap.units.index.get_indexer(rows["unit_id"])
    levels = np.concatenate([snap.soft_levels, snap.technical_levels], axis=1)
    seen = {"none required": 0, "none assessed": 0, "some assessed": 0}
    for k in range(len(rows)):
        needs = snap.unit_needs[u_rows[k]]
        required = ~np.isnan(needs)
        gaps = (levels[e_rows[k]] - needs)[required]
        gaps = gaps[~np.isnan(gaps)]
        row = rows.iloc[k]
        if not required.any():
            seen["none required"] += 1
            assert np.isnan(row["comp_assessed_share"]) and np.isnan(row["comp_gap_mean"])
        elif len(gaps) == 0:
            seen["none assessed"] += 1
            assert row["comp_assessed_share"] == 0.0 and np.isnan(row["comp_gap_min"])
        else:
            seen["some assessed"] += 1
            assert row["comp_gap_mean"] == gaps.mean() and row["comp_gap_min"] == gaps.min()
            assert row["comp_assessed_share"] == len(gaps) / required.sum()
    assert min(seen.values()) > 0, seen  # every case met


def test_a_moves_change_of_commute_is_measured_from_the_unit_held(hr_data: HRData) -> None:
    """`commute_change_km`: home to the unit joined less home to the unit held now (each by
    hand here); missing for someone who holds no unit, whatever the unit joined."""
    snap = take_snapshot(hr_data, hr_data.default_as_of())
    holds = snap.employees["current_unit"].notna()
    with_unit = snap.employees.index[holds][:3]
    without = snap.employees.index[~holds][:2]
    assert len(with_unit) == 3 and len(without) == 2  # the fixture has both
    units = hr_data.units.set_index("unit_id")
    pairs = pd.DataFrame({
        "nip": np.repeat([*with_unit, *without], 4),
        "unit_id": np.tile(units.index[:4], 5),
        "as_of": snap.as_of,
    })  # fmt: skip
    rows = build_features(hr_data, pairs)
    home = hr_data.employees.set_index("nip")[["home_latitude", "home_longitude"]]

    def km(nip: str, unit: str) -> float:
        return float(haversine_km(*home.loc[nip].to_numpy(dtype=float),
                                  *units.loc[unit, ["latitude", "longitude"]].to_numpy(dtype=float)))  # fmt: skip

    for row in rows.itertuples():
        if row.nip in without:
            assert np.isnan(row.commute_change_km)
        else:
            held = snap.employees.loc[row.nip, "current_unit"]
            expected = km(row.nip, row.unit_id) - km(row.nip, held)
            assert row.commute_change_km == pytest.approx(expected, abs=1e-9)
