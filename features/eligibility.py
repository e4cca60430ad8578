"""Who may be moved where: the rules a suggestion must keep, each with its regulation.

Shared by `penataan score`, the API and the planner so that one rule means one thing.
Thresholds are settings (PENATAAN_ prefix); the references come from the domain brief.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from features.data import HRData
from features.pipeline import EDUCATION_RANK
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
    )
}


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


def eligibility_mask(
    data: HRData,
    candidates: pd.DataFrame,
    settings: EligibilitySettings,
    retirement: pd.Series | None = None,
) -> pd.DataFrame:
    """For each candidate row (with nip, unit_id, as_of, is_stay, tenure_current, unit_fill,
    position_type): one boolean column per rule code, True where the rule is broken.
    Staying is never blocked by the move rules (tenure, formasi, education, retirement,
    sanction). What a rule reads of a person is looked up once per person, not per row (a
    candidate table has a row per unit); `retirement` is `retirement_age(data, settings)`
    when the caller checks a staff a part at a time (it reads every assignment)."""
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
    ptype = candidates["position_type"].astype(object).to_numpy()
    need = np.where(
        np.isin(ptype, ["jpt", "administrator"]),
        EDUCATION_RANK[s.min_education_managerial],
        np.where(ptype == "pengawas", EDUCATION_RANK[s.min_education_pengawas], -1),
    )
    # Age decides here only because the law makes it decide (BUP); it is never a feature.
    birth = pd.Series(emp["birth_date"].to_numpy()[codes], index=candidates.index)
    ages = retirement if retirement is not None else retirement_age(data, s)
    bup = ages.reindex(people).fillna(s.bup_years).to_numpy(dtype=float)[codes]
    years_at_round = (as_of - birth).dt.days.to_numpy(dtype=float) / 365.25
    retiring = years_at_round + s.retirement_window_years >= bup
    checks = {
        "not_active": status != "aktif",
        "min_tenure": move & (candidates["tenure_current"].to_numpy() < s.min_tenure_years),
        "formasi_full": move & (candidates["unit_fill"].to_numpy() >= 1.0),
        "education_level": move & (level < need),
        "retiring": move & retiring,
        "heavy_sanction": move & serving.to_numpy(dtype=bool),
    }
    return pd.DataFrame({code: checks[code] for code in RULES}, index=candidates.index)


def broken_rules(mask: np.ndarray) -> list[str]:
    """The rule codes broken in one row of `eligibility_mask(...).to_numpy()`."""
    return [code for code, broken in zip(RULES, mask, strict=True) if broken]
