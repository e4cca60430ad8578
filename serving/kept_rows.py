"""The model rows of the answers the API gives most: kept at load, so that a request
explains its rows without building them.

A request returns a handful of rows and explains them with TreeSHAP; before that it needs
their model rows, which the engine does not keep for every pair (about two kilobytes a
pair). Building five rows from the records' snapshot costs milliseconds of pandas per
request, while building every employee's likely answer at load is one batch of rows, paid
once. So the engine keeps the model rows of each
employee's first `top_k` rows under the server's own decision, with and without the
ineligible units (the two ways `/v1/recommend` is asked by default): a few rows per
employee, about 400 bytes each. Any other row (another precision, a list of units, a longer
list) is built as before; a kept row is the same row, to the last bit (a test holds it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from training.candidates import ScoredTable
from training.gain import Decision


@dataclass(frozen=True)
class KeptRows:
    rows: np.ndarray  # table rows, sorted
    x: np.ndarray  # their model rows (what `PlacementModel.matrix` gives), in that order

    @classmethod
    def build(
        cls, scored: ScoredTable, decision: Decision, top_k: int,
        matrix: Callable[[np.ndarray], np.ndarray],
    ) -> KeptRows:  # fmt: skip
        """The rows each employee's default answer returns (ranked `top_k` or better by
        `decision`, among all units and among the units no rule rules out), with their
        model rows from `matrix` (table rows -> model rows)."""
        threshold = scored.threshold(decision)
        eligible = np.asarray(~scored.table.broken.any(axis=1))
        first = np.zeros(len(scored.table), dtype=bool)
        for where in (None, eligible):
            ranks = scored.ranks(decision, where, threshold=threshold)
            first |= (ranks >= 1) & (ranks <= top_k)
        rows = np.flatnonzero(first)
        return cls(rows, matrix(rows))

    def take(self, rows: np.ndarray, matrix: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The model rows of table rows `rows`: kept ones copied, the others from `matrix`."""
        at = np.searchsorted(self.rows, rows).clip(max=max(len(self.rows) - 1, 0))
        kept = (self.rows[at] == rows) if len(self.rows) else np.zeros(len(rows), dtype=bool)
        if kept.all():
            return self.x[at]
        x = np.empty((len(rows), self.x.shape[1]))
        x[kept] = self.x[at[kept]]
        x[~kept] = matrix(rows[~kept])
        return x
