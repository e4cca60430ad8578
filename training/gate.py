"""Who may take `@champion`: the promotion rule, and what changed in the history since.

A retrain on broken data (scores shuffled by a bad join, a truncated export) must never
replace the serving model, even when the champion scores no better on the new held-out
labels (they are noise for both). So a candidate is promoted only if it clearly beats the
simple baselines on its own held-out period (by `GATE_MARGIN` of their RMSE: shuffled labels
make every model as good as the global mean), and then only if it also beats the champion
on the same data, or, ranking moves another way than the champion (`PlacementModel.ranking`:
the within-person model added, its caution changed, or its penalty set another way), scores
no worse: the score alone
cannot tell two rankings apart, and what can (the truth) no agency has, so that choice was
made on the family's choice seeds and is reported on the report seeds (docs/benchmarks.md). Past
records that changed since the champion's training (scores, assignments of periods both
runs hold) are reported with the decision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd

from features.data import HRData
from features.kinerja import RECORDED_SCORE

GATE_MARGIN = 0.02  # the candidate's RMSE must be at least 2% below every simple baseline's
SIMPLE_BASELINES = ("global_mean", "unit_mean", "education_rule")


def _digest(frame: pd.DataFrame) -> str:
    rows = frame.astype(str).sort_values(list(frame.columns)).to_csv(index=False)
    return hashlib.sha256(rows.encode()).hexdigest()[:16]


def history_digest(data: HRData) -> dict[str, str]:
    """A hash per period of the evaluations and of the assignments starting that year."""
    out = {}
    ev = data.evaluations
    recorded = ["nip", "unit_id", RECORDED_SCORE if RECORDED_SCORE in ev else "score", "predikat"]
    for period, part in ev.groupby("period"):
        out[f"evaluations:{int(period)}"] = _digest(part[recorded])  # as recorded, not placed
    asg = data.assignments
    for year, part in asg.groupby(asg["start_date"].dt.year):
        out[f"assignments:{int(year)}"] = _digest(
            part[["nip", "unit_id", "start_date", "end_date"]]
        )
    return out


def changed_history(before: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The periods both digests hold whose records differ."""
    return sorted(k for k in before.keys() & now.keys() if before[k] != now[k])


def decide(
    metrics: Mapping[str, Mapping[str, float]],
    champion_version: str | None,
    champion_rmse: float | None,
    changed: list[str],
    ranking_change: str | None = None,
) -> tuple[bool, str]:
    """(promoted, reason). `metrics` is the run's table: model and baselines, held-out RMSE;
    `ranking_change` says how the candidate ranks moves otherwise than the champion (None:
    the same way)."""
    rmse = metrics["model"]["rmse"]
    floor = min(metrics[b]["rmse"] for b in SIMPLE_BASELINES if b in metrics)
    note = f"; history changed since the champion: {', '.join(changed)}" if changed else ""
    if not rmse <= (1 - GATE_MARGIN) * floor:
        return False, (
            f"held-out RMSE {rmse:.3f} does not clearly beat the simple baselines "
            f"(best {floor:.3f}; needs {GATE_MARGIN:.0%} better): broken or shuffled data?{note}"
        )
    if champion_version is None:
        return (
            True,
            f"no champion yet; beats the simple baselines ({rmse:.3f} vs {floor:.3f}){note}",
        )
    if champion_rmse is None:
        return True, (
            f"champion v{champion_version} cannot be compared: of another feature set, or it no "
            f"longer loads; beats the simple baselines ({rmse:.3f} vs {floor:.3f}){note}"
        )
    if rmse < champion_rmse:
        return (
            True,
            f"held-out RMSE {rmse:.3f} beats champion v{champion_version} ({champion_rmse:.3f}){note}",
        )
    if ranking_change is not None and rmse <= champion_rmse:
        return (
            True,
            f"held-out RMSE {rmse:.3f} no worse than champion v{champion_version} "
            f"({champion_rmse:.3f}) and ranks moves otherwise: {ranking_change}{note}",
        )
    return (
        False,
        f"held-out RMSE {rmse:.3f} does not beat champion v{champion_version} ({champion_rmse:.3f}){note}",
    )
