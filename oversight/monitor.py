"""`penataan monitor`: did the moves people approved help, has the data moved away from what
the model learnt, and are people deciding or only signing?

Three parts, all from the record and the current data:

- **Outcomes.** For approved moves with an observed outcome (`oversight.outcomes`), the
  realised gain is the evaluation in the new unit minus the model's prediction of staying
  (the snapshot's `predicted_before`), less the model's mean error that year on everyone
  who stayed put (`stay_errors`: a year's scores move for reasons no move causes); beside it
  the claimed gain, the calibration slope of realised on claimed, the share that helped,
  the share inside the gain interval, and whether the realised gains already rule the
  claims out (`training.gain.Shortfall`: then the line may be refit before 30 outcomes).
  For rejected suggestions (the person stayed), their evaluation minus the prediction of
  staying.
- **Drift.** The population stability index (PSI) of every feature and of the prediction of
  staying, between the staff as the model was used (the suggestions' date) and the staff
  now (the data's default as-of date), both built by the one feature pipeline; a feature is
  flagged only past both the fixed threshold and what chance reaches at these sizes
  (`psi_by_chance`: a small agency's PSI is noisy).
- **Oversight.** Per stage: how many decisions, the share of each verdict, the override rate
  (tolak and ubah), by reason and by unit; a rubber-stamp flag where a stage approved nearly
  everything (at least 20 decisions, at least 95% setuju, no tolak and no ubah): a signal for
  the inspectorate, not a verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from features.data import HRData
from features.definitions import CATEGORICAL, FEATURE_NAMES
from features.pipeline import build_features, take_snapshot
from oversight.outcomes import STATUSES, match_outcomes, outcome_period
from oversight.reasons import STAGES
from oversight.store import DecisionStore
from training.gain import shortfall
from training.model import PlacementModel
from training.scoring import best_raw_moves
from training.settings import PipelineSettings

MIN_FOR_SLOPE = 10
PSI_MODERATE, PSI_SHIFTED = 0.1, 0.2
PSI_CHANCE_QUANTILE = 0.99  # a feature is flagged only past what chance reaches this often
RUBBER_STAMP = (20, 0.95)  # at least this many decisions, at least this share setuju


CLAIMS = (
    "predicted_before",
    "predicted_after",
    "gain",
    "gain_low",
    "gain_high",
    "p_help",
    "raw_gain",
)


def claims(snapshot: dict[str, Any]) -> dict[str, float | None]:
    """What a suggestion claimed, whichever screen showed it (a round's move, an API item).
    `raw_gain` is the gain before calibration; records written before it was kept (or by a
    model without a within-person part) give the predicted scores' difference, which it
    then equals."""
    interval = snapshot.get("gain_interval") or {}
    before = snapshot.get("predicted_before", snapshot.get("predicted_stay"))
    after = snapshot.get("predicted_after", snapshot.get("predicted_score"))
    raw = snapshot.get("raw_gain")
    if raw is None and before is not None and after is not None:
        raw = float(after) - float(before)
    return {
        "predicted_before": before,
        "predicted_after": after,
        "gain": snapshot.get("gain"),
        "gain_low": snapshot.get("gain_low", interval.get("low")),
        "gain_high": snapshot.get("gain_high", interval.get("high")),
        "p_help": snapshot.get("p_help", snapshot.get("probability_helps")),
        "raw_gain": raw,
    }


@dataclass(frozen=True)
class StayBaseline:
    """What staying would have shown beyond the model's prediction, in the year a date leads
    to, for a person whose best move had raw gain `raw`: `intercept + slope * raw`, fitted
    on everyone who stayed put that year (their evaluation minus the prediction of staying,
    against their own best move's raw gain at that date).

    The realised gain of a move cannot be its evaluation minus the prediction of staying:
    a year's evaluations move for reasons no move causes (raters' inflation), and a model
    suggests moving exactly those whose prediction of staying came out too low (a raw gain
    is large partly because its staying leg is underestimated: the winner's curse through
    the other leg). Stayers with the same raw gains show how much: in the first cycle of the
    loop on family world 201 the stayers' error rose by 0.40 points per point of raw gain,
    and taking it off brought the movers' realised gain from +5.54 to +4.17, the truth's
    +3.85; in the second cycle (slope 0) from +5.14 to +4.50, the truth's +4.02
    (docs/benchmarks.md, "The loop closed, re-run on d10bcc7")."""

    intercept: float
    slope: float
    stayers: int

    def expected(self, raw: float) -> float:
        return self.intercept + self.slope * raw

    def summary(self) -> dict[str, float]:
        return {"intercept": self.intercept, "slope": self.slope, "stayers": self.stayers}


def stay_baselines(
    data: HRData, model: PlacementModel, dates: list[str], settings: PipelineSettings
) -> dict[str, StayBaseline]:
    """The `StayBaseline` of every date suggestions were made for whose year is evaluated:
    every employee's best move scored at that date as the suggestions were (the settings'
    eligibility; the staff a part at a time), and the evaluation of those who stayed."""
    out = {}
    for as_of in dates:
        day = pd.Timestamp(as_of)
        period = outcome_period(None, as_of)
        if period > data.last_period:
            continue
        best = best_raw_moves(data, model, settings, day)
        ev = data.evaluations[data.evaluations["period"] == period].drop_duplicates("nip")
        found = ev.set_index("nip").reindex(best.index)
        stayed = (found["unit_id"].to_numpy() == best["unit_id"].to_numpy()) & found["score"].notna().to_numpy()  # fmt: skip
        if stayed.sum() < MIN_FOR_SLOPE:
            continue
        error = found["score"].to_numpy(float)[stayed] - best["stay_predicted"].to_numpy()[stayed]
        raw = best["best_raw"].to_numpy()[stayed]
        slope = np.polyfit(raw, error, 1)[0] if np.ptp(raw) > 0 else 0.0
        slope = float(np.clip(slope, 0.0, 1.0))  # a stay leg never explains more than the gain
        intercept = float(error.mean() - slope * raw.mean())
        out[as_of] = StayBaseline(intercept, slope, int(stayed.sum()))
    return out


def outcome_frame(
    finals: list[dict[str, Any]], checks: list[dict[str, Any]],
    baselines: dict[str, StayBaseline] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One row per decided suggestion (`DecisionStore.finals`) whose outcome check
    (`match_outcomes`) is observed and that has a stay prediction to compare to: the
    decision, the claims, `realised` (the evaluation minus the prediction of staying) and,
    with `baselines` (`stay_baselines`), `realised_net`: the same less what staying would
    have shown beyond the prediction."""
    by_id = {c["suggestion_id"]: c for c in checks}
    baselines = baselines or {}
    rows = []
    for f in finals:
        o = {**f, **by_id[f["id"]]}
        c = claims(o["snapshot"])
        if o["status"] != "observed" or c["predicted_before"] is None:
            continue
        realised = float(o["score"]) - float(c["predicted_before"])
        base = baselines.get(o["as_of"])
        raw = np.nan if c["raw_gain"] is None else float(c["raw_gain"])
        expected = base.expected(raw) if base else np.nan
        rows.append({"suggestion_id": o["suggestion_id"], "decision": o["decision"],
                     "model_version": o["model_version"], "run_id": o["run_id"],
                     "round_id": o["round_id"],
                     "to_unit_id": o["to_unit_id"], **c, "realised": realised,
                     "realised_net": realised - expected})  # fmt: skip
    return pd.DataFrame(rows, columns=["suggestion_id", "decision", "model_version", "run_id",
                                       "round_id", "to_unit_id", *CLAIMS, "realised", "realised_net"])  # fmt: skip


def measured(frame: pd.DataFrame) -> pd.Series:
    """The realised gain to judge claims by: net of staying's error where it was measured."""
    return frame["realised_net"].where(frame["realised_net"].notna(), frame["realised"]).astype(float)  # fmt: skip


def gain_figures(frame: pd.DataFrame) -> dict[str, Any]:
    """Realised against claimed gains of approved moves (`setuju`), and staying's error
    (among rejected suggestions, and among all stayers where `realised_net` is known)."""
    moved = frame[frame["decision"] == "setuju"].dropna(subset=["gain"])
    stayed = frame[frame["decision"] == "tolak"]
    out: dict[str, Any] = {"executed_observed": len(moved), "rejected_observed": len(stayed)}
    if len(stayed):
        out["rejected_stay_error"] = float(stayed["realised"].mean())
    if len(moved) == 0:
        return out
    realised, claimed = measured(moved).to_numpy(), moved["gain"].to_numpy(float)
    out |= {
        "net_of_stayers_error": bool(moved["realised_net"].notna().all()),
        "claimed_gain": float(claimed.mean()),
        "realised_gain": float(realised.mean()),
        "realised_gain_before_netting": float(moved["realised"].mean()),
        "share_helped": float((realised > 0).mean()),
        "stated_p_help": float(moved["p_help"].astype(float).mean()),
        "interval_coverage": float(
            ((realised >= moved["gain_low"].astype(float)) & (realised <= moved["gain_high"].astype(float))).mean()
        ),
    }  # fmt: skip
    out["points"] = [[round(float(c), 3), round(float(r), 3)] for c, r in zip(claimed, realised, strict=True)]  # fmt: skip
    if len(moved) >= MIN_FOR_SLOPE and np.ptp(claimed) > 0:
        out["calibration_slope"] = float(np.polyfit(claimed, realised, 1)[0])
    early = shortfall(claimed, realised)  # the test that lets a refit come before 30 outcomes
    if np.isfinite(early.t):
        out |= {"shortfall_t": early.t, "shortfall_bound": early.bound,
                "claims_ruled_out": early.rules_out_claims}  # fmt: skip
    return out


def psi(reference: np.ndarray, current: np.ndarray, categorical: bool) -> float:
    """Population stability index: sum of (cur - ref) * ln(cur / ref) over bins (deciles of
    the reference, or categories); missing values are a bin of their own."""
    return _psi_bins(reference, current, categorical)[0]


def _psi_bins(reference: np.ndarray, current: np.ndarray, categorical: bool) -> tuple[float, int]:  # fmt: skip
    """`psi` and the number of bins it summed over."""
    ref = pd.Series(reference)
    cur = pd.Series(current)
    if categorical:
        ref_bins, cur_bins = ref.astype(str), cur.astype(str)
    else:
        ref, cur = ref.astype(float), cur.astype(float)
        edges = (
            np.unique(np.nanquantile(ref, np.linspace(0, 1, 11)))
            if ref.notna().any()
            else np.array([])
        )
        inner = edges[1:-1]
        ref_bins = pd.Series(np.where(ref.isna(), -1, np.searchsorted(inner, ref, side="right")))
        cur_bins = pd.Series(np.where(cur.isna(), -1, np.searchsorted(inner, cur, side="right")))
    p = ref_bins.value_counts(normalize=True)
    q = cur_bins.value_counts(normalize=True)
    bins = p.index.union(q.index)
    p, q = p.reindex(bins, fill_value=0) + 1e-4, q.reindex(bins, fill_value=0) + 1e-4
    return float(((q - p) * np.log(q / p)).sum()), len(bins)


def psi_by_chance(n: int, m: int, bins: int, quantile: float = PSI_CHANCE_QUANTILE) -> float:
    """The PSI two samples of `n` and `m` from one population reach by chance alone: with
    nothing changed, PSI is asymptotically (1/n + 1/m) x chi-squared with `bins` - 1 degrees
    of freedom (Yurdakul & Naranjo 2020, "Statistical properties of the population stability
    index"); its `quantile`. A small agency's 300 staff against 300 reach 0.15 over ten bins
    with nothing changed, past the fixed "moderate" 0.1: a flag needs both."""
    return float((1 / max(n, 1) + 1 / max(m, 1)) * scipy.stats.chi2.ppf(quantile, max(bins - 1, 1)))


def _stay_rows(data: HRData, as_of: pd.Timestamp) -> pd.DataFrame:
    current = take_snapshot(data, as_of).employees["current_unit"].dropna()
    active = set(data.active_nips())
    current = current[current.index.isin(active)]
    pairs = pd.DataFrame({"nip": current.index, "unit_id": current.to_numpy(), "as_of": as_of})
    return build_features(data, pairs)


def drift(data: HRData, model: PlacementModel, reference: pd.Timestamp) -> dict[str, Any]:
    """PSI per feature and of the prediction of staying, `reference` date against now."""
    now = data.default_as_of()
    before, after = _stay_rows(data, reference), _stay_rows(data, now)
    measured = {
        name: _psi_bins(before[name].to_numpy(), after[name].to_numpy(), name in CATEGORICAL)
        for name in FEATURE_NAMES
    }
    chance = {name: psi_by_chance(len(before), len(after), bins) for name, (_, bins) in measured.items()}  # fmt: skip
    pred_before, pred_after = model.point(before), model.point(after)
    top = sorted(((name, value) for name, (value, _) in measured.items()), key=lambda kv: -kv[1])
    return {
        "reference_as_of": reference.date().isoformat(),
        "current_as_of": now.date().isoformat(),
        "prediction_psi": psi(pred_before, pred_after, False),
        "prediction_mean_shift": float(pred_after.mean() - pred_before.mean()),
        "features_shifted": [k for k, v in top if v >= max(PSI_SHIFTED, chance[k])],
        "features_moderate": [
            k for k, v in top if max(PSI_MODERATE, chance[k]) <= v < max(PSI_SHIFTED, chance[k])
        ],  # fmt: skip
        "feature_psi": dict(top),
        "feature_psi_by_chance": {k: chance[k] for k, _ in top},
    }


def oversight_signals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per stage: verdict shares, override rate, by reason and unit, the rubber-stamp flag."""
    by_stage: dict[str, Any] = {}
    for stage in STAGES:
        decided = [r for r in rows if r["stage"] == stage]
        verdicts = Counter(r["decision"] for r in decided)
        n = len(decided)
        if n == 0:
            continue
        units: dict[str, Counter[str]] = defaultdict(Counter)
        for r in decided:
            units[r["to_unit_id"]][r["decision"]] += 1
        overrides = verdicts["tolak"] + verdicts["ubah"]
        least, share = RUBBER_STAMP
        by_stage[stage] = {
            "decisions": n,
            "shares": {v: verdicts[v] / n for v in ("setuju", "tolak", "ubah", "tunda")},
            "override_rate": overrides / n,
            "reasons": dict(Counter(r["reason_code"] for r in decided).most_common()),
            "override_rate_by_unit": {
                u: (c["tolak"] + c["ubah"]) / sum(c.values())
                for u, c in sorted(units.items())
                if sum(c.values()) >= 5
            },  # fmt: skip
            "rubber_stamp": n >= least and verdicts["setuju"] / n >= share and overrides == 0,
        }
    return by_stage


def _by(frame: pd.DataFrame, column: str) -> dict[str, dict[str, Any]]:
    """`gain_figures` per model version or per round (items looked up outside a round have
    none and are left out of the per-round figures)."""
    return {
        str(key): {k: x for k, x in gain_figures(part).items() if k != "points"}
        for key, part in frame.dropna(subset=[column]).groupby(column)
    }


def decided_dates(store: DecisionStore) -> list[str]:
    """The dates the PPK's decided suggestions were made for: what `stay_baselines` needs."""
    return sorted({str(f["as_of"]) for f in store.finals()})


def monitor(
    store: DecisionStore, data: HRData, baselines: dict[str, StayBaseline],
    fingerprint: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Outcomes and oversight as data (JSON-ready); outcomes checked against `data` as it is
    now (not recorded: `import_outcomes` does that), realised gains net of what staying
    showed for stayers like the movers (`baselines`: `stay_baselines` of `decided_dates`,
    which a server caches); `fingerprint` is `data.fingerprint()` where the caller has it.
    Drift is `drift`, added by the caller."""
    finals = store.finals()
    fingerprint = fingerprint or data.fingerprint()
    checks = match_outcomes(finals, data, fingerprint)
    counts = Counter(c["status"] for c in checks)
    frame = outcome_frame(finals, checks, baselines)
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_fingerprint": fingerprint,
        "decided_suggestions": len(finals),
        "outcomes": {s: counts[s] for s in STATUSES},
        "gain": gain_figures(frame),
        "gain_by_version": _by(frame, "model_version"),
        "gain_by_round": _by(frame, "round_id"),
        "stayers_error": {d: b.summary() for d, b in baselines.items()},
        "oversight": oversight_signals(store.rows()),
    }


def reference_date(store: DecisionStore, data: HRData) -> pd.Timestamp:
    """What drift is measured from: the earliest date suggestions on record were made for,
    or a year before the data's as-of date when none are."""
    used = store.as_of_dates()
    return pd.Timestamp(used[0]) if used else data.default_as_of() - pd.DateOffset(years=1)


def monitor_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The report's numbers as flat MLflow metrics."""
    metrics = {f"outcomes_{k}": float(v) for k, v in report["outcomes"].items()}
    metrics |= {f"gain_{k}": float(v) for k, v in report["gain"].items() if k != "points"}
    for stage, figures in report["oversight"].items():
        metrics[f"{stage}_override_rate"] = figures["override_rate"]
        metrics[f"{stage}_rubber_stamp"] = float(figures["rubber_stamp"])
    if "drift" in report:
        metrics["prediction_psi"] = report["drift"]["prediction_psi"]
        metrics["features_shifted"] = float(len(report["drift"]["features_shifted"]))
    return metrics
