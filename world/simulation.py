"""The years of a world: transfers chosen as its past transfers were, evaluations and
service results from the causal model, experience, trainings, assessments and sanctions
accruing, leadership drifting."""

from __future__ import annotations

import datetime as dt

import numpy as np
from tqdm import tqdm

from features import vocab
from world import kinerja
from world.outcome import expected_score
from world.people import choice, on_day
from world.staffing import Staffing
from world.state import SOFT

MIN_TENURE, MAX_TENURE = 2.0, 5.0


class Simulation(Staffing):
    """The yearly loop (`run`)."""

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
        unit_shock = self.rng.normal(0, c.unit_year_sd, len(self.units))
        # what the year's scores show of each unit, the same for anyone in it: its leadership,
        # its raters' leniency and the year's shock, which no record tells apart
        self.unit_marks.append(self.u_lead + self.u_leniency + unit_shock)
        noise = self.rng.normal(0, c.noise_sd, len(active))
        rating = expected_score(state, c) + unit_shock[units] + noise
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
        if self.regime == "law" and year >= kinerja.LAW_FROM:
            self._rate(active, units, score)
        self._kpis(year, units, score)

    def _rate(self, active: np.ndarray, units: np.ndarray, score: np.ndarray) -> None:
        """Record this year's evaluations as the law has since 2022: ratings and a capped
        predikat, no number (`world/kinerja.py`)."""
        soft = np.stack([self.people.soft[p] for p in active])
        conduct = [SOFT.index(c) for c in ("integritas", "kerja_sama", "orientasi_hasil")]
        sanction = np.array([self.sanction.get(int(p), 0.0) for p in active])
        behaviour = soft[:, conduct].mean(axis=1) - sanction / 3.0
        behaviour = behaviour + self.kinerja_rng.normal(0.0, 0.6, len(active))
        hasil, perilaku, predikat = kinerja.ratings(score, behaviour, units)
        for k, row in enumerate(self.evaluations[-len(active) :]):
            row.update(score=None, predikat=predikat[k], rating_hasil_kerja=hasil[k], rating_perilaku_kerja=perilaku[k])  # fmt: skip

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
                        "completed_on": on_day(year, rng.integers(10, 355)),
                        "domain": vocab.DOMAINS[d],
                        "hours": hours,
                        "title": f"Diklat {vocab.DOMAINS[d].replace('_', ' ').title()}",
                    }  # fmt: skip
                )
            if rng.random() < self.causal.assessment_rate:
                on = on_day(year, rng.integers(30, 330))
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
                    choice(rng, (("ringan", 0.75), ("sedang", 0.2), ("berat", 0.05)), 1)[0]
                )
                self.discipline.append(
                    {
                        "person": person,
                        "decided_on": on_day(year, rng.integers(20, 340)),
                        "severity": severity,
                    }
                )
                self.sanction[person] = {"ringan": 2.0, "sedang": 4.0, "berat": 7.0}[severity]

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
                self.people.set("status", person, "cuti")
            elif r < 0.02:
                self.people.set("status", person, "tugas_belajar")
