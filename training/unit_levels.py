"""How much of a move's raw gain is the level of the unit it leads into, and how far to trust it.

Part of every raw gain is the level of the unit joined: what the model expects moving into
it to bring anyone, learnt from the marks of the people who work there. That level is a
mean over a unit's staff, so for a unit of eight people it is known far less well than for
one of forty; and a person's best of ~280 moves is the likeliest to lead into a unit whose
level came out too high (the winner's curse on units: Smith & Winkler, "The optimizer's
curse", 2006). A scratch look at the family's choice seeds found the model's unit levels
off by more in the smaller units, and the top of its order failing most on moves into them.

So each unit's level is shrunk toward the average unit by how reliably a mean of its staff
shows it, the empirical-Bayes reliability `n / (n + k)`: `n` the unit's current staff and
`k` the ratio of the spread of marks within a unit to the spread of the units' true means
(one person's marks against the units' differences), both measured on the agency's own
evaluations, period by period (the median over periods; `reliability_ratio`). Nothing here
is a constant of our worlds: a unit of `k` people is trusted half, and `k` is what the data
says (2.9-12.1 on the family's report seeds: `bench/worlds.py`'s `unit_k`). A move into unit `u` loses `k / (n_u + k)` of the
unit's level `L_u`, the mean over employees of their raw gain into `u` less their mean raw
gain over the moves the rules allow them (what cancels in no person's comparison of two
units), measured on the same sample of the agency's candidate moves the within-person
model's scale is (`training.run`). Only the destination: staying is predicted from the
person's own record in the unit they hold, not from the unit's level alone.

An option (`LgbParams.unit_shrink`), off by default: it ranked better on the choice seeds
and not on the report seeds, and at the shift it called for the round's moves helped less
often than the shipped model's (docs/benchmarks.md, "A unit's level shrunk for its staff").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MIN_STAFF = 2  # a unit's marks in a period say something about its spread from two people


def reliability_ratio(rows: pd.DataFrame) -> float | None:
    """`k`: the spread of marks within a unit over the spread of units' true means, from
    rows with `period`, `unit_id` and `score` (the training rows). Per period, the pooled
    within-unit variance over the variance of the unit means less its sampling part
    (units of at least `MIN_STAFF` marks); the median over periods. None where no period has
    two such units; infinite where the units' means differ no more than their sampling
    says (then no unit's level is trusted)."""
    ratios = []
    for _, marks in rows[["period", "unit_id", "score"]].dropna().groupby("period"):
        units = marks.groupby("unit_id")["score"].agg(["mean", "var", "count"])
        units = units[units["count"] >= MIN_STAFF]
        if len(units) < 2:
            continue
        within = float((units["var"] * (units["count"] - 1)).sum() / (units["count"] - 1).sum())
        between = float(units["mean"].var()) - float((within / units["count"]).mean())
        ratios.append(within / between if between > 0 else np.inf)
    return float(np.median(ratios)) if ratios else None


@dataclass
class UnitLevels:
    """Per unit, the points a move into it loses (`k / (n + k)` of its level) and how they
    were measured."""

    discount: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def measure(
        cls,
        employee: np.ndarray,
        unit: np.ndarray,
        raw: np.ndarray,
        staff: pd.Series,
        ratio: float,
    ) -> UnitLevels:
        """From moves (`employee`, `unit` id, `raw` gain before any discount), each unit's
        level (the mean of its moves' raw gains less their employee's mean), shrunk for
        `staff` (unit id -> current staff; absent: none) with reliability ratio `ratio`."""
        moves = pd.DataFrame({"employee": employee, "unit": unit, "raw": raw})
        moves = moves[np.isfinite(moves["raw"])]
        own = moves["raw"] - moves.groupby("employee")["raw"].transform("mean")
        level = own.groupby(moves["unit"]).mean()
        n = staff.reindex(level.index).fillna(0).to_numpy(dtype=float)
        share = 1.0 if np.isinf(ratio) else ratio / (n + ratio)
        discount = level * share
        info = {
            "reliability_ratio": ratio,
            "units": len(level),
            "level_sd": float(level.std()) if len(level) > 1 else 0.0,
            "mean_abs_discount": float(np.abs(discount).mean()) if len(level) else 0.0,
        }
        return cls({str(u): float(d) for u, d in discount.items()}, info)

    def of(self, unit_ids: np.ndarray) -> np.ndarray:
        """The discount of moves into `unit_ids` (0 for a unit not measured: a unit new
        since training, or no move of the sample led into it)."""
        return pd.Series(unit_ids).map(self.discount).fillna(0.0).to_numpy(dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return {"discount": self.discount, "info": self.info}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> UnitLevels:
        return cls(dict(values["discount"]), dict(values.get("info", {})))
