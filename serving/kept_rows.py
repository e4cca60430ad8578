"""The model rows and explanations of the answers the API gives most: kept at load, so
that a request explains its rows without building them or walking the trees.

A request returns a handful of rows and explains them with TreeSHAP; before that it needs
their model rows, which the engine does not keep for every pair (about two kilobytes a
pair). Building five rows from the records' snapshot costs milliseconds of pandas per
request, while building every employee's likely answer at load is one batch of rows, paid
once. So the engine keeps the model rows of each
employee's first `top_k` rows under the server's own decision, with and without the
ineligible units (the two ways `/v1/recommend` is asked by default): a few rows per
employee, about 400 bytes each. Any other row (another precision, a list of units, a longer
list) is built as before; a kept row is the same row, to the last bit (a test holds it).

TreeSHAP is then most of a request's time (about 2.5 ms a row through a bag of six
boosters on this project's machine, so ten milliseconds for the four moves of an answer).
The same rows' explanations are computed once, after the engine is in service, by a
background job on one thread (`explain_ahead`); until a row's turn comes, a request
explains it itself, exactly as before. An explanation is LightGBM's TreeSHAP of that row,
so kept or fresh it is the same numbers (a test holds that too).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from training.candidates import ScoredTable
from training.gain import Decision

RANK_BLOCK = 1000  # employees ranked at once when the kept rows are chosen
EXPLAIN_BLOCK = 256  # rows explained ahead at once: a second or so, then `stop` is looked at


@dataclass(frozen=True)
class KeptRows:
    rows: np.ndarray  # table rows, sorted
    x: np.ndarray  # their model rows (what `PlacementModel.matrix` gives), in that order
    # TreeSHAP of each kept row (features, then the base), once `explain_ahead` reached it;
    # filled in place by one background job: a row's flag is set after its values
    contrib: np.ndarray
    explained: np.ndarray  # per kept row: `contrib` holds its explanation

    @classmethod
    def of(cls, rows: np.ndarray, x: np.ndarray) -> KeptRows:
        """`rows` with their model rows `x`, none explained yet."""
        contrib = np.full((len(rows), x.shape[1] + 1), np.nan)
        return cls(rows, x, contrib, np.zeros(len(rows), dtype=bool))

    @classmethod
    def build(
        cls, scored: ScoredTable, decision: Decision, top_k: int,
        matrix: Callable[[np.ndarray], np.ndarray], block: int = RANK_BLOCK,
    ) -> KeptRows:  # fmt: skip
        """The rows each employee's default answer returns (ranked `top_k` or better by
        `decision`, among all units and among the units no rule rules out), with their
        model rows from `matrix` (table rows -> model rows). Ranked `block` employees at a
        time under the whole staff's threshold: a rank is within one employee, and ranking a
        province's 128M pairs at once would need several gigabytes of sort keys."""
        blocks = list(scored.employee_blocks(block))
        best = np.concatenate([part.best_p() for _, part in blocks])
        threshold = decision.threshold(best, scored.pilot_moves)
        found = []
        for start, part in blocks:
            eligible = np.asarray(~part.table.broken.any(axis=1))
            first = np.zeros(len(part.table), dtype=bool)
            for where in (None, eligible):
                ranks = part.ranks(decision, where, threshold=threshold)
                first |= (ranks >= 1) & (ranks <= top_k)
            found.append(start + np.flatnonzero(first))
        rows = np.concatenate(found) if found else np.array([], dtype=int)
        return cls.of(rows, matrix(rows))

    def _find(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each of table rows `rows` is among the kept ones, and whether it is."""
        if not len(self.rows):
            return np.zeros(len(rows), dtype=int), np.zeros(len(rows), dtype=bool)
        at = np.searchsorted(self.rows, rows).clip(max=len(self.rows) - 1)
        return at, self.rows[at] == rows

    def take(self, rows: np.ndarray, matrix: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The model rows of table rows `rows`: kept ones copied, the others from `matrix`."""
        at, kept = self._find(rows)
        if kept.all():
            return self.x[at]
        x = np.empty((len(rows), self.x.shape[1]))
        x[kept] = self.x[at[kept]]
        x[~kept] = matrix(rows[~kept])
        return x

    def explanations(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of table rows `rows` have their TreeSHAP kept, and those explanations."""
        at, kept = self._find(rows)
        kept[kept] = self.explained[at[kept]]
        return kept, self.contrib[at[kept]]

    def explain_ahead(
        self, contributions: Callable[[np.ndarray], np.ndarray], todo: np.ndarray,
        stop: threading.Event,
    ) -> int:  # fmt: skip
        """Explain the kept rows where `todo` (model rows -> TreeSHAP), a block at a time,
        until all are or `stop` is set; how many were."""
        done = 0
        pending = np.flatnonzero(todo & ~self.explained)
        for start in range(0, len(pending), EXPLAIN_BLOCK):
            if stop.is_set():
                break
            block = pending[start : start + EXPLAIN_BLOCK]
            self.contrib[block] = contributions(self.x[block])
            self.explained[block] = True  # after the values: a reader never sees half
            done += len(block)
        return done
