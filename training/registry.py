"""MLflow: the pyfunc flavour of the placement model, registration and alias promotion.

Aliases are resolved with `get_model_version_by_alias` (some MLflow 3 releases return empty
aliases from `search_model_versions`); stages are deprecated and never used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from mlflow.pyfunc import PythonModel

from features.definitions import CATEGORICAL, FEATURE_NAMES
from training.model import PlacementModel


class PlacementPyfunc(PythonModel):
    """Takes feature rows (categoricals as text), returns predicted_score, low, high."""

    def load_context(self, context: Any) -> None:
        self.model = PlacementModel.load(Path(context.artifacts["model_dir"]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        return self.model.predict(model_input)


@dataclass(frozen=True)
class LoadedModel:
    """A registered model version ready to serve."""

    model: PlacementModel
    name: str
    version: str
    alias: str | None
    run_id: str | None
    tags: dict[str, str]
    metrics: dict[str, float]
    created_at: str


def pyfunc_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Feature rows as the pyfunc signature sees them (categoricals as plain text)."""
    frame = rows[list(FEATURE_NAMES)].copy()
    for name in CATEGORICAL:
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None).astype(str)
    return frame


def example_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The input example logged with the model."""
    return pyfunc_frame(rows.head(5))


def log_and_register(model: PlacementModel, rows: pd.DataFrame, name: str) -> str:
    """Log the model in the active run as a pyfunc and register it; returns the version.

    MLflow prints its "Successfully registered" and "Created version" lines straight to
    stderr whatever its log level; the command says which version was made and what became
    of it, so those lines are dropped (a failure still raises, with its message)."""
    example = example_rows(rows)
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stderr(io.StringIO()):
        model.save(Path(tmp) / "model")
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=PlacementPyfunc(),
            artifacts={"model_dir": str(Path(tmp) / "model")},
            signature=infer_signature(example, model.predict(rows.head(5))),
            input_example=example,
            registered_model_name=name,
            pip_requirements=["lightgbm", "pandas", "numpy", "scikit-learn"],
        )
    return str(info.registered_model_version)


def parse_models_uri(uri: str) -> tuple[str, str | None, str | None]:
    """`models:/name@alias` or `models:/name/version` -> (name, alias, version)."""
    if not uri.startswith("models:/"):
        raise ValueError(f"expected a models:/ URI, got {uri!r}")
    body = uri.removeprefix("models:/")
    if "@" in body:
        name, alias = body.split("@", 1)
        return name, alias, None
    name, _, version = body.partition("/")
    return name, None, version or None


def load_registered(uri: str) -> LoadedModel:
    """Resolve a registry URI to a version and load it; `MlflowException` if there is none."""
    name, alias, version = parse_models_uri(uri)
    client = mlflow.MlflowClient()
    mv = (
        client.get_model_version_by_alias(name, alias)
        if alias
        else client.get_model_version(name, version or "")
    )
    pyfunc = mlflow.pyfunc.load_model(f"models:/{name}/{mv.version}")
    model: PlacementModel = pyfunc.unwrap_python_model().model
    run = client.get_run(mv.run_id) if mv.run_id else None
    return LoadedModel(
        model=model,
        name=name,
        version=str(mv.version),
        alias=alias,
        run_id=mv.run_id,
        tags=dict(run.data.tags) if run else {},
        metrics=dict(run.data.metrics) if run else {},
        created_at=pd.Timestamp(mv.creation_timestamp, unit="ms", tz="UTC").isoformat(),
    )


def current_champion(name: str, alias: str) -> LoadedModel | None:
    try:
        return load_registered(f"models:/{name}@{alias}")
    except (MlflowException, ValueError):
        return None


def alias_version(name: str, alias: str) -> str | None:
    """The version `alias` points to, loadable or not (None: no such alias): a champion of
    another feature set still holds the alias, and the gate names it when it replaces it."""
    try:
        return str(mlflow.MlflowClient().get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def gate_lock_path(tracking_uri: str, name: str) -> Path:
    """The gate lock's file: one per registry and model name (`gate_lock`)."""
    key = hashlib.sha256(f"{tracking_uri}\n{name}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"penataan-gate-{key}.lock"


@contextlib.contextmanager
def gate_lock(
    tracking_uri: str, name: str, waiting: Callable[[Path], None] | None = None
) -> Iterator[None]:
    """Held while a run compares its model with the champion and moves the alias, so that two
    runs on this machine take turns (`training.run._gate`; runs on other machines are caught by
    its second reading of the alias). One lock file per registry and model name, in the
    temporary folder; opened read-only, which `flock` allows, so that another user's runs can
    take it too. `waiting` is told the file when another process holds it (a run that waits
    says on what, rather than hang silently behind a process that hangs)."""
    path = gate_lock_path(tracking_uri, name)
    handle = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting(path)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # and with it the lock


def set_alias(name: str, alias: str, version: str) -> None:
    mlflow.MlflowClient().set_registered_model_alias(name, alias, version)


def promote_by_hand(name: str, alias: str, version: str) -> None:
    """`penataan promote`: move `alias` to `version`, tagged with when it was done by hand
    (the gate is bypassed, so the registry says so). ValueError naming the versions there are
    where `version` is none of them (MLflow says "Parameter 'version' must be an integer",
    or "Model Version ... not found")."""
    client = mlflow.MlflowClient()
    versions = sorted(int(v.version) for v in client.search_model_versions(f"name = '{name}'"))
    if not version.isdigit() or int(version) not in versions:
        there = ", ".join(map(str, versions)) or "none: `penataan train` registers the first"
        raise ValueError(f"{name} has no version {version!r} (its versions: {there})")
    client.set_registered_model_alias(name, alias, version)
    client.set_model_version_tag(
        name, version, "promoted_by_hand", dt.datetime.now(dt.UTC).isoformat()
    )
