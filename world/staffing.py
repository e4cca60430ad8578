"""Who joins and who leaves: the first year's staff with careers reaching back to their TMT,
each year's hires (PPPK from 2021) and departures (BUP, resignations)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from features import vocab
from world import names
from world.people import ADMIN_FIELDS, FAMILY_EDUCATION, HEALTH_FIELDS, choice
from world.state import SOFT, WorldState

BUP_YEARS = 58


class Staffing(WorldState):
    """Hiring, the starting population and retirement."""

    def _new_person(self, unit: int, year: int, age: float, pppk: bool, start: dt.date) -> int:
        rng = self.rng
        family = self.units[unit].family
        level = str(choice(rng, FAMILY_EDUCATION[family], 1)[0])
        if level in vocab.GENERAL_EDUCATION:
            fld = "umum"
        elif family == "teacher":
            fld = "pendidikan" if rng.random() < 0.92 else str(rng.choice(ADMIN_FIELDS))
        elif family == "health":
            fld = str(choice(rng, HEALTH_FIELDS, 1)[0])
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
                choice(
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
            willing=str(choice(rng, (("ya", 0.3), ("netral", 0.5), ("tidak", 0.2)), 1)[0]),
            answered=rng.random() < 0.8,
            home=home,
            home_loc=self.home_anchors[home] + rng.normal(0, 0.004, 2),
            home_known=rng.random() < 0.7,
            religion=str(
                choice(
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
                choice(rng, (("kawin", 0.78), ("belum_kawin", 0.17), ("cerai", 0.05)), 1)[0]
            ),
            name=names.person_name(rng, sex),
        )
        self.domain_years[person] = np.zeros(len(vocab.DOMAINS))
        self.domain_hours[person] = np.zeros(len(vocab.DOMAINS))
        if self.causal.knack_sd > 0:
            self.knack[person] = self.extra.normal(0.0, self.causal.knack_sd, len(vocab.DOMAINS))
        return person

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
