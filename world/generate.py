"""A synthetic Kota Mataram HR world: people, careers, evaluations and a ground truth.

The world is simulated year by year so that its records carry the biases of real ones:
transfers are partly driven by need and partly by fit (each person's outcome is seen only
where they were placed), people retire at BUP and are hired each year (PPPK from 2021),
competencies are assessed now and then and with error, and every score is noisy.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from features import vocab
from features.geo import haversine_km
from world import names
from world.organisation import (
    KECAMATAN,
    UnitSpec,
    ampenan_units,
    cakranegara_units,
    check_units,
    mataram_units,
)
from world.outcome import EDUCATION_EFFECT, Causal, PairState, expected_score
from world.scenarios import causal_for, describe

SOFT = vocab.SOFT_COMPETENCIES
BUP_YEARS = 58
MIN_TENURE, MAX_TENURE = 2.0, 5.0


@dataclass(frozen=True)
class Preset:
    """How big a world is and which years it covers."""

    units: Callable[[], list[UnitSpec]]
    n_active: int  # aktif staff at the end
    first_period: int
    last_period: int
    pppk_hire_share: float = 0.95  # of hires from 2021 on


PRESETS: dict[str, Preset] = {
    "mataram": Preset(mataram_units, 5580, 2016, 2025),
    "cakranegara": Preset(cakranegara_units, 300, 2020, 2025),
    "ampenan": Preset(ampenan_units, 1700, 2016, 2025),
}

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


def _choice(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    values = np.array([v for v, _ in table], dtype=object)
    p = np.array([w for _, w in table], dtype=float)
    return rng.choice(values, size=n, p=p / p.sum())


def _date(year: int, day_of_year: int | np.integer) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=int(day_of_year))


@dataclass
class People:
    """The growing population, one entry per person ever employed (lists of equal length)."""

    cols: dict[str, list[Any]] = field(default_factory=dict)
    soft: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.soft)

    def add(self, soft: np.ndarray, **values: object) -> int:
        for key, value in values.items():
            self.cols.setdefault(key, []).append(value)
        self.soft.append(soft)
        return len(self.soft) - 1

    def array(self, key: str) -> np.ndarray:
        return np.asarray(self.cols[key])


class World:
    """The simulation state and the records it writes."""

    def __init__(self, preset: Preset, seed: int, causal: Causal | None = None) -> None:
        self.preset = preset
        self.causal = causal or Causal()
        self.rng = np.random.default_rng(seed)
        # Draws that only a drawn causal structure needs come from a stream of their own,
        # so that the presets' worlds stay byte-identical.
        self.extra = np.random.default_rng([seed, 2])
        self.units = check_units(preset.units())
        self.unit_index = {u.unit_id: j for j, u in enumerate(self.units)}
        self.dom_index = {d: k for k, d in enumerate(vocab.DOMAINS)}
        self.u_domain = np.array([self.dom_index[u.domain] for u in self.units])
        self.u_family = np.array([u.family for u in self.units])
        self.u_public = np.array([u.public_facing for u in self.units])
        self.u_loc = np.array([u.location for u in self.units])
        self.u_lead = self.rng.normal(0.0, self.causal.leadership_sd, len(self.units))
        self.u_leniency = self.extra.normal(0.0, self.causal.leniency_sd, len(self.units))
        self.u_needs = np.full((len(self.units), len(SOFT)), np.nan)
        for j, u in enumerate(self.units):
            for c, comp in enumerate(SOFT):
                if comp in u.required_competencies:
                    self.u_needs[j, c] = u.required_competencies[comp]
        self.people = People()
        self.current: dict[int, int] = {}  # person -> open assignment row
        self.assignments: list[dict[str, Any]] = []
        self.evaluations: list[dict[str, object]] = []
        self.competencies: list[dict[str, object]] = []
        self.trainings: list[dict[str, object]] = []
        self.discipline: list[dict[str, object]] = []
        self.kpis: list[dict[str, Any]] = []
        self.domain_years: dict[int, np.ndarray] = {}
        self.domain_hours: dict[int, np.ndarray] = {}
        self.sanction: dict[int, float] = {}
        self.knack: dict[int, np.ndarray] = {}
        self.moved_last_year: set[int] = set()
        kel = [(k, loc) for k, (loc, ks) in KECAMATAN.items() for _ in ks]
        self.home_anchors = np.array([loc for _, loc in kel])
        self.home_names = [n for _, (_, ks) in KECAMATAN.items() for n in ks]
        weights = np.array([u.weight for u in self.units])
        self.capacity = np.zeros(len(self.units), dtype=int)
        self.weights = weights / weights.sum()

    # --- people -------------------------------------------------------------------------

    def _new_person(self, unit: int, year: int, age: float, pppk: bool, start: dt.date) -> int:
        rng = self.rng
        family = self.units[unit].family
        level = str(_choice(rng, FAMILY_EDUCATION[family], 1)[0])
        if level in vocab.GENERAL_EDUCATION:
            fld = "umum"
        elif family == "teacher":
            fld = "pendidikan" if rng.random() < 0.92 else str(rng.choice(ADMIN_FIELDS))
        elif family == "health":
            fld = str(_choice(rng, HEALTH_FIELDS, 1)[0])
        else:
            domain = self.units[unit].domain
            suiting = [f for f, ds in vocab.FIELD_SUITS.items() if domain in ds]
            fld = (
                str(rng.choice(suiting))
                if suiting and rng.random() < 0.45
                else str(rng.choice(ADMIN_FIELDS))
            )
        ability = rng.normal()
        soft = np.clip(3.0 + 0.45 * ability + rng.normal(0, 0.65, len(SOFT)), 1.0, 5.0)
        if fld == "ilmu_komunikasi":
            soft[SOFT.index("komunikasi")] = min(5.0, soft[SOFT.index("komunikasi")] + 0.7)
        sex = "P" if rng.random() < 0.55 else "L"
        birth = start - dt.timedelta(days=int(age * 365.25))
        home = int(rng.integers(len(self.home_names)))
        if family in ("teacher", "health") or level in vocab.GENERAL_EDUCATION:
            ptype = "fungsional" if family != "admin" and rng.random() < 0.9 else "pelaksana"
        else:
            ptype = str(
                _choice(
                    rng,
                    (
                        ("pelaksana", 0.45),
                        ("fungsional", 0.3),
                        ("pengawas", 0.17),
                        ("administrator", 0.06),
                        ("jpt", 0.02),
                    ),
                    1,
                )[0]  # fmt: skip
            )
        person = self.people.add(
            soft,
            ability=ability,
            sex=sex,
            birth=birth,
            start=start,
            pppk=pppk,
            level=level,
            field=fld,
            family=family,
            ptype=ptype,
            status="aktif",
            willing=str(_choice(rng, (("ya", 0.3), ("netral", 0.5), ("tidak", 0.2)), 1)[0]),
            answered=rng.random() < 0.8,
            home=home,
            home_loc=self.home_anchors[home] + rng.normal(0, 0.004, 2),
            home_known=rng.random() < 0.7,
            religion=str(
                _choice(
                    rng,
                    (
                        ("islam", 0.8),
                        ("hindu", 0.13),
                        ("kristen", 0.03),
                        ("katolik", 0.015),
                        ("buddha", 0.02),
                        ("konghucu", 0.005),
                    ),
                    1,
                )[0]
            ),  # fmt: skip
            marital=str(
                _choice(rng, (("kawin", 0.78), ("belum_kawin", 0.17), ("cerai", 0.05)), 1)[0]
            ),
            name=names.person_name(rng, sex),
        )
        self.domain_years[person] = np.zeros(len(vocab.DOMAINS))
        self.domain_hours[person] = np.zeros(len(vocab.DOMAINS))
        if self.causal.knack_sd > 0:
            self.knack[person] = self.extra.normal(0.0, self.causal.knack_sd, len(vocab.DOMAINS))
        return person

    def _title(self, person: int, unit: int) -> str:
        family = self.people.cols["family"][person]
        ptype = str(self.people.cols["ptype"][person])
        special = TITLES.get(str(family), {}).get(ptype)
        if special:
            return special
        domain = self.units[unit].domain.replace("_", " ").title()
        return {
            "jpt": "Kepala", "administrator": "Kepala Bidang", "pengawas": "Kepala Seksi",
            "pelaksana": "Pengadministrasi", "fungsional": "Analis",
        }[ptype] + f" {domain}"  # fmt: skip

    def _assign(self, person: int, unit: int, start: dt.date) -> None:
        prev = self.current.get(person)
        if prev is not None:
            self.assignments[prev]["end_date"] = start - dt.timedelta(days=1)
        self.current[person] = len(self.assignments)
        self.assignments.append(
            {
                "person": person,
                "unit": unit,
                "start_date": start,
                "end_date": None,
                "position_title": self._title(person, unit),
            }  # fmt: skip
        )

    def _end(self, person: int, day: dt.date, status: str) -> None:
        row = self.current.pop(person)
        self.assignments[row]["end_date"] = day
        self.people.cols["status"][person] = status

    def _active(self) -> np.ndarray:
        return np.array(sorted(self.current), dtype=int)

    def _unit_of(self, persons: np.ndarray) -> np.ndarray:
        return np.array([self.assignments[self.current[p]]["unit"] for p in persons], dtype=int)

    def _tenure(self, persons: np.ndarray, on: dt.date) -> np.ndarray:
        starts = [self.assignments[self.current[p]]["start_date"] for p in persons]
        return np.array([(on - s).days / 365.25 for s in starts])

    # --- outcomes -----------------------------------------------------------------------

    def pair_state(
        self, persons: np.ndarray, units: np.ndarray, moved: np.ndarray, tenure: np.ndarray,
        year: int,
    ) -> PairState:  # fmt: skip
        """The causal inputs of (person, unit) pairs for `year`; `moved` is 1 in the year of
        a move (and the dip's share left the year after), else 0."""
        p = self.people
        fields = p.array("field")[persons]
        dom = self.u_domain[units]
        dom_names = np.array(vocab.DOMAINS)[dom]
        suits = np.array(
            [d in vocab.FIELD_SUITS[f] for f, d in zip(fields, dom_names, strict=True)], dtype=bool
        )
        soft = np.stack([p.soft[i] for i in persons]) if len(persons) else np.zeros((0, len(SOFT)))
        needs = self.u_needs[units]
        gap = np.clip(soft - needs, -2.0, 1.0)
        soft_gap = np.where(np.isnan(needs), 0.0, gap).sum(1) / np.maximum(
            (~np.isnan(needs)).sum(1), 1
        )
        home = np.stack(p.cols["home_loc"])[persons] if len(persons) else np.zeros((0, 2))
        km = haversine_km(home[:, 0], home[:, 1], self.u_loc[units, 0], self.u_loc[units, 1])
        start_year = np.array([s.year for s in p.array("start")[persons]])
        return PairState(
            ability=p.array("ability")[persons],
            suits=suits,
            accounting_in_finance=(fields == "akuntansi") & (dom_names == "keuangan"),
            general_field=fields == "umum",
            education=np.array([EDUCATION_EFFECT[e] for e in p.array("level")[persons]]),
            domain_years=np.array(
                [self.domain_years[i][d] for i, d in zip(persons, dom, strict=True)]
            ),
            domain_hours=np.array(
                [self.domain_hours[i][d] for i, d in zip(persons, dom, strict=True)]
            ),
            soft_gap=soft_gap,
            komunikasi=soft[:, SOFT.index("komunikasi")],
            pelayanan=soft[:, SOFT.index("pelayanan_publik")],
            is_humas=dom_names == "humas",
            public_facing=self.u_public[units],
            leadership=self.u_lead[units],
            family_mismatch=p.array("family")[persons] != self.u_family[units],
            moved=moved,
            unwilling=p.array("willing")[persons] == "tidak",
            willing=p.array("willing")[persons] == "ya",
            tenure=tenure,
            commute_km=km,
            service_years=year - start_year,
            sanction=np.array([self.sanction.get(int(i), 0.0) for i in persons]),
            knack=self._knack(persons, dom),
        )

    def _knack(self, persons: np.ndarray, dom: np.ndarray) -> np.ndarray | float:
        if not self.knack:
            return 0.0
        return np.array([self.knack[int(i)][d] for i, d in zip(persons, dom, strict=True)])

    # --- the years ----------------------------------------------------------------------

    def populate(self) -> None:
        """The staff at the start of the first year, with careers reaching back to their TMT."""
        rng, y0 = self.rng, self.preset.first_period
        years = self.preset.last_period - y0 + 1
        n0 = int(self.preset.n_active * (1 - 0.025 * years))
        heads = rng.multinomial(n0, self.weights)
        self.capacity = np.maximum(1, np.ceil(heads * rng.uniform(1.05, 1.3, len(heads)))).astype(
            int
        )
        self.capacity = np.maximum(
            self.capacity, np.ceil(self.capacity * self.preset.n_active / n0 * 0.98)
        ).astype(int)
        for unit in np.repeat(np.arange(len(self.units)), heads):
            age = float(rng.choice([rng.uniform(22, 57.5), rng.uniform(38, 48)], p=[0.45, 0.55]))
            entry_age = float(rng.uniform(21, min(35, age)))
            start_year = int(y0 - (age - entry_age))
            start = dt.date(max(start_year, 1980), int(rng.choice([1, 3])), 1)
            person = self._new_person(int(unit), y0, age, False, start)
            self._prehistory(person, int(unit), start, dt.date(y0, 1, 1))

    def _prehistory(self, person: int, unit: int, start: dt.date, until: dt.date) -> None:
        """Earlier spells, in units of the person's family, ending with the current one."""
        rng = self.rng
        family = self.units[unit].family
        options = np.flatnonzero(self.u_family == family)
        spells: list[int] = [unit]
        current_start = until - dt.timedelta(days=int(rng.uniform(0.2, 6.0) * 365.25))
        current_start = max(current_start, start)
        begin = current_start
        while (begin - start).days > 365 * 2:
            begin = max(start, begin - dt.timedelta(days=int(rng.uniform(2.0, 5.0) * 365.25)))
            spells.append(int(rng.choice(options)))
        begins = self._spell_starts(start, current_start, len(spells))
        for u, b in zip(reversed(spells), begins, strict=True):
            self._assign(person, u, b)
        for u, b, e in zip(reversed(spells), begins, [*begins[1:], until], strict=True):
            self.domain_years[person][self.u_domain[u]] += (e - b).days / 365.25

    @staticmethod
    def _spell_starts(start: dt.date, current: dt.date, n: int) -> list[dt.date]:
        if n == 1:
            return [current]
        step = (current - start) / (n - 1)
        return [start + step * k for k in range(n - 1)] + [current]

    def _retire(self, year: int) -> None:
        jan1 = dt.date(year, 1, 1)
        for person in self._active():
            birth: dt.date = self.people.cols["birth"][person]
            bup = 60 if self.people.cols["ptype"][person] == "jpt" else BUP_YEARS
            if (jan1 - birth).days / 365.25 >= bup:
                self._end(int(person), jan1 - dt.timedelta(days=1), "pensiun")
            elif self.rng.random() < 0.003:
                self._end(int(person), jan1 - dt.timedelta(days=1), "berhenti")

    def _headcount(self) -> np.ndarray:
        return np.bincount(self._unit_of(self._active()), minlength=len(self.units))

    def _move(self, year: int) -> set[int]:
        """This year's transfers: half by need (vacancies), half by (noisy) fit."""
        rng, jan1 = self.rng, dt.date(year, 1, 1)
        active = self._active()
        tenure = self._tenure(active, jan1)
        hazard = np.where(tenure >= MAX_TENURE, 0.35, np.where(tenure >= MIN_TENURE, 0.1, 0.0))
        hazard *= np.where(self.people.array("willing")[active] == "tidak", 0.5, 1.0)
        movers = active[rng.random(len(active)) < hazard]
        rng.shuffle(movers)
        head = self._headcount()
        moved: set[int] = set()
        for person in movers:
            here = self.assignments[self.current[int(person)]]["unit"]
            family = self.people.cols["family"][person]
            options = np.flatnonzero((self.u_family == family) & (head < self.capacity))
            options = options[options != here]
            if len(options) == 0:
                continue
            target = self._target(int(person), options, head, year)
            head[here] -= 1
            head[target] += 1
            self._assign(int(person), target, jan1 + dt.timedelta(days=int(rng.integers(1, 45))))
            moved.add(int(person))
        return moved

    def _policy(self) -> str:
        """How this transfer is chosen: one of `Causal.move_policy`, by its weight."""
        draw, total = self.rng.random(), 0.0
        policies = self.causal.move_policy
        for name, weight in policies.items():
            total += weight / sum(policies.values())
            if draw < total:
                return name
        return name

    def _target(self, person: int, options: np.ndarray, head: np.ndarray, year: int) -> int:
        """The unit a transfer goes to, chosen as the world's past transfers were chosen."""
        rng, c, n = self.rng, self.causal, len(options)
        policy = self._policy()
        if policy == "vacancy":
            vacancy = (self.capacity - head)[options].astype(float)
            return int(rng.choice(options, p=vacancy / vacancy.sum()))
        if policy == "random":
            return int(rng.choice(options))
        if policy == "seniority":  # the senior pick the units with the best name
            return int(options[np.argmax(self.u_lead[options] + rng.normal(0, 1.0, n))])
        state = self.pair_state(np.full(n, person), options, np.ones(n), np.zeros(n), year)
        if policy == "hidden_fit":  # by what colleagues know and no record shows
            hidden = state.knack if isinstance(state.knack, np.ndarray) else np.zeros(n)
            return int(options[np.argmax(hidden + rng.normal(0, 1.0, n))])
        if policy == "observed_fit":
            state.knack = 0.0
        utility = expected_score(state, c) + rng.normal(0, c.fit_noise_sd, n)
        return int(options[np.argmax(utility)])

    def _hire(self, year: int) -> None:
        rng = self.rng
        years_done = year - self.preset.first_period + 1
        years = self.preset.last_period - self.preset.first_period + 1
        n0 = int(self.preset.n_active * (1 - 0.025 * years))
        target = n0 + (self.preset.n_active - n0) * years_done / years
        need = int(round(target - len(self.current)))
        if need <= 0:
            return
        head = self._headcount()
        vacancy = np.maximum(self.capacity - head, 0).astype(float) + 0.05
        for unit in rng.choice(len(self.units), size=need, p=vacancy / vacancy.sum()):
            pppk = year >= 2021 and rng.random() < self.preset.pppk_hire_share
            start = dt.date(year, 1 if pppk else int(rng.choice([1, 3])), 1)
            person = self._new_person(int(unit), year, float(rng.uniform(22, 35)), pppk, start)
            self._assign(person, int(unit), start)

    def _evaluate(self, year: int, moved: set[int]) -> None:
        active = self._active()
        mid = dt.date(year, 7, 1)
        starts = np.array([self.assignments[self.current[p]]["start_date"] for p in active])
        worked = np.array([s <= mid for s in starts])  # worked there most of the year
        active = active[worked]
        units = self._unit_of(active)
        c = self.causal
        moved_now = np.array(
            [1.0 if p in moved else c.adaptation_second_year * (p in self.moved_last_year)
             for p in active]
        )  # fmt: skip
        self.moved_last_year = moved
        tenure = self._tenure(active, mid)
        state = self.pair_state(active, units, moved_now, tenure, year)
        shock = self.rng.normal(0, c.unit_year_sd, len(self.units))[units]
        rating = expected_score(state, c) + shock + self.rng.normal(0, c.noise_sd, len(active))
        if c.leniency_sd > 0 or c.inflation > 0:  # how raters mark, not how people perform
            rating = (
                rating + self.u_leniency[units] + c.inflation * (year - self.preset.first_period)
            )
        score = np.clip(rating, 0, 100)
        score = np.round(score, 2)
        for person, unit, s in zip(active, units, score, strict=True):
            self.evaluations.append(
                {"person": int(person), "period": year, "unit": int(unit), "score": float(s)}
            )
        self._kpis(year, units, score)

    def _kpis(self, year: int, units: np.ndarray, score: np.ndarray) -> None:
        rng = self.rng
        sums = np.bincount(units, weights=score, minlength=len(self.units))
        counts = np.bincount(units, minlength=len(self.units))
        for j in np.flatnonzero(self.u_public & (counts > 0)):
            mean = sums[j] / counts[j]
            ikm = float(
                np.clip(82 + 0.45 * (mean - 80) + 0.8 * self.u_lead[j] + rng.normal(0, 2.5), 55, 98)
            )
            complaints = int(rng.poisson(max(0.3, (90 - ikm) / 2.5) * (1 + counts[j] / 20)))
            wait = max(3.0, 25 + 1.2 * (80 - ikm) + rng.normal(0, 5))
            self.kpis.append(
                {
                    "unit": int(j),
                    "period": year,
                    "ikm": round(ikm, 2),
                    "complaints": complaints,
                    "avg_wait_minutes": round(wait, 1),
                }  # fmt: skip
            )

    def _year_end(self, year: int) -> None:
        """Experience, trainings, assessments and sanctions accrue over the year."""
        rng = self.rng
        active = self._active()
        units = self._unit_of(active)
        self.sanction = {}
        for person, unit in zip(active, units, strict=True):
            person, unit = int(person), int(unit)
            dom = self.u_domain[unit]
            self.domain_years[person][dom] += 1.0
            for _ in range(int(rng.poisson(1.0))):
                d = dom if rng.random() < 0.7 else int(rng.integers(len(vocab.DOMAINS)))
                hours = float(rng.choice([8, 16, 24, 32, 40, 80]))
                self.domain_hours[person][d] += hours
                self.trainings.append(
                    {
                        "person": person,
                        "completed_on": _date(year, rng.integers(10, 355)),
                        "domain": vocab.DOMAINS[d],
                        "hours": hours,
                        "title": f"Diklat {vocab.DOMAINS[d].replace('_', ' ').title()}",
                    }  # fmt: skip
                )
            if rng.random() < self.causal.assessment_rate:
                on = _date(year, rng.integers(30, 330))
                soft = self.people.soft[person]
                observed = np.clip(np.round(soft + rng.normal(0, 0.6, len(SOFT))), 1, 5)
                for comp, level in zip(SOFT, observed, strict=True):
                    self.competencies.append(
                        {
                            "person": person,
                            "assessed_on": on,
                            "competency": comp,
                            "level": int(level),
                        }
                    )
                ability = float(self.people.cols["ability"][person])
                tech = (
                    1.5 + 0.5 * self.domain_years[person][dom] + 0.4 * ability + rng.normal(0, 0.7)
                )
                self.competencies.append(
                    {
                        "person": person,
                        "assessed_on": on,
                        "competency": f"teknis_{vocab.DOMAINS[dom]}",
                        "level": int(np.clip(round(tech), 1, 5)),
                    }  # fmt: skip
                )
            integrity = self.people.soft[person][SOFT.index("integritas")]
            if rng.random() < 0.012 * np.exp(-0.8 * (integrity - 3)):
                severity = str(
                    _choice(rng, (("ringan", 0.75), ("sedang", 0.2), ("berat", 0.05)), 1)[0]
                )
                self.discipline.append(
                    {
                        "person": person,
                        "decided_on": _date(year, rng.integers(20, 340)),
                        "severity": severity,
                    }
                )
                self.sanction[person] = {"ringan": 2.0, "sedang": 4.0, "berat": 7.0}[severity]

    def run(self, progress: bool = True) -> None:
        self.populate()
        years = range(self.preset.first_period, self.preset.last_period + 1)
        for year in tqdm(years, desc="simulating years", disable=not progress):
            self._retire(year)
            moved = self._move(year)
            self._hire(year)
            self._evaluate(year, moved)
            self._year_end(year)
            self._drift_leadership()
        self._final_statuses()

    def _drift_leadership(self) -> None:
        """Heads of unit come and go: each unit's effect follows an AR(1) across years."""
        keep = self.causal.leadership_persistence
        if keep < 1.0:
            fresh = self.extra.normal(0.0, self.causal.leadership_sd, len(self.units))
            self.u_lead = keep * self.u_lead + np.sqrt(1 - keep**2) * fresh

    def _final_statuses(self) -> None:
        """A few active staff are on leave or study leave when the export is taken."""
        for person in self._active():
            r = self.rng.random()
            if r < 0.01:
                self.people.cols["status"][person] = "cuti"
            elif r < 0.02:
                self.people.cols["status"][person] = "tugas_belajar"

    def truth(self) -> pd.DataFrame:
        """Expected score of every aktif employee in every unit for the year after the last."""
        year = self.preset.last_period + 1
        status = self.people.array("status")
        persons = np.array([p for p in self._active() if status[p] == "aktif"], dtype=int)
        here = self._unit_of(persons)
        tenure = self._tenure(persons, dt.date(year, 7, 1))
        n_units = len(self.units)
        pp = np.repeat(persons, n_units)
        uu = np.tile(np.arange(n_units), len(persons))
        stay = uu == np.repeat(here, n_units)
        second = self.causal.adaptation_second_year * np.isin(pp, list(self.moved_last_year))
        state = self.pair_state(
            pp, uu, np.where(stay, second, 1.0), np.where(stay, np.repeat(tenure, n_units), 0.5),
            year,
        )  # fmt: skip
        nips = self.nips()
        return pd.DataFrame(
            {
                "nip": [nips[p] for p in pp],
                "unit_id": [self.units[u].unit_id for u in uu],
                "expected_score": np.round(expected_score(state, self.causal), 3),
            }
        )

    # --- records ------------------------------------------------------------------------

    def nips(self) -> list[str]:
        """NIP per person: birth date, TMT (PNS) and sex digit, with a unique sequence."""
        used: set[str] = set()
        out = []
        for person in range(len(self.people)):
            c = self.people.cols
            birth: dt.date = c["birth"][person]
            start: dt.date = c["start"][person]
            if c["pppk"][person]:
                stem = f"{birth:%Y%m%d}{start:%Y}2"
                width = 5
            else:
                stem = f"{birth:%Y%m%d}{start:%Y%m}{1 if c['sex'][person] == 'L' else 2}"
                width = 3
            seq = 1
            while f"{stem}{seq:0{width}d}" in used:
                seq += 1
            used.add(f"{stem}{seq:0{width}d}")
            out.append(f"{stem}{seq:0{width}d}")
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        nips = self.nips()
        c = self.people.cols
        unit_ids = [u.unit_id for u in self.units]
        units = pd.DataFrame(
            {
                "unit_id": unit_ids,
                "unit_name": [u.unit_name for u in self.units],
                "unit_kind": [u.unit_kind for u in self.units],
                "parent_unit_id": [u.parent_unit_id for u in self.units],
                "domain": [u.domain for u in self.units],
                "capacity": self.capacity,
                "required_fields": [
                    ";".join(f for f, ds in vocab.FIELD_SUITS.items() if u.domain in ds)
                    for u in self.units
                ],
                "required_competencies": [
                    ";".join(f"{k}:{v}" for k, v in u.required_competencies.items())
                    for u in self.units
                ],
                "kelurahan": [u.kelurahan for u in self.units],
                "latitude": self.u_loc[:, 0].round(5),
                "longitude": self.u_loc[:, 1].round(5),
            }
        )
        golongan = []
        for person in range(len(self.people)):
            start: dt.date = c["start"][person]
            served = (dt.date(self.preset.last_period, 12, 31) - start).days / 365.25
            step = ENTRY_GOLONGAN[str(c["level"][person])] + int(max(served, 0) // 3.2)
            if c["pppk"][person]:
                golongan.append(
                    vocab.PPPK_GOLONGAN[min(ENTRY_GOLONGAN[str(c["level"][person])] + 1, 16)]
                )
            else:
                golongan.append(vocab.PNS_GOLONGAN[min(step, 16)])
        home = np.stack(c["home_loc"])
        known = np.array(c["home_known"], dtype=bool)
        employees = pd.DataFrame(
            {
                "nip": nips,
                "name": c["name"],
                "sex": c["sex"],
                "birth_date": c["birth"],
                "religion": c["religion"],
                "marital_status": c["marital"],
                "employment_type": ["PPPK" if p else "PNS" for p in c["pppk"]],
                "golongan": golongan,
                "education_level": c["level"],
                "education_field": c["field"],
                "service_start": c["start"],
                "status": c["status"],
                "home_kelurahan": [self.home_names[h] for h in c["home"]],
                "home_latitude": np.where(known, home[:, 0].round(5), np.nan),
                "home_longitude": np.where(known, home[:, 1].round(5), np.nan),
                "willing_to_move": [
                    w if a else None for w, a in zip(c["willing"], c["answered"], strict=True)
                ],
            }
        )
        ptype = c["ptype"]
        assignments = pd.DataFrame(
            {
                "nip": [nips[a["person"]] for a in self.assignments],
                "unit_id": [unit_ids[a["unit"]] for a in self.assignments],
                "position_title": [a["position_title"] for a in self.assignments],
                "position_type": [ptype[a["person"]] for a in self.assignments],
                "start_date": [a["start_date"] for a in self.assignments],
                "end_date": [a["end_date"] for a in self.assignments],
            }
        )
        evaluations = pd.DataFrame(self.evaluations)
        evaluations = pd.DataFrame(
            {
                "nip": [nips[p] for p in evaluations["person"]],
                "period": evaluations["period"],
                "unit_id": [unit_ids[u] for u in evaluations["unit"]],
                "score": evaluations["score"],
                "predikat": [_predikat(s) for s in evaluations["score"]],
            }
        )
        return {
            "units": units,
            "employees": employees,
            "assignments": assignments,
            "evaluations": evaluations,
            "competencies": _with_nip(self.competencies, nips),
            "trainings": _with_nip(self.trainings, nips),
            "discipline": _with_nip(self.discipline, nips),
            "unit_kpis": pd.DataFrame(
                [
                    {"unit_id": unit_ids[k["unit"]], **{c: v for c, v in k.items() if c != "unit"}}
                    for k in self.kpis
                ]
            ),
        }


def _predikat(score: float) -> str:
    if score >= 90:
        return "sangat_baik"
    if score >= 70:
        return "baik"
    if score >= 60:
        return "butuh_perbaikan"
    return "kurang" if score >= 50 else "sangat_kurang"


def _with_nip(rows: list[dict[str, object]], nips: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    person = frame.pop("person")
    frame.insert(0, "nip", [nips[int(p)] for p in person])
    return frame


def generate(
    preset: str, seed: int, out: Path, progress: bool = True, scenario: str = "fixed"
) -> dict[str, int]:
    """Simulate a world and write its tables and truth to `out`; returns rows per table.

    `scenario` `family` draws the causal structure from the seed (`world.scenarios`) and
    writes it to `truth/causal.json`; `fixed` is the presets' structure."""
    world = World(PRESETS[preset], seed, causal_for(scenario, seed))
    world.run(progress)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frame in world.tables().items():
        frame.to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d", lineterminator="\n")
        counts[name] = len(frame)
    (out / vocab.TRUTH_DIR).mkdir(exist_ok=True)
    world.truth().to_csv(
        out / vocab.TRUTH_DIR / vocab.EXPECTED_SCORES_FILE, index=False, lineterminator="\n"
    )
    if scenario != "fixed":
        causal = json.dumps(
            {"scenario": scenario, "seed": seed, **describe(world.causal)}, indent=2
        )
        (out / vocab.TRUTH_DIR / "causal.json").write_text(causal + "\n")
    return counts


def ensure_world(preset: str, seed: int, out: Path, scenario: str = "fixed") -> None:
    """Generate `out` unless a world is already there (benchmarks reuse one across runs)."""
    if not (out / "units.csv").exists():
        generate(preset, seed, out, scenario=scenario)
