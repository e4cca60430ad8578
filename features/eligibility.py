"""Who may be moved where: the rules a suggestion must keep, each with its regulation.

Shared by `penataan score`, the API and the planner so that one rule means one thing.
Thresholds are settings (PENATAAN_ prefix); the references come from the domain brief.
One rule is of evidence rather than of law: a move between two kinds of unit that no past
transfer of the agency made (a teacher from a school to an office, where teachers have only
ever moved between schools) is one the records cannot speak for, so it is never suggested
(`no_precedent`, `transfer_precedents`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from features.data import HRData
from features.pipeline import EDUCATION_RANK, key_positions
from features.settings import EligibilitySettings


@dataclass(frozen=True)
class Rule:
    code: str
    reference: str
    text_id: str
    text_en: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "not_active",
            "UU 20/2023; PP 11/2017",
            "Pegawai tidak berstatus aktif",
            "The employee is not active",
        ),
        Rule(
            "min_tenure",
            "PP 11/2017 jo PP 17/2020 Pasal 190: mutasi paling singkat 2 tahun",
            "Belum 2 tahun di jabatan sekarang",
            "Less than 2 years in the current position",
        ),
        Rule(
            "formasi_full",
            "PP 11/2017 Pasal 190: mutasi memperhatikan formasi (kebutuhan organisasi)",
            "Formasi unit sudah penuh",
            "The unit's formasi is full",
        ),
        Rule(
            "education_level",
            "PP 11/2017: kesesuaian kualifikasi dengan persyaratan jabatan",
            "Jenjang pendidikan belum memenuhi syarat jabatan",
            "Education level below the position's requirement",
        ),
        Rule(
            "retiring",
            "PP 11/2017 jo PP 17/2020 Pasal 239 (BUP 58/60/65) and Pasal 248 (MPP)",
            "Mencapai batas usia pensiun dalam setahun",
            "Reaches the retirement age (BUP) within a year",
        ),
        Rule(
            "heavy_sanction",
            "PP 94/2021: hukuman disiplin berat",
            "Sedang menjalani hukuman disiplin berat",
            "Serving a heavy disciplinary sanction",
        ),
        Rule(
            "no_precedent",
            "PP 11/2017 Pasal 190 (klasifikasi jabatan, pola karier); riwayat jabatan instansi:"
            " belum ada mutasi serupa, jadi tidak ada bukti untuknya",
            "Belum pernah ada mutasi dari jenis unit sekarang ke jenis unit ini",
            "No past transfer from this kind of unit to that kind: no evidence for the move",
        ),
    )
}


def _unit_kinds(data: HRData) -> pd.Series:
    """Each unit's kind (`unit_kind`), by unit id."""
    return data.units.set_index("unit_id")["unit_kind"].astype(str)


def transfer_precedents(data: HRData, as_of: pd.Timestamp) -> pd.DataFrame:
    """Past transfers known at `as_of`, counted by the kind of unit left (rows) and the kind
    joined (columns), every kind of the units table in both: an assignment that began
    before `as_of` in another unit than the same employee's assignment before it."""
    kind_of = _unit_kinds(data)
    kinds = pd.Index(sorted(kind_of.unique()))
    asg = data.assignments[["nip", "unit_id", "start_date"]].sort_values(["nip", "start_date"], kind="stable")  # fmt: skip
    before = asg.groupby("nip", sort=False)["unit_id"].shift()
    moved = before.notna() & (before != asg["unit_id"]) & (asg["start_date"] < as_of)
    left = kind_of.reindex(before[moved]).to_numpy()
    joined = kind_of.reindex(asg.loc[moved, "unit_id"]).to_numpy()
    counts = pd.crosstab(pd.Categorical(left, kinds), pd.Categorical(joined, kinds), dropna=False)
    return counts.reindex(index=kinds, columns=kinds, fill_value=0)


def retirement_age(data: HRData, settings: EligibilitySettings) -> pd.Series:
    """BUP in years per NIP, from the current position: 60 for JPT and fungsional ahli madya
    (read from the title, e.g. "Analis Kebijakan Ahli Madya"), 65 for ahli utama, else 58."""
    asg = data.assignments.sort_values("start_date", kind="stable").groupby("nip").last()
    title = asg["position_title"].fillna("").str.lower()
    years = np.select(
        [
            asg["position_type"] == "jpt",
            title.str.contains("ahli utama", regex=False),
            title.str.contains("ahli madya", regex=False),
        ],
        [settings.bup_jpt_years, settings.bup_ahli_utama_years, settings.bup_ahli_madya_years],
        settings.bup_years,
    )
    return pd.Series(years, index=asg.index, dtype=float)


@dataclass(frozen=True)
class StaffReadings:
    """What the rules read of every assignment of the staff (each employee's retirement age,
    the past transfers between kinds of unit), read once when a staff is checked a part at a
    time rather than once per part."""

    retirement: pd.Series
    precedents: pd.DataFrame

    @classmethod
    def read(
        cls, data: HRData, settings: EligibilitySettings, as_of: pd.Timestamp
    ) -> StaffReadings:
        return cls(retirement_age(data, settings), transfer_precedents(data, as_of))


def eligibility_mask(
    data: HRData,
    candidates: pd.DataFrame,
    settings: EligibilitySettings,
    readings: StaffReadings | None = None,
) -> pd.DataFrame:
    """For each candidate row (with nip, unit_id, as_of, is_stay, tenure_current, unit_fill,
    position_type): one boolean column per rule code, True where the rule is broken.
    Staying is never blocked by the move rules (tenure, formasi, education, retirement,
    sanction, precedent). What a rule reads of a person is looked up once per person and
    of a unit once per unit, not per row (a candidate table has a row per pair: a part of a
    staff checked in 0.05 s against 0.14 s); `readings` are given when the caller
    checks a staff a part at a time, else read here, the precedents as known at the rows'
    earliest date."""
    s = settings
    codes, people = pd.factorize(candidates["nip"], use_na_sentinel=False)
    emp = data.employees.drop_duplicates("nip").set_index("nip").reindex(people)
    status = emp["status"].to_numpy(dtype=object)[codes]
    level = emp["education_level"].map(EDUCATION_RANK).to_numpy(dtype=float)[codes]
    move = candidates["is_stay"].to_numpy() == 0
    as_of = pd.to_datetime(candidates["as_of"])
    heavy = data.discipline[data.discipline["severity"] == "berat"]
    latest_heavy = heavy.groupby("nip")["decided_on"].max().reindex(people)
    last_heavy = pd.to_datetime(pd.Series(latest_heavy.to_numpy()[codes], index=candidates.index))
    serving = (last_heavy < as_of) & (
        last_heavy >= as_of - pd.DateOffset(months=s.heavy_sanction_months)
    )
    ptype = candidates["position_type"]  # compared as it is (a categorical: by its levels)
    need = np.where(
        ptype.isin(["jpt", "administrator"]).to_numpy(),
        EDUCATION_RANK[s.min_education_managerial],
        np.where((ptype == "pengawas").to_numpy(), EDUCATION_RANK[s.min_education_pengawas], -1),
    )
    # Age decides here only because the law makes it decide (BUP); it is never a feature.
    birth = pd.Series(emp["birth_date"].to_numpy()[codes], index=candidates.index)
    if readings is None:
        readings = StaffReadings.read(data, s, as_of.min())
    ages, precedents = readings.retirement, readings.precedents
    bup = ages.reindex(people).fillna(s.bup_years).to_numpy(dtype=float)[codes]
    years_at_round = (as_of - birth).dt.days.to_numpy(dtype=float) / 365.25
    retiring = years_at_round + s.retirement_window_years >= bup
    kind_of = _unit_kinds(data)
    here = candidates.loc[candidates["is_stay"].to_numpy() == 1].set_index("nip")["unit_id"]
    left = precedents.index.get_indexer(kind_of.reindex(here.reindex(people)).to_numpy())[codes]
    kind_at = np.append(precedents.columns.get_indexer(kind_of.to_numpy()), -1)
    joined = kind_at[key_positions(kind_of.index, candidates["unit_id"])]  # -1: no such unit
    known = (left >= 0) & (joined >= 0)  # someone without a unit has no kind to leave
    seen = precedents.to_numpy()[np.maximum(left, 0), np.maximum(joined, 0)]
    unprecedented = known & (seen < s.min_precedent_moves)
    checks = {
        "not_active": status != "aktif",
        "min_tenure": move & (candidates["tenure_current"].to_numpy() < s.min_tenure_years),
        "formasi_full": move & (candidates["unit_fill"].to_numpy() >= 1.0),
        "education_level": move & (level < need),
        "retiring": move & retiring,
        "heavy_sanction": move & serving.to_numpy(dtype=bool),
        "no_precedent": move & unprecedented,
    }
    return pd.DataFrame({code: checks[code] for code in RULES}, index=candidates.index)


def broken_rules(mask: np.ndarray) -> list[str]:
    """The rule codes broken in one row of `eligibility_mask(...).to_numpy()`."""
    return [code for code, broken in zip(RULES, mask, strict=True) if broken]
