"""The rules of one cell: each column's type, vocabulary, range and pattern (declared in
`schema.py`) checked over a whole column at once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features import vocab
from features.contract.reader import loose
from features.contract.schema import Column, Table
from features.contract.violations import ABSENT, Violation


def _split_list(text: str) -> list[str]:
    return text.split(";")


def _fields_ok(text: str) -> bool:
    return all(part in vocab.FIELD_SUITS for part in _split_list(text))


def _competency_levels_ok(text: str) -> bool:
    for part in _split_list(text):
        name, sep, level = part.partition(":")
        if not sep or name not in vocab.COMPETENCIES or level not in {"1", "2", "3", "4", "5"}:
            return False
    return True


def _parse_column(column: Column, raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The typed column and a mask of cells that break the column's rule."""
    missing = raw.isna().to_numpy()
    present = ~missing
    text = raw.astype(object)
    bad = missing.copy() if not column.nullable else np.zeros(len(raw), dtype=bool)
    value: pd.Series
    if column.kind in ("str", "enum"):
        value = text
        if column.kind == "enum":
            bad |= present & ~text.isin(column.choices).to_numpy()
        if column.pattern:
            matches = text.where(present, "").astype(str).str.fullmatch(column.pattern)
            bad |= present & ~matches.to_numpy(dtype=bool)
    elif column.kind == "int":
        ok = text.where(present, "").astype(str).str.fullmatch(r"[+-]?[0-9]{1,15}").to_numpy()
        bad |= present & ~ok
        value = pd.to_numeric(text.where(present & ok, None), errors="coerce").astype("Int64")
    elif column.kind == "float":
        number = pd.to_numeric(text.where(present, None), errors="coerce").astype(float)
        bad |= present & ~np.isfinite(number.to_numpy())
        value = number
    elif column.kind == "date":
        shaped = text.where(present, "").astype(str).str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        value = pd.to_datetime(
            text.where(present & shaped.to_numpy(), None), format="%Y-%m-%d", errors="coerce"
        ).astype("datetime64[ns]")
        bad |= present & value.isna().to_numpy()
    elif column.kind == "fields":
        ok = np.array([v is None or _fields_ok(v) for v in text.tolist()], dtype=bool)
        bad |= ~ok
        value = text.map(lambda v: tuple(_split_list(v)) if isinstance(v, str) else ())
    else:  # competency_levels
        ok = np.array([v is None or _competency_levels_ok(v) for v in text.tolist()], dtype=bool)
        bad |= ~ok
        value = text.map(
            lambda v: (
                {p.split(":")[0]: int(p.split(":")[1]) for p in _split_list(v)}
                if isinstance(v, str) and _competency_levels_ok(v)
                else {}
            )
        )
    if column.low is not None or column.high is not None:
        number = pd.to_numeric(value, errors="coerce").astype(float).to_numpy()
        out = np.zeros(len(raw), dtype=bool)
        with np.errstate(invalid="ignore"):
            if column.low is not None:
                out |= number <= column.low if column.low_exclusive else number < column.low
            if column.high is not None:
                out |= number > column.high
        bad |= present & out
    return value, bad


def _cell_violations(
    file: str, column: str, raw: pd.Series, rows: np.ndarray, rule: str
) -> list[Violation]:
    return [Violation(file, int(i) + 1, column, raw.iloc[int(i)], rule) for i in rows]


def _named(table: Table, raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[str]]:
    """`raw` with every column a contract column is known by renamed to the contract's name,
    and a warning for each: the column's own name wins when a file has both, then an alias,
    then a header that is one of them but for case and spaces (`Unit_ID `)."""
    rename: dict[str, str] = {}
    warnings: list[str] = []
    for column in table.columns:
        if column.name in raw.columns:
            continue
        alias = next((a for a in column.aliases if a in raw.columns), None)
        if alias is None:
            known = {loose(name) for name in (column.name, *column.aliases)}
            alias = next((h for h in raw.columns if h not in rename and loose(h) in known), None)
        if alias is not None:
            rename[alias] = column.name
            warnings.append(f"{file}: column {alias!r} read as {column.name!r}")
    return raw.rename(columns=rename), warnings


def parse_table(
    table: Table, raw: pd.DataFrame, file: str
) -> tuple[pd.DataFrame, list[Violation], list[str]]:
    """Typed frame, violations and warnings for one table read by `read_raw`."""
    violations: list[Violation] = []
    raw, warnings = _named(table, raw, file)
    extra = [c for c in raw.columns if c not in table.column_names]
    if extra:
        warnings.append(f"{file}: extra column(s) ignored: {', '.join(extra)}")
    typed: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in raw.columns:
            if column.present:
                violations.append(Violation(file, None, column.name, None, ABSENT))
            # typed as the column's cells would be, every one missing: a float column of
            # objects is no number to the features (`features.pipeline` keeps numbers only)
            empty = pd.Series([None] * len(raw), index=raw.index, dtype=object)
            typed[column.name] = _parse_column(column, empty)[0]
            continue
        value, bad = _parse_column(column, raw[column.name])
        violations += _cell_violations(
            file, column.name, raw[column.name], np.flatnonzero(bad), column.rule()
        )
        typed[column.name] = value.where(~bad, None) if value.dtype == object else value
    return pd.DataFrame(typed), violations, warnings
