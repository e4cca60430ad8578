"""The model and its decisions judged across a family of worlds, never one.

Each seed is an `ampenan` world of a family scenario (`penataan generate --preset ampenan
--scenario family --seed N`: its causal structure drawn from `world/scenarios.py`;
`family-hidden` and `family-observed` draw the same but every past transfer was chosen on a
knack no record shows, or on the fit the records show), trained with the default `penataan
train` path on a fresh registry, then scored against its truth:

- the ranking: top-1 and move regret beside the education rule and ridge, and beside the
  record-only oracle (the truth averaged over what no record shows: a person's knack, and
  how a unit's marks split into leadership, raters' leniency and the year's shock, next
  year's leadership forecast from the past years' marks: `World.truth`), whose own
  decision curve (`oracle_h@5%`, `oracle_moved@80`, `oracle_gain@80`, ...) is a bound above
  what any model of the records could reach (it reads every year's unit marks exactly);
- the decision at the default operating point (`PENATAAN_PRECISION` 0.8): the share of
  people with a move suggested, the share of those moves that truly help, claimed against
  true gain, top-1 regret against staying's;
- the decision curve: moving the top 1, 2, 5, 10, 20% of people by their best move's
  probability of helping, everyone else staying, the share that truly helps, the true gain
  per employee and top-1 regret against staying's (`h@k`, `g@k`, `t1@k`); the same at the
  largest share whose moves still help 80% of the time (`moved@80`, `gain@80`, `t1@80`),
  and the record-only oracle's (`oracle_h@k`, `oracle_g@k`), printed as one table with the
  default operating point on it;
  and `gap@5%`, the claimed minus the true gain of the top 5% of people's best moves (how
  far the claim is off where a decision looks first), beside the gain line the held-out
  movers gave (`line_alpha`, `line_beta`, `line_moves`: the evidence the data hold; and
  `unit_k`, the staff that show a unit's level half, `training.unit_levels`) and
  what the world was drawn with that no record shows apart (`leniency`, `leadership`,
  `knack`: sd of each), with the correlation of `gap@5%` with each across the worlds;
- where the order goes wrong: the model's gains and the truth's each split into each
  person's mean gain over their moves (what moving at all brings them), every unit's level
  (what moving into it brings anyone) and the person x unit part, how well each of the
  model's parts follows the truth's (`person_r`, `unit_r`, `pair_r`), the person part's
  share of the truth's gains (`person_share`), the levels' share of what separates a
  person's units in the truth and in the model (`unit_share`, `unit_share_model`), for the
  top 5% of people's best moves the truth's step in level from the unit left to the unit
  moved to, among the moves that do not help and those that do (`lvl_fail`, `lvl_help`),
  and the curve the model's own three parts give weighed by least squares against the
  truth over the allowed moves, in sample (`reweighed_h@5%`, `reweighed_moved@80`): what
  another mix of the same parts could reach, not a method; and not a bound at the top of
  the order either, which least squares over all moves does not aim at; and the same
  curve with each of the model's three parts in turn replaced by the truth's, the other
  two the model's own (`known_person_*`, `known_unit_*`, `known_pair_*`): which part, if
  the records showed it exactly, would close the distance to the truth at the top;
- the calibration of the probability of helping, pooled over the worlds (a table by decile),
  and how often a move's true gain lies in its 80% gain interval, among the moves suggested
  (`coverage`) and among the top 5% of people's best moves (`cover@5%`): an interval that
  must hold for the moves picked because they look best, not for all moves;
- the pilot (`training.gain`: the surest moves, suggested while the line has seen no outcome
  of the agency's own suggestions): the share of people it moves and the share of those
  moves that truly help (`pilot`, `pilot_helpful`; part of `moved` and `helpful`);
- a default round (`penataan plan`): moves, share that truly helps, true against predicted,
  and the share of people it moves as a pilot (`round_pilot`).

    .venv/bin/python bench/worlds.py --seeds 101-112            # the seeds choices are made on
    .venv/bin/python bench/worlds.py --seeds 201-212 --plot curve.png  # the seeds reported, never tuned on
    .venv/bin/python bench/worlds.py --seeds 201-206 --scenario family-hidden
    .venv/bin/python bench/worlds.py --seeds 201-212 --no-gain-prior  # the evidence-only gain
    .venv/bin/python bench/worlds.py --seeds 201-212 --pilot 0        # the decision without a pilot
    .venv/bin/python bench/worlds.py --seeds 101-112 --measured-curse # the curse measured on stayers
    .venv/bin/python bench/worlds.py --seeds 101-112 --shifts 2,1,0   # the decision at other priors
    .venv/bin/python bench/worlds.py --seeds 101-112 --p-spreads outcome,truth  # P from either spread

Prints one line per world, the median and worst of each figure beside its target, the
decision curve and the reliability table (`--plot` draws the curve); with `--shifts`, all of
it once per selection shift (the points the gain's prior takes off every move,
`training.gain.SELECTION_SHIFT`), with `--p-spreads`, once per
spread the probability of helping reads (`outcome`, a year's outcome around the gain line;
`truth`, the true gains' around it: `training.gain.GainCalibration.truth_sd`), each from the
same trained model, so that only the decision differs. Worlds are generated once into
data/worlds/ and reused.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from timing import quiet

from features import vocab
from features.contract.validate import load_data
from planning.run import plan_round
from planning.settings import PlanRules
from training.candidates import CandidateTable, ScoredTable
from training.evaluation import read_truth, true_scores
from training.gain import Decision, on_pilot
from training.model import LgbParams
from training.registry import current_champion
from training.run import train
from training.settings import PipelineSettings
from world.writer import ensure_world

ROOT = Path("data/worlds")
CURVE = (0.01, 0.02, 0.05, 0.10, 0.20)  # shares of people moved, by probability of helping
# effects of the world's drawing that no record shows apart (world/outcome.py `Causal`): a
# rater's lasting leniency, the unit's own (real) effect, the person's hidden knack
DRAWN = ("leniency", "leadership", "knack")
SPREADS = {False: "outcome", True: "truth"}  # what the probability of helping reads


def seeds(text: str) -> list[int]:
    """`101-112` or `101,105,107`."""
    if "-" in text:
        first, last = (int(x) for x in text.split("-"))
        return list(range(first, last + 1))
    return [int(x) for x in text.split(",")]


def spreads(text: str) -> tuple[bool, ...]:
    """`outcome,truth` -> (False, True): `p_of_truth` per spread named."""
    named = {name: value for value, name in SPREADS.items()}
    unknown = [x for x in text.split(",") if x not in named]
    if unknown:
        raise argparse.ArgumentTypeError(f"{unknown[0]!r}: a spread is one of {', '.join(named)}")
    return tuple(named[x] for x in text.split(","))


def param(text: str) -> tuple[str, object]:
    """`additive=true` -> ("additive", True), `bag=1` -> ("bag", 1): the value as JSON."""
    name, _, value = text.partition("=")
    return name, json.loads(value)


def gain_parts(values: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A people x units matrix of gains (only where `keep`) in three parts: each person's
    mean gain over their moves (what moving at all brings them: NaN without a move), each
    unit's level (the mean over people of the gain less the person's own mean: what moving
    into that unit brings anyone), and the person x unit part left (NaN where not kept or
    not measured)."""
    kept = keep & np.isfinite(values)
    filled = np.where(kept, values, 0.0)
    count_person = kept.sum(axis=1)
    person = np.where(count_person > 0, filled.sum(axis=1) / np.maximum(count_person, 1), np.nan)
    centred = np.where(kept, values - np.nan_to_num(person)[:, None], 0.0)
    count = kept.sum(axis=0)
    level = np.where(count > 0, centred.sum(axis=0) / np.maximum(count, 1), np.nan)
    return person, level, np.where(kept, centred - level, np.nan)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's r over the entries finite in both (NaN with fewer than three)."""
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.corrcoef(a[both], b[both])[0, 1]) if both.sum() > 2 else np.nan


def ranking_diagnosis(
    scored: ScoredTable, true_gain: np.ndarray, moves: np.ndarray, top: np.ndarray,
    placed: np.ndarray,
) -> dict[str, float]:  # fmt: skip
    """Where the model's order goes wrong: the truth's gains over the moves the rules allow
    split into each person's mean, each unit's level and the person x unit part
    (`gain_parts`); the person part's share of their variance over those moves
    (`person_share`) and the levels' share of what separates one person's units
    (`unit_share`; `unit_share_model` the same of the model's raw gains: above the truth's,
    the order leans on the units' levels more than what is at stake in them); how
    well the model's gains, split the same way, follow each part (`person_r`, `unit_r`,
    `pair_r`); for the best moves of the people at the top of the order (`top`, rows), the
    truth's step in level from the unit left to the unit moved to, among the moves that do
    not help (`lvl_fail`) and those that do (`lvl_help`); and what the model's own three
    parts give weighed by least squares against the truth over the moves, in sample (a mix
    no method could know, and no bound at the top, which least squares does not aim at):
    the top 5% of the curve and the share movable at 80% helping (`reweighed_h@5%`,
    `reweighed_moved@80`) among the people `placed` (a mask over the table's people, as
    the model's own curve counts them)."""
    t = scored.table
    shape = (len(t.nips), t.n_units)
    keep = moves.reshape(shape)
    truth, raw = true_gain.reshape(shape), scored.raw_gain.reshape(shape)
    true_person, true_level, true_pair = gain_parts(truth, keep)
    model_person, model_level, model_pair = gain_parts(raw, keep)
    current = t.stay_unit[t.employee_of(top)]
    target = t.unit_of(top)
    helps = true_gain[top] > 0

    def step(level: np.ndarray, rows: np.ndarray) -> float:
        steps = level[target[rows]] - level[current[rows]]
        steps = steps[np.isfinite(steps)]
        return float(steps.mean()) if len(steps) else np.nan

    def level_share(level: np.ndarray, pair: np.ndarray) -> float:
        spread = np.nanvar(np.where(keep, level, np.nan))  # over the moves, like the pairs'
        return float(spread / (spread + np.nanvar(pair)))

    both = keep & placed[:, None] & np.isfinite(truth) & np.isfinite(raw)

    def ordered(values: np.ndarray) -> dict[str, float]:
        """The curve of each person's best move by `values` (over `both`), people in the
        order of it."""
        gains = np.full(shape, -np.inf)
        gains[both] = values
        has = np.isfinite(gains.max(axis=1))
        rows = np.flatnonzero(has) * shape[1] + gains.argmax(axis=1)[has]
        order = rows[np.argsort(-gains.ravel()[rows], kind="stable")]
        return curve(true_gain[order] > 0, true_gain[order], int(placed.sum()))  # no regrets

    def on(part: np.ndarray) -> np.ndarray:  # a part's values over the moves kept
        return np.broadcast_to(part, shape)[both]

    terms = {"person": (on(model_person[:, None]), on(true_person[:, None])),
             "unit": (on(model_level[None, :]), on(true_level[None, :])),
             "pair": (on(model_pair), on(true_pair))}  # fmt: skip
    design = np.column_stack([np.ones(both.sum()), *(model for model, _ in terms.values())])
    weights = np.linalg.lstsq(design, truth[both], rcond=None)[0]
    mix = ordered(design @ weights)
    # each part of the model's gains in turn replaced by the truth's, the other two the
    # model's own: how far knowing that part alone would take the top of the order
    known = {
        name: ordered(sum(truth_part if other == name else model_part
                          for other, (model_part, truth_part) in terms.items()))
        for name in terms
    }  # fmt: skip
    return {
        "person_share": float(np.var(terms["person"][1]) / np.var(truth[both])),
        "unit_share": level_share(true_level, true_pair),
        "unit_share_model": level_share(model_level, model_pair),
        "person_r": correlation(true_person, model_person),
        "unit_r": correlation(true_level, model_level),
        "pair_r": correlation(true_pair.ravel(), model_pair.ravel()),
        "lvl_fail": step(true_level, ~helps),
        "lvl_help": step(true_level, helps),
        "reweighed_h@5%": mix["h@5%"],
        "reweighed_moved@80": mix["moved@80"],
        **{
            f"known_{name}_{k}": reach[k]
            for name, reach in known.items()
            for k in ("h@5%", "moved@80")
        },
    }


def curve(
    helped: np.ndarray, true_gain: np.ndarray, n_people: int, stay_regret: float = np.nan
) -> dict[str, float]:
    """People moved in an order, each to their best move (`helped`, `true_gain`: that move's,
    in the order), everyone else staying: at each of the `CURVE` shares of `n_people` the
    share truly helping (`h@k`), the true gain per employee (`g@k`) and top-1 regret against
    staying's (`t1@k`: moving a person changes their regret by exactly the move's true gain);
    the largest share whose moves still help 80% of the time (`moved@80`), the true gain per
    employee it captures (`gain@80`) and its top-1 regret (`t1@80`). Without `stay_regret`
    the regrets are NaN."""
    n = max(n_people, 1)
    out = {}
    for share in CURVE:
        k = int(round(share * n_people))
        gain = float(true_gain[:k].sum()) / n
        out[f"h@{share:.0%}"] = float(helped[:k].mean()) if k else np.nan
        out[f"g@{share:.0%}"] = gain
        out[f"t1@{share:.0%}"] = 1.0 - gain / stay_regret
    running = np.cumsum(helped) / np.arange(1, len(helped) + 1)
    ok = np.flatnonzero(running >= 0.8)
    k80 = int(ok[-1]) + 1 if len(ok) else 0
    out["moved@80"] = k80 / n
    out["gain@80"] = float(true_gain[:k80].sum()) / n
    out["t1@80"] = 1.0 - out["gain@80"] / stay_regret
    return out


def decision_figures(
    scored: ScoredTable, true: np.ndarray, record: np.ndarray, decision: Decision
) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """The decision at `decision`, the curve, the record-only oracle; and per employee the
    best move's probability of helping and whether it truly helps (for the reliability)."""
    t = scored.table
    n_e, n_u = len(t.nips), t.n_units
    allowed = t.allowed()
    stay_rows = t.stay_rows
    placed = (stay_rows.reshape(n_e, n_u)[:, 0] >= 0) & ~np.isnan(true.reshape(n_e, n_u)).any(1)
    true_gain = true - np.where(stay_rows >= 0, true[np.maximum(stay_rows, 0)], np.nan)
    best = scored.best_moves()
    best = best[(best >= 0) & placed]
    p, helped, tg = scored.p_help[best], true_gain[best] > 0, true_gain[best]
    claimed = scored.gain[best]
    current = true[np.maximum(stay_rows, 0)].reshape(n_e, n_u)[:, 0][placed]
    ceiling = np.where(allowed | t.is_stay, true, -np.inf).reshape(n_e, n_u)[placed].max(axis=1)
    stay_regret = float((ceiling - current).mean())

    top = scored.top(decision, allowed)
    top = top[placed[t.employee_of(top)]]
    moved = top[~t.is_stay[top]]
    trial = moved[on_pilot(scored.p_help[moved], scored.threshold(decision, allowed))]
    chosen_true = true[top]

    def covered(rows: np.ndarray) -> float:
        """The share of `rows` whose true gain lies in their stated gain interval."""
        inside = (true_gain[rows] >= scored.gain_low[rows]) & (
            true_gain[rows] <= scored.gain_high[rows]
        )
        return float(inside.mean()) if len(rows) else np.nan

    out: dict[str, float] = {
        "moved": len(moved) / max(placed.sum(), 1),
        "helpful": float((true_gain[moved] > 0).mean()) if len(moved) else np.nan,
        "claimed": float(scored.gain[moved].mean()) if len(moved) else np.nan,
        "true_gain": float(true_gain[moved].mean()) if len(moved) else np.nan,
        "p_mean": float(scored.p_help[moved].mean()) if len(moved) else np.nan,
        "coverage": covered(moved),  # of the 80% gain interval, among the moves suggested
        "top1_x_stay": float((ceiling - chosen_true).mean()) / stay_regret,
        "gain_per_emp": float(true_gain[moved].sum()) / max(placed.sum(), 1),
        "pilot": len(trial) / max(placed.sum(), 1),  # of those moved, the pilot's
        "pilot_helpful": float((true_gain[trial] > 0).mean()) if len(trial) else np.nan,
    }
    order = np.argsort(-p, kind="stable")
    out.update(curve(helped[order], tg[order], int(placed.sum()), stay_regret))
    top5 = order[: int(round(0.05 * placed.sum()))]
    # how far the claim overstates the truth where the decision looks first: the bias a
    # precision target meets, and which no constant offset can remove if it varies by world
    out["gap@5%"] = float((claimed[top5] - tg[top5]).mean()) if len(top5) else np.nan
    out["cover@5%"] = covered(best[top5])  # the same for the top 5%'s best moves
    oracle = np.where(allowed | t.is_stay, record, -np.inf).reshape(n_e, n_u)[placed]
    oracle_pick = true.reshape(n_e, n_u)[placed][np.arange(placed.sum()), oracle.argmax(axis=1)]
    out["oracle_x_stay"] = float((ceiling - oracle_pick).mean()) / stay_regret
    moves = allowed & ~t.is_stay & (stay_rows >= 0)
    # the oracle's own decision curve: each person's best move by the record-only gain, people
    # in the order of that gain; a bound above what a model of these records could reach
    record_gain = record - np.where(stay_rows >= 0, record[np.maximum(stay_rows, 0)], np.nan)
    gains = np.where(moves, record_gain, -np.inf).reshape(n_e, n_u)
    has_move = placed & np.isfinite(gains.max(axis=1))
    rows = np.flatnonzero(has_move) * n_u + gains.argmax(axis=1)[has_move]
    by_oracle = rows[np.argsort(-record_gain[rows], kind="stable")]
    reach = curve(true_gain[by_oracle] > 0, true_gain[by_oracle], int(placed.sum()), stay_regret)
    out.update({f"oracle_{name}": value for name, value in reach.items() if "t1@" not in name})
    out.update(ranking_diagnosis(scored, true_gain, moves, best[top5], placed))
    return out, p, helped


def one_world(
    seed: int, preset: str, scenario: str, gain_prior: bool, measured: bool = False,
    params: LgbParams | None = None, pilot: int | None = None,
    shifts: tuple[float, ...] | None = None, spreads: tuple[bool, ...] | None = None,
) -> list[dict[str, object]]:  # fmt: skip
    """Generate (once), train with the defaults, score the truth, plan a default round: one
    row, or one per selection shift in `shifts` and per spread in `spreads` (the same trained
    model and order, its gain line's prior shift replaced, `training.gain.SELECTION_SHIFT`,
    and its probability read from the true gains' spread or not: `p_of_truth`)."""
    path = ROOT / f"{preset}-{scenario}-{seed}"
    ensure_world(preset, seed, path, scenario=scenario)
    causal = json.loads((path / "truth" / "causal.json").read_text())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = PipelineSettings(
            mlflow_tracking_uri=f"sqlite:///{tmp}/mlflow.db", experiment="worlds",
            gain_prior=gain_prior, gain_measured_curse=measured, pilot=pilot,
        )  # fmt: skip
        result = train(path, settings, params or LgbParams())
        seconds = time.perf_counter() - started
        champion = current_champion(settings.model_name, settings.model_alias)
        assert champion is not None
        data = load_data(path, settings.predikat_scale)
        table = CandidateTable.build(data, None, settings)
        truth = read_truth(path)
        assert truth is not None
        true = true_scores(table, truth)
        column = vocab.RECORD_SCORE if vocab.RECORD_SCORE in truth else "expected_score"
        record = (
            truth.set_index(["nip", "unit_id"])[column]
            .reindex(
                pd.MultiIndex.from_arrays(
                    [table.rows["nip"].to_numpy(), table.rows["unit_id"].to_numpy()]
                )
            )
            .to_numpy(dtype=float)
        )
        line = champion.model.gain  # what the held-out movers said of the raw gain (training.gain)
        m = result.metrics
        model = m.loc["model"]
        world = {  # what does not depend on the shift
            "seed": seed,
            "policies": "+".join(sorted(causal["move_policy"])),
            "train_s": seconds,
            "move_x_rule": model["move_regret"] / m.loc["education_rule", "move_regret"],
            "move_x_ridge": model["move_regret"] / m.loc["linear", "move_regret"],
            # the calibration line beside gap@5%: the data's own evidence against the truth's
            "line_alpha": line.alpha if line is not None else np.nan,
            "line_beta": line.beta if line is not None else np.nan,
            "line_moves": line.n_moves if line is not None else np.nan,
            # how many staff show a unit's level half (training.unit_levels), from the marks
            "unit_k": (
                levels.info["reliability_ratio"]
                if (levels := champion.model.unit_levels) is not None
                else np.nan
            ),
            # what the world was drawn with (its truth): which of it the claim's offset follows
            **{name: causal[f"{name}_sd"] for name in DRAWN},
        }
        rows = []
        for shift, spread in itertools.product(shifts or (None,), spreads or (None,)):
            placement = champion.model
            if line is not None:
                chosen = {"shift": shift, "p_of_truth": spread}
                placement = dataclasses.replace(placement, gain=dataclasses.replace(
                    line, **{k: v for k, v in chosen.items() if v is not None}
                ))  # fmt: skip
            round_ = plan_round(
                data, placement, [table], PlanRules(), truth, pipeline=settings.decision
            )
            scored = table.score(placement, table.allowed())
            figures, p, helped = decision_figures(scored, true, record, settings.decision)
            truth_round = round_.summary["truth"]
            predicted = round_.summary["total_predicted_gain"]
            rows.append({
                **world,
                "shift": placement.gain.shift if placement.gain is not None else np.nan,
                "p_spread": SPREADS[placement.gain.p_of_truth] if placement.gain is not None else "",
                **figures,
                "round_moves": round_.summary["moves"] / max(len(table.nips), 1),
                "round_pilot": round_.summary["pilot_moves"] / max(len(table.nips), 1),
                "round_helpful": truth_round["helpful_share"],
                "round_true_x_pred": truth_round["true_gain"] / predicted if predicted > 0 else np.nan,
                "_p": p,  # per employee: pooled within a shift for the reliability table
                "_helped": helped,
            })  # fmt: skip
        return rows


TARGETS = [  # (column, the target, met on the per-world column)
    ("moved", "median >= 5%", lambda s: s.median() >= 0.05),
    ("helpful", "median >= 80%, worst >= 60%", lambda s: s.median() >= 0.8 and s.min() >= 0.6),
    ("top1_x_stay", "median <= 0.9, all < 1", lambda s: s.median() <= 0.9 and s.max() < 1.0),
    ("claim_gap_abs", "median |claimed - true| <= 1.0", lambda s: s.median() <= 1.0),
    ("move_x_ridge", "<= 1 in 80% of worlds", lambda s: (s <= 1.0).mean() >= 0.8),
    ("move_x_rule", "median <= 0.7", lambda s: s.median() <= 0.7),
    ("round_moves", "median >= 3%", lambda s: s.median() >= 0.03),
    ("round_helpful", "median >= 80%", lambda s: s.median() >= 0.8),
    ("round_true_x_pred", "median >= 0.7", lambda s: s.median() >= 0.7),
]


def reliability(p: np.ndarray, helped: np.ndarray) -> pd.DataFrame:
    """Observed share that truly helps against the mean probability, by decile of it."""
    frame = pd.DataFrame({"p": p, "helped": helped.astype(float)})
    frame["decile"] = pd.cut(frame["p"], np.linspace(0, 1, 11), include_lowest=True)
    table = frame.groupby("decile", observed=True).agg(
        mean_p=("p", "mean"), helped=("helped", "mean"), moves=("p", "size")
    )
    table["gap"] = table["helped"] - table["mean_p"]
    return table


def decision_curve(frame: pd.DataFrame) -> pd.DataFrame:
    """One line per point of the curve (each `CURVE` share, the largest share helping 80% of
    the time, and the default operating point, which suggests by its own rule): the share of
    people moved, of their moves truly helping, the true gain per employee and top-1 regret
    against staying's, each the median world's (the worst world's in brackets); beside them
    the record-only oracle's at the same share (its own largest share at 80%)."""

    def cell(column: str, worst: str, digits: int, percent: bool = False) -> str:
        if column not in frame:
            return ""
        s = frame[column].dropna()
        if not len(s):
            return "-"
        scale, unit = (100, "%") if percent else (1, "")
        low = s.min() if worst == "min" else s.max()
        return f"{s.median() * scale:.{digits}f}{unit} ({low * scale:.{digits}f}{unit})"

    def share(column: str) -> str:
        return cell(column, "min", 1, percent=True)

    columns = ("people moved", "moves helping", "true gain / employee", "top-1 / staying's",
               "oracle: people moved", "oracle: moves helping", "oracle: gain / employee")  # fmt: skip
    lines = {
        f"top {k}": (k, share(f"h@{k}"), cell(f"g@{k}", "min", 3), cell(f"t1@{k}", "max", 3),
                     k, share(f"oracle_h@{k}"), cell(f"oracle_g@{k}", "min", 3))
        for k in (f"{s:.0%}" for s in CURVE)
    }  # fmt: skip
    lines["largest at 80% helping"] = (
        share("moved@80"), ">= 80%", cell("gain@80", "min", 3), cell("t1@80", "max", 3),
        share("oracle_moved@80"), ">= 80%", cell("oracle_gain@80", "min", 3),
    )  # fmt: skip
    lines["default (precision 0.8)"] = (
        share("moved"), share("helpful"), cell("gain_per_emp", "min", 3),
        cell("top1_x_stay", "max", 3), "", "", "",
    )  # fmt: skip
    return pd.DataFrame(lines, index=columns).T


def plot_curve(frame: pd.DataFrame, path: Path, title: str) -> None:
    """The decision curve drawn: per world (thin) and the median world (thick), the share of
    moves truly helping and the true gain per employee against the share of people moved,
    the record-only oracle's median dashed, each world's default operating point a dot."""
    import matplotlib.pyplot as plt

    shares = [100 * share for share in CURVE]
    keys = [f"{share:.0%}" for share in CURVE]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (prefix, default, label) in zip(axes, [("h@", "helpful", "share of moves truly helping"), ("g@", "gain_per_emp", "true gain per employee (points)")], strict=True):  # fmt: skip
        model = frame[[f"{prefix}{k}" for k in keys]].to_numpy(float)
        oracle = frame[[f"oracle_{prefix}{k}" for k in keys]].to_numpy(float)
        for line in model:
            ax.plot(shares, line, color="#7a9cc6", linewidth=0.7, alpha=0.6)
        ax.plot(shares, np.nanmedian(model, axis=0), color="#1f4e8c", linewidth=2.5, label="the model, median world")  # fmt: skip
        ax.plot(shares, np.nanmedian(oracle, axis=0), color="black", linestyle="--", label="record-only oracle, median world")  # fmt: skip
        moved = np.clip(100 * frame["moved"].to_numpy(float), 0.5, None)  # under 0.5%: the edge
        ax.scatter(moved, frame[default], color="#c0392b", zorder=3, s=18, label="default operating point, each world")  # fmt: skip
        if prefix == "h@":
            ax.axhline(0.8, color="grey", linewidth=0.8, linestyle=":")
        else:
            ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_xlim(0.45, 25)
        ax.set_xticks(shares, [f"{x:g}%" for x in shares])
        ax.minorticks_off()
        ax.set_xlabel("people moved (the surest best moves first)")
        ax.set_ylabel(label)
    axes[0].legend(fontsize=8, loc="lower left")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="101-112", help="e.g. 101-112 or 101,105")
    parser.add_argument("--preset", default="ampenan")
    parser.add_argument(
        "--scenario", default="family", help="family, family-hidden, family-observed"
    )
    parser.add_argument("--no-gain-prior", action="store_true",
                        help="train with the evidence-only gain calibration (PENATAAN_GAIN_PRIOR=false)")  # fmt: skip
    parser.add_argument("--measured-curse", action="store_true",
                        help="the selection prior replaced by the curse measured on stayers (PENATAAN_GAIN_MEASURED_CURSE=true)")  # fmt: skip
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a hyperparameter other than the default, e.g. additive=true")  # fmt: skip
    parser.add_argument("--pilot", type=int, default=None,
                        help="moves a pilot makes (PENATAAN_PILOT; default: sized from the data; 0: none)")  # fmt: skip
    parser.add_argument("--shifts", type=lambda text: tuple(float(x) for x in text.split(",")),
                        help="the decision at each of these selection shifts (points off every gain, "
                        "e.g. 2,1,0), from the same trained model; default: the model's own")  # fmt: skip
    parser.add_argument("--p-spreads", type=spreads,
                        help="the decision with the probability of helping read from each of these "
                        "spreads (outcome, truth), from the same trained model; default: the model's own")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=2, help="worlds trained at once")
    parser.add_argument("--out", type=Path, help="also write the per-world table here (CSV)")
    parser.add_argument("--plot", type=Path, help="also draw the decision curve here (PNG; with "
                        "--shifts or --p-spreads, the first the tables print)")  # fmt: skip
    args = parser.parse_args()
    chosen = seeds(args.seeds)
    params = LgbParams(**dict(param(text) for text in args.param))
    started = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [
            pool.submit(
                one_world,
                seed,
                args.preset,
                args.scenario,
                not args.no_gain_prior,
                args.measured_curse,
                params,
                args.pilot,
                args.shifts,
                args.p_spreads,
            )  # fmt: skip
            for seed in chosen
        ]
        for k, future in enumerate(futures, 1):
            rows += future.result()
            print(f"[{k}/{len(chosen)}] world {rows[-1]['seed']} done "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    per_employee = ["_p", "_helped"]
    frame = pd.DataFrame(rows).sort_values(
        ["shift", "p_spread", "seed"], ascending=[False, True, True]
    )
    frame["claim_gap"] = frame["claimed"] - frame["true_gain"]
    frame["claim_gap_abs"] = frame["claim_gap"].abs()  # what the claim's target reads
    if args.out:
        frame.drop(columns=per_employee).to_csv(args.out, index=False)
    groups = list(frame.groupby(["shift", "p_spread"], sort=False, dropna=False))
    if args.plot:  # the first shift and spread the tables print: one row per world
        plot_curve(groups[0][1], args.plot,
                   f"{args.preset} {args.scenario}, seeds {args.seeds}: the decision curve")  # fmt: skip
    pd.set_option("display.width", 250)
    for (shift, spread), at in groups:
        p, helped = (np.concatenate(at[c].to_list()) for c in per_employee)
        report(at.drop(columns=per_employee), p, helped,
               f"{args.preset} {args.scenario}, seeds {args.seeds}, selection shift {shift:g}, "
               f"probability from the {spread} spread")  # fmt: skip


def report(frame: pd.DataFrame, p: np.ndarray, helped: np.ndarray, title: str) -> None:
    """Every world's line, the medians and extremes, the offset's correlations, the targets
    and the reliability table of one set of worlds at one selection shift and spread."""
    print(f"\n{title}: one world a line (shares of active people; regrets as ratios)\n")
    print(frame.round(3).to_string(index=False))  # shares of a few percent need the third digit
    numeric = frame.drop(columns=["seed", "policies", "p_spread"])
    print("\nacross the worlds (median, min, max)\n")
    print(pd.DataFrame({"median": numeric.median(), "min": numeric.min(), "max": numeric.max()}).T.round(3).to_string())  # fmt: skip
    offsets = ["line_alpha", "line_beta", *DRAWN]
    follows = numeric[offsets].corrwith(numeric["gap@5%"]).round(2)
    print("\nwhat gap@5% (the claim's offset at the top) follows across these worlds "
          "(correlation): the data's gain line, and what each world was drawn with\n")  # fmt: skip
    print(follows.to_frame("r").T.to_string(index=False))
    print("\ntargets")
    for column, target, met in TARGETS:  # the median printed is the one the target reads
        s = frame[column].dropna()
        verdict = "met" if len(s) and met(s) else "MISSED"
        print(f"  {column:<18} median {s.median() if len(s) else float('nan'):6.3f}  {target:<32} {verdict}")  # fmt: skip
    print("\nthe decision curve: the top share of people by their best move's probability of "
          "helping moved, everyone else staying; median world (worst)\n")  # fmt: skip
    print(decision_curve(frame).to_string())
    print("\nprobability of helping: each world's best move per employee, pooled (target |gap| <= 0.10)\n")  # fmt: skip
    print(reliability(p, helped).round(2).to_string())


if __name__ == "__main__":
    main()
