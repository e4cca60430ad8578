"""One code path from HR records to model rows, point-in-time correct.

`build_features(data, pairs)` takes (nip, unit_id, as_of) triples. Training rows (one per
observed evaluation, as of 1 January of its period) and candidate rows (any employee x any
unit as of any date) are both built by it, so the model is served exactly what it learnt on.
For each as-of date t a `Snapshot` is taken that sees only records dated before t:
evaluations and KPIs of periods before t's year, assignments started before t (an end date
on or after t is not yet known), and assessments, trainings and sanctions dated before t.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from features import vocab
from features.data import HRData
from features.definitions import CATEGORICAL, FEATURE_NAMES, FEATURES_BY_NAME
from features.geo import haversine_km
from features.unit_effects import unit_effects

YEAR_DAYS = 365.25
SEVERITY_WEIGHT = {"ringan": 1.0, "sedang": 2.0, "berat": 3.0}
EDUCATION_RANK = {level: float(i) for i, level in enumerate(vocab.EDUCATION_LEVELS)}
WILLINGNESS_VALUE = {"ya": 1.0, "netral": 0.0, "tidak": -1.0}
SOFT = vocab.SOFT_COMPETENCIES
KEY_COLUMNS = ["nip", "unit_id", "as_of"]


def evaluation_residuals(evaluations: pd.DataFrame) -> pd.Series:
    """Each score minus the mean of the *other* people evaluated in that unit and period.

    Removes the unit's and the year's level from a score, so a person who did well in a hard
    unit is not mistaken for a weak one. NaN for someone alone in a unit.
    """
    group = evaluations.groupby(["unit_id", "period"])["score"]
    total, count = group.transform("sum"), group.transform("count")
    peers = (total - evaluations["score"]) / (count - 1).where(count > 1)
    return evaluations["score"] - peers


@dataclass(frozen=True)
class Snapshot:
    """What the records said on one as-of date, arranged for fast pair lookups."""

    as_of: pd.Timestamp
    employees: pd.DataFrame  # indexed by nip: per-employee features and current unit
    units: pd.DataFrame  # indexed by unit_id: per-unit features
    domain_years: np.ndarray  # employee row x domain
    domain_hours: np.ndarray
    domain_resid: np.ndarray  # mean residual while in that domain, NaN if never
    soft_levels: np.ndarray  # employee row x SOFT competencies (latest assessed level)
    technical_levels: np.ndarray  # employee row x domain: latest teknis_<domain> level
    unit_history: pd.DataFrame  # by employee row x n_units + unit row: years before, resid
    unit_needs: np.ndarray  # unit row x (SOFT + teknis per domain): required level, NaN if none
    # education field position (`employees["field_pos"]`, -1 none: the last row) x unit row:
    field_suits: np.ndarray  # the field suits the unit's domain (`vocab.FIELD_SUITS`)
    field_required: np.ndarray  # the field is among the unit's `required_fields`

    @cached_property
    def employee_columns(self) -> dict[str, np.ndarray]:
        """`employees` as one array per column (numbers as floats): a pair's values are
        picked by position, which costs a few rows far less than selecting frame rows."""
        return _columns(self.employees)

    @cached_property
    def unit_columns(self) -> dict[str, np.ndarray]:
        return _columns(self.units)

    @cached_property
    def commute_now_km(self) -> np.ndarray:
        """Per employee, the distance from home to the unit held now (NaN without one):
        what a move's change of commute is measured from, once per employee rather than
        once per pair."""
        e, u = self.employee_columns, self.unit_columns
        held = e["current_row"].astype(int)  # -1 without a unit reads the NaN appended
        lat, lon = np.append(u["lat"], np.nan)[held], np.append(u["lon"], np.nan)[held]
        return haversine_km(e["home_lat"], e["home_lon"], lat, lon)

    @cached_property
    def category_codes(self) -> dict[str, np.ndarray]:
        """Each categorical feature's code per employee (`position_type`, `education_field`)
        or per unit (`unit_domain`, `unit_kind`): a pair's code is then picked by position,
        where looking each pair's value up among the levels costs a hash per row."""
        frames = {"position_type": self.employees, "education_field": self.employees,
                  "unit_domain": self.units, "unit_kind": self.units}  # fmt: skip
        return {
            name: CATEGORY_DTYPES[name].categories.get_indexer(frame[name].to_numpy(dtype=object))
            for name, frame in frames.items()
        }


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {
        str(name): column.to_numpy(dtype=float, na_value=np.nan)
        if pd.api.types.is_numeric_dtype(column)
        else column.to_numpy(dtype=object)
        for name, column in frame.items()
    }


def _known_assignments(data: HRData, t: pd.Timestamp) -> pd.DataFrame:
    asg = data.assignments[data.assignments["start_date"] < t].copy()
    asg["end_known"] = asg["end_date"].where(asg["end_date"] < t)
    asg["years"] = (asg["end_known"].fillna(t) - asg["start_date"]).dt.days / YEAR_DAYS
    return asg


def take_snapshot(data: HRData, as_of: pd.Timestamp) -> Snapshot:
    """Everything known about every employee and unit strictly before `as_of`."""
    t = pd.Timestamp(as_of)
    year = t.year
    emp = data.employees.set_index("nip", drop=False)
    e_index = pd.Index(emp.index)
    n_e, n_d = len(emp), len(vocab.DOMAINS)
    dom_of_unit = data.units.set_index("unit_id")["domain"]
    dom_pos = {d: k for k, d in enumerate(vocab.DOMAINS)}

    ev = data.evaluations[data.evaluations["period"] < year].copy()
    ev["resid"] = evaluation_residuals(ev)
    ev = ev.sort_values(["nip", "period"])
    last3 = ev.groupby("nip").tail(3)
    per = pd.DataFrame(index=e_index)
    per["score_last"] = ev.groupby("nip")["score"].last()
    per["score_mean3"] = last3.groupby("nip")["score"].mean()
    per["score_resid"] = last3.groupby("nip")["resid"].mean()
    per["n_evaluations"] = ev.groupby("nip").size()
    per["n_evaluations"] = per["n_evaluations"].fillna(0.0)
    last5 = ev.groupby("nip").tail(5)
    x = last5["period"].astype(float)
    xc = x - x.groupby(last5["nip"]).transform("mean")
    yc = last5["score"] - last5.groupby("nip")["score"].transform("mean")
    cov = (xc * yc).groupby(last5["nip"]).sum()
    var = (xc * xc).groupby(last5["nip"]).sum()
    per["score_trend"] = cov / var.where(var > 0)

    asg = _known_assignments(data, t)
    open_now = asg[asg["end_known"].isna()].sort_values("start_date").groupby("nip").last()
    per["current_unit"] = open_now["unit_id"]
    per["tenure_current"] = (t - open_now["start_date"]).dt.days / YEAR_DAYS
    per["position_type"] = open_now["position_type"]
    latest = asg.sort_values("start_date").groupby("nip")["position_type"].last()
    per["position_type"] = per["position_type"].fillna(latest)
    per["service_years"] = (t - emp["service_start"]).dt.days / YEAR_DAYS
    per["education_rank"] = emp["education_level"].map(EDUCATION_RANK)
    per["education_field"] = emp["education_field"]
    per["is_pppk"] = (emp["employment_type"] == "PPPK").astype(float)
    per["willing_to_move"] = emp["willing_to_move"].map(WILLINGNESS_VALUE)
    per["home_lat"] = emp["home_latitude"].astype(float)
    per["home_lon"] = emp["home_longitude"].astype(float)

    recent = t - pd.DateOffset(years=3)
    disc = data.discipline[data.discipline["decided_on"] < t]
    disc = disc[disc["decided_on"] >= recent]
    per["sanctions_3y"] = disc["severity"].map(SEVERITY_WEIGHT).groupby(disc["nip"]).sum()
    per["sanctions_3y"] = per["sanctions_3y"].fillna(0.0)
    tr = data.trainings[data.trainings["completed_on"] < t]
    per["training_hours_3y"] = tr[tr["completed_on"] >= recent].groupby("nip")["hours"].sum()
    per["training_hours_3y"] = per["training_hours_3y"].fillna(0.0)

    def matrix(frame: pd.DataFrame, column: str, agg: str, fill: float) -> np.ndarray:
        out = np.full((n_e, n_d), fill)
        if len(frame):
            table = frame.groupby(["nip", "domain"])[column].agg(agg).reset_index()
            rows = e_index.get_indexer(table["nip"])
            cols = table["domain"].map(dom_pos).to_numpy()
            out[rows, cols] = table[column].to_numpy(dtype=float)
        return out

    domain_years = matrix(asg.assign(domain=asg["unit_id"].map(dom_of_unit)), "years", "sum", 0.0)
    domain_hours = matrix(tr, "hours", "sum", 0.0)
    domain_resid = matrix(ev.assign(domain=ev["unit_id"].map(dom_of_unit)), "resid", "mean", np.nan)

    comp = data.competencies[data.competencies["assessed_on"] < t]
    comp = (
        comp.sort_values("assessed_on").groupby(["nip", "competency"])["level"].last().reset_index()
    )
    soft_levels = np.full((n_e, len(SOFT)), np.nan)
    technical = np.full((n_e, n_d), np.nan)
    rows = e_index.get_indexer(comp["nip"])
    levels = comp["level"].to_numpy(dtype=float)
    soft_pos = comp["competency"].map({c: k for k, c in enumerate(SOFT)})
    is_soft = soft_pos.notna().to_numpy()
    soft_levels[rows[is_soft], soft_pos[is_soft].astype(int).to_numpy()] = levels[is_soft]
    tech_pos = comp["competency"].str.removeprefix("teknis_").map(dom_pos)
    is_tech = comp["competency"].str.startswith("teknis_").to_numpy() & tech_pos.notna().to_numpy()
    technical[rows[is_tech], tech_pos[is_tech].astype(int).to_numpy()] = levels[is_tech]

    history = (
        asg.groupby(["nip", "unit_id"])["years"].sum().rename("years_in_unit_before").to_frame()
    )
    history["resid_in_unit"] = ev.groupby(["nip", "unit_id"])["resid"].mean()

    units = data.units.set_index("unit_id", drop=False)
    u = pd.DataFrame(index=units.index)
    u["unit_domain"] = units["domain"]
    u["unit_kind"] = units["unit_kind"]
    u["unit_capacity"] = units["capacity"].astype(float)
    u["headcount"] = per["current_unit"].value_counts().reindex(units.index).fillna(0.0)
    u["unit_fill"] = u["headcount"] / u["unit_capacity"]
    prev = ev[ev["period"] == year - 1]
    per["prev_unit"] = prev.set_index("nip")["unit_id"]
    per["prev_score"] = prev.set_index("nip")["score"]
    u["score_sum"] = prev.groupby("unit_id")["score"].sum()
    u["score_count"] = prev.groupby("unit_id")["score"].count()
    kpi = data.unit_kpis[data.unit_kpis["period"] < year]
    kpi = kpi.groupby(["unit_id", "period"])[["ikm", "complaints", "avg_wait_minutes"]].mean()
    kpi = kpi.reset_index().sort_values("period").groupby("unit_id").last()
    u["unit_ikm"] = kpi["ikm"].astype(float)
    u["unit_complaints"] = kpi["complaints"].astype(float)
    u["unit_wait_minutes"] = kpi["avg_wait_minutes"].astype(float)
    effects = unit_effects(ev).reindex(units.index)
    u["unit_effect"] = effects["unit_effect"].astype(float)
    u["unit_effect_last"] = effects["unit_effect_last"].astype(float)
    u["domain_pos"] = units["domain"].map(dom_pos)
    u["lat"] = units["latitude"].astype(float)
    u["lon"] = units["longitude"].astype(float)
    needs = np.full((len(units), len(SOFT) + n_d), np.nan)
    for j, req in enumerate(units["required_competencies"]):
        for name, level in req.items():
            if name in SOFT:
                needs[j, SOFT.index(name)] = level
            else:
                needs[j, len(SOFT) + dom_pos[name.removeprefix("teknis_")]] = level
    # a pair's unit, education field and their relations by position, not by string
    per["current_row"] = units.index.get_indexer(per["current_unit"].to_numpy(dtype=object))
    per["prev_row"] = units.index.get_indexer(per["prev_unit"].to_numpy(dtype=object))
    required_fields = [f for req in units["required_fields"] for f in req]
    fields = pd.Index(pd.unique(np.array([*vocab.FIELD_SUITS, *per["education_field"].dropna(),
                                          *required_fields], dtype=object)))  # fmt: skip
    per["field_pos"] = fields.get_indexer(per["education_field"].to_numpy(dtype=object))
    field_suits = np.zeros((len(fields) + 1, len(units)), dtype=bool)  # + a row for no field
    for k, name in enumerate(fields):
        field_suits[k] = units["domain"].isin(vocab.FIELD_SUITS.get(name, ())).to_numpy()
    field_required = np.zeros_like(field_suits)
    for j, req in enumerate(units["required_fields"]):
        for name in req:
            field_required[fields.get_loc(name), j] = True
    # keyed by one integer per pair, which a few rows look up far faster than a MultiIndex
    e_pos = per.index.get_indexer(history.index.get_level_values("nip"))
    u_pos = units.index.get_indexer(history.index.get_level_values("unit_id"))
    known = (e_pos >= 0) & (u_pos >= 0)
    history = history[known].set_axis(pd.Index(e_pos[known] * len(units) + u_pos[known]))
    return Snapshot(
        as_of=t,
        employees=per,
        units=u.assign(required_fields=units["required_fields"]),
        domain_years=domain_years,
        domain_hours=domain_hours,
        domain_resid=domain_resid,
        soft_levels=soft_levels,
        technical_levels=technical,
        unit_history=history,
        unit_needs=needs,
        field_suits=field_suits,
        field_required=field_required,
    )


def _pair_features(snap: Snapshot, pairs: pd.DataFrame) -> dict[str, Any]:
    """Feature columns, by name, for pairs that all share `snap.as_of` (a frame is made once,
    by `as_model_frame`)."""
    per, units = snap.employees, snap.units
    e_rows = key_positions(per.index, pairs["nip"])
    u_rows = key_positions(units.index, pairs["unit_id"])
    if (e_rows < 0).any() or (u_rows < 0).any():
        raise KeyError("a pair names an unknown nip or unit_id")
    # the numbers only: the text columns (current unit, position, field ...) are read as
    # codes, and a text column picked per pair is a Python object per pair
    e = {name: c[e_rows] for name, c in snap.employee_columns.items() if c.dtype != object}
    u = {name: c[u_rows] for name, c in snap.unit_columns.items() if c.dtype != object}
    d = u["domain_pos"].astype(int)
    out: dict[str, Any] = {}  # columns, made a frame once (column by column costs per call)
    for name in ("score_last", "score_mean3", "score_trend", "score_resid", "n_evaluations",
                 "service_years", "education_rank", "is_pppk", "sanctions_3y",
                 "training_hours_3y", "tenure_current", "willing_to_move"):  # fmt: skip
        out[name] = e[name]
    codes = snap.category_codes
    for name in ("position_type", "education_field"):
        out[name] = pd.Categorical.from_codes(codes[name][e_rows], dtype=CATEGORY_DTYPES[name])
    field = e["field_pos"].astype(int)  # -1, no field: the matrices' last row, all False
    out["field_suits_domain"] = snap.field_suits[field, u_rows].astype(float)
    out["field_required"] = snap.field_required[field, u_rows].astype(float)

    out.update(_competency_gaps(snap, e_rows, u_rows))
    out["comp_domain_technical"] = snap.technical_levels[e_rows, d]
    for k, comp in enumerate(SOFT):
        out[f"comp_{comp}"] = snap.soft_levels[e_rows, k]

    out["years_in_domain"] = snap.domain_years[e_rows, d]
    out["training_hours_domain"] = snap.domain_hours[e_rows, d]
    out["resid_in_domain"] = snap.domain_resid[e_rows, d]
    hist = snap.unit_history.reindex(e_rows * len(units) + u_rows)
    out["resid_in_unit"] = hist["resid_in_unit"].to_numpy(dtype=float)
    out["years_in_unit_before"] = np.nan_to_num(hist["years_in_unit_before"].to_numpy(dtype=float))

    cur_rows = e["current_row"].astype(int)
    stay = (cur_rows == u_rows) & (cur_rows >= 0)
    out["is_stay"] = stay.astype(float)
    out["commute_km"] = haversine_km(e["home_lat"], e["home_lon"], u["lat"], u["lon"])
    now_km = snap.commute_now_km[e_rows]  # NaN for someone without a unit
    out["commute_change_km"] = out["commute_km"] - now_km

    for name in ("unit_domain", "unit_kind"):
        out[name] = pd.Categorical.from_codes(codes[name][u_rows], dtype=CATEGORY_DTYPES[name])
    for name in (
        "unit_capacity",
        "unit_ikm",
        "unit_complaints",
        "unit_wait_minutes",
        "unit_effect",
        "unit_effect_last",
    ):
        out[name] = u[name]
    # Staff figures of the unit leave the employee out, as if they were not (yet) there.
    prev_rows = e["prev_row"].astype(int)
    was_there = (prev_rows == u_rows) & (prev_rows >= 0)
    own_score = np.where(was_there, e["prev_score"], 0.0)
    total = u["score_sum"] - own_score
    count = u["score_count"] - was_there
    out["unit_mean_score"] = np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)
    head = u["headcount"] - stay
    out["unit_fill"] = head / u["unit_capacity"]
    return out


def key_positions(index: pd.Index, keys: pd.Series) -> np.ndarray:
    """Each key's position in `index`, -1 where absent or missing. A part of a staff names
    a thousand employees a few hundred times each: the distinct keys are looked up once
    (0.005 s against 0.03 s for every key looked up in turn)."""
    codes, distinct = pd.factorize(keys)
    found = np.append(index.get_indexer(distinct), -1)  # a missing key's code, -1, reads it
    return found[codes]


def _competency_gaps(
    snap: Snapshot, e_rows: np.ndarray, u_rows: np.ndarray
) -> dict[str, np.ndarray]:
    """Per pair, the employee's assessed level less the unit's required one over the
    competencies the unit requires: the mean and the smallest gap among those assessed (NaN
    where none is) and the share assessed (NaN where the unit requires none).

    Why each pair is expanded into its unit's requirements only: a unit requires a few of
    the 27, so this reads about four gaps a pair where pairs x 27 arrays read them all (a
    part of a staff: 0.18 s against 0.08 s), in a constant number of array operations
    whatever the number of pairs (a request's few, training's one unit an employee, a
    staff's grid). Levels are whole numbers: the sums are exact."""
    requires = ~np.isnan(snap.unit_needs)
    comp_of = np.nonzero(requires)[1]  # each unit's required competencies, unit by unit
    count = requires.sum(axis=1)
    first = np.cumsum(count) - count  # where each unit's requirements start
    per_pair = count[u_rows]
    pair = np.repeat(np.arange(len(u_rows)), per_pair)
    starts = np.cumsum(per_pair) - per_pair  # where each pair's gaps start
    at = np.repeat(first[u_rows] - starts, per_pair) + np.arange(len(pair))
    comp, emp = comp_of[at], e_rows[pair]
    n_soft = snap.soft_levels.shape[1]
    level = np.where(
        comp < n_soft,
        snap.soft_levels[emp, np.minimum(comp, n_soft - 1)],
        snap.technical_levels[emp, np.maximum(comp - n_soft, 0)],
    )
    gap = level - snap.unit_needs[u_rows[pair], comp]  # NaN where not assessed
    known = ~np.isnan(gap)
    total = np.bincount(pair, weights=np.where(known, gap, 0.0), minlength=len(u_rows))
    assessed = np.bincount(pair, weights=known, minlength=len(u_rows))
    lowest = np.full(len(u_rows), np.inf)
    has = per_pair > 0
    if has.any():
        lowest[has] = np.minimum.reduceat(np.where(known, gap, np.inf), starts[has])
    some = assessed > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "comp_gap_mean": np.where(some, total / assessed, np.nan),
            "comp_gap_min": np.where(some, lowest, np.nan),
            "comp_assessed_share": np.where(
                per_pair > 0, assessed / np.maximum(per_pair, 1), np.nan
            ),
        }


CATEGORY_DTYPES = {
    name: pd.CategoricalDtype(list(FEATURES_BY_NAME[name].categories)) for name in CATEGORICAL
}  # made once: checking the levels anew costs more than a request's few rows


def as_model_frame(
    rows: pd.DataFrame | Mapping[str, Any], index: pd.Index | None = None
) -> pd.DataFrame:
    """The feature columns in canonical order with fixed category levels (model input), from
    a frame or from columns by name (`index` then names the rows). A categorical's values are
    looked up among its levels and the codes wrapped, not inferred: a value outside them is
    missing, as `pd.Categorical` would make it, at a fraction of a request's cost.

    Columns by name are the caller's to give away (`_pair_features` makes them for this
    frame): the frame keeps them as they are instead of copying them into one block, which
    every reader takes apart column by column again (`PlacementModel.matrix`; a part of a
    staff: `features_at` 0.15 s against 0.23 s). A frame's columns are copied, as its owner may
    still write to them."""
    columns = {
        name: _categorical(name, rows[name]) if name in CATEGORICAL else np.asarray(rows[name], dtype=float)
        for name in FEATURE_NAMES
    }  # fmt: skip
    if isinstance(rows, pd.DataFrame):
        return pd.DataFrame(columns, index=rows.index)
    return pd.DataFrame(columns, index=index, copy=False)


def _categorical(name: str, values: Any) -> pd.Categorical:
    """`values` as the feature's categorical: as they are where they already are one."""
    dtype = CATEGORY_DTYPES[name]
    values = values.array if isinstance(values, pd.Series) else values
    if isinstance(values, pd.Categorical) and values.dtype == dtype:
        return values
    codes = dtype.categories.get_indexer(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(codes, dtype=dtype)


def _by_date(pairs: pd.DataFrame) -> Iterator[tuple[pd.Timestamp, pd.DataFrame]]:
    for as_of, group in pairs.groupby("as_of", sort=True):
        yield pd.Timestamp(as_of), group


def build_features(data: HRData, pairs: pd.DataFrame) -> pd.DataFrame:
    """Feature rows for (nip, unit_id, as_of) pairs: the key columns, then every feature.

    The only way rows are built, for training and for serving alike.
    """
    missing = [c for c in KEY_COLUMNS if c not in pairs.columns]
    if missing:
        raise ValueError(f"pairs need the columns {KEY_COLUMNS}; missing {missing}")
    pairs = pairs.reset_index(drop=True)
    parts = [features_at(take_snapshot(data, as_of), group) for as_of, group in _by_date(pairs)]
    if not parts:
        return pd.DataFrame(columns=[*KEY_COLUMNS, *FEATURE_NAMES])
    return pd.concat(parts).sort_index()


def features_at(snap: Snapshot, pairs: pd.DataFrame) -> pd.DataFrame:
    """`build_features` for pairs that all share `snap.as_of`, from a snapshot the caller
    keeps: the API takes one at load and builds only the rows a request returns, instead of
    holding every pair's row (taking a snapshot, 0.4 s on `mataram`, costs a request's few
    rows a hundred times over)."""
    feats = as_model_frame(_pair_features(snap, pairs), pairs.index)
    return pd.concat([pairs[KEY_COLUMNS], feats], axis=1)


def training_pairs(data: HRData) -> pd.DataFrame:
    """One pair per observed evaluation, as of 1 January of its period, with the target."""
    ev = data.evaluations
    return pd.DataFrame(
        {
            "nip": ev["nip"].to_numpy(),
            "unit_id": ev["unit_id"].to_numpy(),
            "as_of": pd.to_datetime(ev["period"].astype(int).astype(str) + "-01-01").to_numpy(),
            "period": ev["period"].astype(int).to_numpy(),
            "score": ev["score"].astype(float).to_numpy(),
        }
    )


def candidate_pairs(
    data: HRData,
    as_of: pd.Timestamp | None = None,
    nips: list[str] | None = None,
    unit_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Every (active employee, unit) pair as of a date (default: after the last period).

    The keys are taken from the few employees' and units' strings by position, not made
    from Python strings, one per pair (a part of a staff: 0.005 s against 0.03 s)."""
    t = pd.Timestamp(as_of) if as_of is not None else data.default_as_of()
    who = np.asarray(data.active_nips() if nips is None else nips, dtype=object)
    where = np.asarray(data.units["unit_id"] if unit_ids is None else unit_ids, dtype=object)
    who, where = pd.array(who, dtype="str"), pd.array(where, dtype="str")
    return pd.DataFrame(
        {
            "nip": who.take(np.repeat(np.arange(len(who)), len(where))),
            "unit_id": where.take(np.tile(np.arange(len(where)), len(who))),
            "as_of": t,
        }
    )
