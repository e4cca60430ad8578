"""`HRData`: the validated tables of one data directory, typed and ready for features."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from features.scale import KinerjaScale


@dataclass(frozen=True)
class HRData:
    """Every contract table, typed. Optional tables that were absent are empty frames.

    NIPs and unit ids stay strings; dates are `datetime64[ns]`; list columns hold tuples
    (`required_fields`) and dicts (`required_competencies`).
    """

    units: pd.DataFrame
    employees: pd.DataFrame
    assignments: pd.DataFrame
    evaluations: pd.DataFrame
    competencies: pd.DataFrame
    trainings: pd.DataFrame
    discipline: pd.DataFrame
    unit_kpis: pd.DataFrame
    # How predikat-era evaluations were placed on the score scale (`load_data` sets it).
    scale: KinerjaScale | None = None

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> HRData:
        return cls(**{name: frames[name].reset_index(drop=True) for name in cls.table_names()})

    @staticmethod
    def table_names() -> tuple[str, ...]:
        return (
            "units",
            "employees",
            "assignments",
            "evaluations",
            "competencies",
            "trainings",
            "discipline",
            "unit_kpis",
        )

    def table(self, name: str) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(self, name)
        return frame

    @property
    def periods(self) -> list[int]:
        return sorted(int(p) for p in self.evaluations["period"].dropna().unique())

    @property
    def last_period(self) -> int:
        return self.periods[-1]

    def default_as_of(self) -> pd.Timestamp:
        """The contract's default as-of date: the day after the last evaluated period."""
        return pd.Timestamp(year=self.last_period + 1, month=1, day=1)

    def row_counts(self) -> dict[str, int]:
        return {name: len(self.table(name)) for name in self.table_names()}

    def period_counts(self) -> dict[str, int]:
        """Rows per table and period (`"evaluations 2024"`) for tables with a period: a
        year's records can go missing while the whole table barely shrinks."""
        counts: dict[str, int] = {}
        for name in self.table_names():
            frame = self.table(name)
            if "period" in frame.columns:
                for period, n in frame["period"].value_counts().sort_index().items():
                    counts[f"{name} {period}"] = int(n)
        return counts

    def fingerprint(self) -> str:
        """A content hash of every table, so a model can name the exact data it learnt from."""
        digest = hashlib.sha256()
        for name in self.table_names():
            frame = self.table(name)
            digest.update(name.encode())
            digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy())
        return digest.hexdigest()[:16]

    def active_nips(self) -> pd.Series:
        emp = self.employees
        return emp.loc[emp["status"] == "aktif", "nip"].reset_index(drop=True)
