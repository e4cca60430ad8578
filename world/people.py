"""Who works in a world: the growing population's columns, and how education and titles
are distributed by family of units (teachers, health, administration)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from features import vocab

FAMILY_EDUCATION = {
    "teacher": (("S1", 0.83), ("S2", 0.09), ("D4", 0.04), ("D3", 0.02), ("SMA", 0.02)),
    "health": (("D3", 0.42), ("S1", 0.28), ("D4", 0.1), ("S2", 0.06), ("SMA", 0.14)),
    "admin": (
        ("SMA", 0.17), ("SMP", 0.02), ("SD", 0.01), ("D3", 0.1), ("D4", 0.04),
        ("S1", 0.52), ("S2", 0.13), ("S3", 0.01),
    ),
}  # fmt: skip
HEALTH_FIELDS = (("keperawatan", 0.5), ("kesehatan_masyarakat", 0.3), ("kedokteran", 0.2))
ADMIN_FIELDS = tuple(f for f in vocab.FIELDS if f not in {"umum", "pendidikan"})
# Entry step by education (index into the PNS golongan ladder; PPPK use the same step + 1).
ENTRY_GOLONGAN = {"SD": 0, "SMP": 1, "SMA": 4, "D1": 5, "D2": 5, "D3": 6, "D4": 8, "S1": 8,
                  "S2": 9, "S3": 10}  # fmt: skip
TITLES = {
    "teacher": {"fungsional": "Guru"},
    "health": {"fungsional": "Perawat", "pelaksana": "Pengadministrasi Kesehatan"},
}


def choice(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    values = np.array([v for v, _ in table], dtype=object)
    p = np.array([w for _, w in table], dtype=float)
    return rng.choice(values, size=n, p=p / p.sum())


def on_day(year: int, day_of_year: int | np.integer) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=int(day_of_year))


@dataclass
class People:
    """The growing population, one entry per person ever employed (lists of equal length)."""

    cols: dict[str, list[Any]] = field(default_factory=dict)
    soft: list[np.ndarray] = field(default_factory=list)
    # key -> the column as an array, made again only when it changed: a transfer reads
    # whole columns for one person, and converting them each time made a year's transfers
    # quadratic in the population (a province took minutes a year)
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.soft)

    def add(self, soft: np.ndarray, **values: object) -> int:
        for key, value in values.items():
            self.cols.setdefault(key, []).append(value)
        self.soft.append(soft)
        return len(self.soft) - 1

    def set(self, key: str, person: int, value: object) -> None:
        """Change one person's value (the only way a column changes but by `add`)."""
        self.cols[key][person] = value
        self._arrays.pop(key, None)

    def array(self, key: str) -> np.ndarray:
        """The column `key` as an array (read-only: change values through `set`)."""
        kept = self._arrays.get(key)
        if kept is None or len(kept) != len(self.cols[key]):
            kept = np.asarray(self.cols[key])
            kept.flags.writeable = False
            self._arrays[key] = kept
        return kept
