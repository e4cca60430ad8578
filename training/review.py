"""What `notebooks/model_review.ipynb` shows, kept here so it is typed, linted and tested.

The notebook reads the champion and the artifacts its training run logged; errors are taken
from the run's held-out predictions (made by the model fitted before the held-out period),
because the registered model was refit on every period and would look better than it is.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import mlflow
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from features.definitions import FEATURE_NAMES, FEATURES_BY_NAME
from training.gain import Decision, Threshold, on_pilot
from training.model import PlacementModel


def run_artifact(run_id: str, path: str) -> Any:
    """A CSV artifact as a DataFrame, a JSON artifact as a dict."""
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path)
    if path.endswith(".json"):
        return json.loads(Path(local).read_text())
    return pd.read_csv(local)


def errors_by(held: pd.DataFrame, units: pd.DataFrame, by: str) -> pd.DataFrame:
    """Held-out error per value of a unit attribute (`domain`, `unit_kind`): where it errs."""
    frame = held.merge(units[["unit_id", by]], on="unit_id", how="left")
    frame["error"] = frame["predicted_score"] - frame["score"]
    return (
        frame.groupby(by)["error"]
        .agg(
            n="size",
            mae=lambda e: float(np.abs(e).mean()),
            rmse=lambda e: float(np.sqrt((e**2).mean())),
            bias="mean",
        )
        .sort_values("n", ascending=False)
    )


def shap_summary(model: PlacementModel, rows: pd.DataFrame, top: int = 15) -> Figure:
    """A beeswarm-style summary: each dot a row, x its contribution, colour the feature's
    value within its range (categoricals grey)."""
    contrib = model.contributions(rows)[list(FEATURE_NAMES)]
    order = contrib.abs().mean().sort_values(ascending=False).index[:top][::-1]
    rng = np.random.default_rng(0)
    fig, ax = plt.subplots(figsize=(9, 0.4 * top + 1.5))
    for y, name in enumerate(order):
        values = rows[name]
        if FEATURES_BY_NAME[name].dtype == "float":
            v = values.astype(float)
            span = (v.max() - v.min()) or 1.0
            colour: Any = ((v - v.min()) / span).fillna(0.5).to_numpy()
        else:
            colour = "grey"
        jitter = rng.uniform(-0.3, 0.3, len(rows))
        ax.scatter(contrib[name], y + jitter, c=colour, cmap="coolwarm", s=6, alpha=0.6)
    ax.set_yticks(range(len(order)), [FEATURES_BY_NAME[n].label_en for n in order])
    ax.axvline(0, color="black", linewidth=0.5)
    ax.set_xlabel("contribution to the predicted score (points); colour: low → high value")
    ax.set_title("SHAP summary (TreeSHAP, pred_contrib) on held-out rows")
    fig.tight_layout()
    return fig


def fairness_table(report: dict[str, Any]) -> pd.DataFrame:
    """The run's fairness report as one row per group: held-out MAE and mean suggested gain."""
    rows = []
    for attribute in ("sex", "age_band"):
        part = report[attribute]
        for group, cell in part["held_out_mae"].items():
            gain = part["top_suggestion_gain"].get(group, {})
            rows.append(
                {
                    "attribute": attribute,
                    "group": group,
                    "held_out_mae": cell["mae"],
                    "n_held_out": cell["n"],
                    "mean_top_gain": gain.get("gain", np.nan),
                    "n_people": gain.get("n", 0),
                }
            )
    return pd.DataFrame(rows).set_index(["attribute", "group"])


def decision_table(
    p_best: np.ndarray, pilot_size: int, default: Decision,
    precisions: tuple[float, ...] = (0.6, 0.7, 0.8, 0.9),
) -> pd.DataFrame:  # fmt: skip
    """What each operating point would do on this staff (`p_best`: each employee's best
    move's probability of helping, `ScoredStaff.best_p`): how many people it suggests a
    move to on the evidence and as a pilot, the least probability it accepts, and the share
    of those moves expected to help. The same `Decision.threshold` and `on_pilot` the API,
    `penataan score` and the round use (per employee's best move, `min_gain_low` aside); the
    default's precision (`PENATAAN_PRECISION`) among the rows."""
    p = np.asarray(p_best, dtype=float)
    rows = []
    for precision in sorted({*precisions, default.precision}):
        point = dataclasses.replace(default, precision=precision, min_gain_low=None)
        threshold = point.threshold(p, pilot_size)
        suggested = point.accepts(p, p, threshold)  # the interval's floor aside: no gain_low
        pilot = suggested & on_pilot(p, threshold)
        evidence = suggested & ~pilot
        taken = p[suggested]
        rows.append({
            "precision asked": precision, "default": precision == default.precision,
            "on the evidence": int(evidence.sum()), "as a pilot": int(pilot.sum()),
            "share of staff with a move": len(taken) / max(len(p), 1),
            "least probability": float(taken.min()) if len(taken) else np.nan,
            "expected share helping": float(taken.mean()) if len(taken) else np.nan,
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("precision asked")


def probability_histogram(p_best: np.ndarray, threshold: Threshold) -> Figure:
    """Each employee's best move's probability of helping, with where the default
    operating point starts suggesting on the evidence and as a pilot."""
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.hist(p_best[np.isfinite(p_best)], bins=[k / 40 for k in range(41)], color="#7a9cc6")
    for x, label, style in ((threshold.evidence, "on the evidence", "-"), (threshold.pilot, "as a pilot", "--")):  # fmt: skip
        if np.isfinite(x):
            ax.axvline(
                x, color="black", linestyle=style, linewidth=1, label=f"{label} from {x:.2f}"
            )
    ax.set_xlabel("probability that the employee's best move truly helps")
    ax.set_ylabel("employees")
    ax.set_title("How sure the best move of each employee is")
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    fig.tight_layout()
    return fig
