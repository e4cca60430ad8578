"""The one helper module of the tests: the small world's seed, the fast training parameters
every test model uses, an API client with a key per role, and lookups into a served engine."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI
from fastapi.testclient import TestClient

from features.contract.validate import load_data
from oversight.records import Shown
from oversight.store import DecisionStore
from serving.engine import Engine
from serving.keys import KeyStore
from serving.settings import ServeSettings
from training.model import LgbParams
from training.run import TrainResult
from training.settings import PipelineSettings

SEED = 11  # the small `cakranegara` world every test shares
# every test model: a bag of two keeps the bag's path (bootstraps, averaging, compiling the
# merged trees) under test at a third of the default's cost
FAST = LgbParams(learning_rate=0.1, max_rounds=200, early_stopping_rounds=20, bag=2)
# the shared registries' gain line: the small world has 40 held-out moves, and under the
# family's selection prior (2 points off, slope capped) none of its moves has a positive
# gain (a correct "stay"), while the round, its records and the staff's shared threshold
# need moves to be tested; the line as the moves show it (`PENATAAN_GAIN_PRIOR=false`)
# gives them. The prior itself is tested in tests/training/test_gain.py.
EVIDENCE_ONLY = {"gain_prior": False}


@dataclass
class Api:
    client: TestClient
    settings: ServeSettings
    keys: dict[str, str]  # role -> key

    def headers(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}


@dataclass(frozen=True)
class SessionRun:
    """The session's one training run on the small world: its result, and a copy of its
    registry taken before any test could add to it, for modules that need a registry of
    their own to change (a whole training costs more than any other fixture)."""

    result: TrainResult
    settings: PipelineSettings
    pristine: Path  # the registry's database as the run left it

    def registry_copy(self, folder: Path) -> PipelineSettings:
        """The run's registry, copied into `folder`: its champion v1 and the run's artifacts
        (read where the run wrote them), for a test that promotes, retrains or fails."""
        folder.mkdir(parents=True, exist_ok=True)
        db = shutil.copy(self.pristine, folder / "mlflow.db")
        return self.settings.model_copy(update={"mlflow_tracking_uri": f"sqlite:///{db}"})


def serve_settings(world_dir: Path, root: Path, registry_uri: str) -> ServeSettings:
    """The API's settings for a test, passed in whole as a deployment's edge would build
    them (no process environment variables)."""
    return ServeSettings(
        data_dir=world_dir,
        api_keys_file=root / "keys.json",
        audit_db=root / "audit.db",
        decisions_db=root / "decisions.db",
        mlflow_tracking_uri=registry_uri,
    )


def role_keys(settings: ServeSettings) -> dict[str, str]:
    store = KeyStore(settings.api_keys_file)
    return {role: store.create(role, f"test-{role}") for role in ("hr", "reviewer", "admin")}


@contextmanager
def started(app: FastAPI) -> Iterator[TestClient]:
    """A client of `app` once its background load has ended (well or not)."""
    with TestClient(app) as client:
        assert app.state.holder.loaded.wait(300), "the engine did not load in 5 minutes"
        yield client


@contextmanager
def served(world_dir: Path, root: Path, registry_uri: str, **update: Any) -> Iterator[Api]:
    """The small world's API once loaded, with a key for every role; `update` changes its
    settings (e.g. another precision)."""
    from serving.app import create_app  # the app imports the whole stack: only when served

    settings = serve_settings(world_dir, root, registry_uri).model_copy(update=update)
    keys = role_keys(settings)
    with started(create_app(settings)) as client:
        yield Api(client, settings, keys)


def engine_of(api: Api) -> Engine:
    engine = api.client.app.state.holder.engine  # type: ignore[attr-defined]
    assert engine is not None
    return engine


def movable_nip(engine: Engine) -> str:
    """An employee with eligible moves and some ineligible units."""
    n_units = engine.table.n_units
    for i, nip in enumerate(engine.nips):
        block = engine.table.broken[i * n_units : (i + 1) * n_units]
        if 3 <= (~block.any(axis=1)).sum() < n_units:
            return str(nip)
    raise AssertionError("the small world has nobody with eligible and ineligible moves")


def recommend(api: Api, role: str = "hr", **body: Any) -> dict[str, Any]:
    response = api.client.post("/v1/recommend", json=body, headers=api.headers(role))
    assert response.status_code == 200, response.text
    return dict(response.json())


def assert_same_world(exported: Path, imported: Path) -> None:
    """Employees, their current units, scores, predikat and capacities come back."""
    original, back = load_data(exported, "drop"), load_data(imported, "drop")
    emp = original.employees.merge(back.employees, on="nip", suffixes=("", "_imp"))
    assert len(emp) == len(original.employees)  # former staff kept, with their history
    for column in ("status", "education_level", "education_field", "birth_date", "golongan"):
        assert (emp[column].astype(str) == emp[f"{column}_imp"].astype(str)).mean() == 1.0, column
    ev = original.evaluations.merge(back.evaluations, on=["nip", "period"], suffixes=("", "_imp"))
    assert len(ev) == len(original.evaluations)
    assert (ev["unit_id"] == ev["unit_id_imp"]).mean() > 0.97  # derived from the spells
    numbers = ev["score"].notna()
    assert (ev.loc[numbers, "score"] - ev.loc[numbers, "score_imp"]).abs().max() < 0.02
    assert (ev.loc[~numbers, "predikat"] == ev.loc[~numbers, "predikat_imp"]).all()
    units = original.units.merge(back.units, on="unit_id", suffixes=("", "_imp"))
    assert (units["capacity"] == units["capacity_imp"]).all()
    assert (units["domain"] == units["domain_imp"]).mean() >= 0.8  # keyword suggestions
    open_now = back.assignments[back.assignments["end_date"].isna()]
    truth_now = original.assignments[original.assignments["end_date"].isna()]
    assert set(zip(open_now["nip"], open_now["unit_id"], strict=True)) == set(
        zip(truth_now["nip"], truth_now["unit_id"], strict=True)
    )


@contextmanager
def held_exclusively(path: Path | str) -> Iterator[None]:
    """Another process's writer holding the SQLite database at `path` (an exclusive
    transaction) until the block ends: what a locked audit log or decisions record is."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("begin exclusive")
    try:
        yield
    finally:
        blocker.execute("rollback")
        blocker.close()


SHOWN = Shown("penataan-placement", "3", "run1", "f" * 16, "2026-01-01")  # one model's round


def shown_moves(tmp_path: Path, n: int = 3) -> tuple[DecisionStore, list[str]]:
    """A record of decisions in `tmp_path` holding `n` moves of one round as shown (A to B),
    and their suggestion ids: what the store's and the committee's tests decide on."""
    store = DecisionStore(tmp_path / "decisions.db")
    records = [SHOWN.record("plan", f"1985071420100110{k:02d}", "A", "B", {"gain": 1.0}, "rd_x") for k in range(n)]  # fmt: skip
    store.record(records)
    return store, [r.id for r in records]


def fill_paper(path: Path, line: int, **cells: str | None) -> None:
    """Write `cells` (column -> value) into row `line` of a round's workbook and save it, as
    a committee fills it in in Excel."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    head = [c.value for c in sheet[1]]
    for column, value in cells.items():
        sheet.cell(line, head.index(column) + 1, value)
    book.save(path)


def assert_paper_offers_the_vocabulary(path: Path, moves: int) -> None:
    """A round's workbook offers the committee's closed columns as drop-downs over every
    move's row, the record's own values, and a second sheet saying what each reason means."""
    import openpyxl

    from oversight.reasons import REASONS, VERDICT_LABELS

    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    head = [c.value for c in sheet[1]]
    offered = {}
    for rule in sheet.data_validations.dataValidation:
        column = head[openpyxl.utils.column_index_from_string(str(rule.sqref)[0]) - 1]
        offered[column] = (rule.formula1.strip('"').split(","), str(rule.sqref), rule.errorStyle)
    letter = {c: openpyxl.utils.get_column_letter(head.index(c) + 1) for c in ("decision", "reason_code")}  # fmt: skip
    assert offered == {
        "decision": (list(VERDICT_LABELS), f"{letter['decision']}2:{letter['decision']}{moves + 1}", "warning"),
        "reason_code": ([r.code for r in REASONS], f"{letter['reason_code']}2:{letter['reason_code']}{moves + 1}", "warning"),
    }  # fmt: skip
    legend = [[c.value for c in row] for row in book["kode alasan"].iter_rows()]
    assert legend[0] == ["reason_code", "alasan", "untuk keputusan"]
    assert [row[:2] for row in legend[1:]] == [[r.code, r.label] for r in REASONS]


def write_xls(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "Sheet1") -> Path:
    """`rows` (the header first) as an Excel 97-2003 workbook, written by xlwt (a real
    BIFF8 writer, not our exporter); empty cells left out, as Excel leaves them."""
    import xlwt

    book = xlwt.Workbook()
    page = book.add_sheet(sheet)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                page.write(i, j, value)
    book.save(str(path))
    return path


def frame_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """A frame as a sheet's rows: its header, then its cells."""
    return [list(frame.columns), *frame.astype(object).values.tolist()]
