"""The state of a simulated world: its units, people, open assignments and records so far,
and the causal inputs of any (person, unit) pair (`pair_state`). The steps that change the
state live in `world/staffing.py` (who joins and leaves) and `world/simulation.py` (the
years); `world/records.py` turns it into the contract's tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from features import vocab
from features.geo import haversine_km
from world.organisation import KECAMATAN, check_units
from world.outcome import EDUCATION_EFFECT, Causal, PairState
from world.people import TITLES, People
from world.presets import Preset

SOFT = vocab.SOFT_COMPETENCIES


class WorldState:
    """The simulation state and the bookkeeping every step shares."""

    def __init__(
        self, preset: Preset, seed: int, causal: Causal | None = None, regime: str = "law"
    ) -> None:
        self.preset = preset
        self.through = preset.last_period  # the last year simulated (`Simulation.play` adds one)
        self.causal = causal or Causal()
        self.rng = np.random.default_rng(seed)
        # Draws that only a drawn causal structure needs come from a stream of their own,
        # so that the presets' worlds stay byte-identical.
        self.extra = np.random.default_rng([seed, 2])
        # How evaluations are recorded (world/kinerja.py); predikat-era draws have their own
        # stream, so a `numeric` world is the same world with the numbers kept.
        self.regime = regime
        self.kinerja_rng = np.random.default_rng([seed, 3])
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
        self.unit_marks: list[np.ndarray] = []  # per year, each unit's effect on its scores
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
        self.people.set("status", person, status)

    def _active(self) -> np.ndarray:
        return np.array(sorted(self.current), dtype=int)

    def _unit_of(self, persons: np.ndarray) -> np.ndarray:
        return np.array([self.assignments[self.current[p]]["unit"] for p in persons], dtype=int)

    def _tenure(self, persons: np.ndarray, on: dt.date) -> np.ndarray:
        starts = [self.assignments[self.current[p]]["start_date"] for p in persons]
        return np.array([(on - s).days / 365.25 for s in starts])

    def _headcount(self) -> np.ndarray:
        return np.bincount(self._unit_of(self._active()), minlength=len(self.units))

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
        home = p.array("home_loc")[persons] if len(persons) else np.zeros((0, 2))
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
