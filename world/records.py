"""A simulated world's records in the data contract's tables (NIPs built as the BKN builds
them, units, employees, assignments, evaluations and the rest) and its ground truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from features import vocab
from world.outcome import Causal, expected_score
from world.people import ENTRY_GOLONGAN
from world.simulation import Simulation


class World(Simulation):
    """A world that can be run (`run`), played on for more years (`play`) and written out
    (`tables`, `truth`)."""

    def play(self, moves: Mapping[str, str]) -> int:
        """One more year after the last simulated, in which exactly `moves` happen (NIP ->
        unit id: the transfers an agency executed on Penataan's suggestions, from 2 January)
        and no other: retirements, the evaluations the causal model gives, the year's
        trainings and assessments. The closed loop of the oversight issue: the next year's
        records come from what people decided. Returns how many moves took effect (a mover
        who left service meanwhile does not move)."""
        year = self.through + 1
        self._retire(year)
        person_of = {nip: p for p, nip in enumerate(self.nips())}
        moved: set[int] = set()
        for nip, unit_id in moves.items():
            if unit_id not in self.unit_index:
                raise ValueError(f"move of {nip} to {unit_id!r}: no such unit in this world")
            person = person_of.get(nip)
            if person is None or person not in self.current:
                continue  # not in this world, or left service before the move
            target = self.unit_index[unit_id]
            if self.assignments[self.current[person]]["unit"] != target:
                self._assign(person, target, dt.date(year, 1, 2))
                moved.add(person)
        self._evaluate(year, moved)
        self._year_end(year)
        self._drift_leadership()
        self.through = year
        return len(moved)

    def truth(self) -> pd.DataFrame:
        """Expected score of every aktif employee in every unit for the year after the last,
        and `record_score`: the same averaged over what no record shows, the benchmark's
        record-only oracle. That is the knack (a person's, for a field, in a world that has
        one) and the split of a unit's marks: the scores show each year's unit effect only
        as leadership, raters' leniency and the year's shock together, and next year's
        leadership has not been seen at all, so the oracle's leadership is its best linear
        forecast from every past year's marks (`record_leadership`), as if each year's
        were known exactly."""
        year = self.through + 1
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
        truth = pd.DataFrame(
            {
                "nip": [nips[p] for p in pp],
                "unit_id": [self.units[u].unit_id for u in uu],
                "expected_score": np.round(expected_score(state, self.causal), 3),
            }
        )
        state.knack = 0.0  # a bound on what a model of the records could know
        state.leadership = record_leadership(np.array(self.unit_marks), self.causal)[uu]
        truth[vocab.RECORD_SCORE] = np.round(expected_score(state, self.causal), 3)
        return truth

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
            served = (dt.date(self.through, 12, 31) - start).days / 365.25
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
        if "predikat" not in evaluations:  # a numeric world: the sebutan of every number
            evaluations["predikat"] = None
        sebutan = [_predikat(s) for s in evaluations["score"].fillna(0.0)]
        evaluations["predikat"] = evaluations["predikat"].where(evaluations["score"].isna(), sebutan)  # fmt: skip
        evaluations = pd.DataFrame(
            {
                "nip": [nips[p] for p in evaluations["person"]],
                "period": evaluations["period"],
                "unit_id": [unit_ids[u] for u in evaluations["unit"]],
                "score": evaluations["score"],
                "predikat": evaluations["predikat"],
                **{
                    k: evaluations[k]
                    for k in ("rating_hasil_kerja", "rating_perilaku_kerja")
                    if k in evaluations
                },
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


def record_leadership(marks: np.ndarray, causal: Causal) -> np.ndarray:
    """Each unit's leadership next year as the records can know it: the best linear
    predictor from its past years' marks (`marks`, years x units: leadership + the raters'
    lasting leniency + the year's shock), given how the world draws them (leadership an
    AR(1) of sd `leadership_sd` and persistence `leadership_persistence`, leniency of sd
    `leniency_sd`, shocks of sd `unit_year_sd`). A lenient unit's marks look like good
    leadership, and only how they drift tells the two apart; where nothing does (the same
    leadership every year and no shocks), the forecast is the marks' own level."""
    years = np.arange(len(marks))
    lead_var = causal.leadership_sd**2
    keep = causal.leadership_persistence
    between = lead_var * keep ** np.abs(years[:, None] - years[None, :])
    cov = between + causal.leniency_sd**2 + causal.unit_year_sd**2 * np.eye(len(years))
    with_next = lead_var * keep ** (len(years) - years)
    weights = np.linalg.lstsq(cov, with_next, rcond=None)[0]
    return marks.T @ weights
