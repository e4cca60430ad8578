"""A `PENATAAN_*` variable no setting reads is named, with the one that was probably meant:
pydantic-settings passes over it, so a misspelt `PENATAAN_PRECISON=0.9` left 0.8 in force."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic_settings import BaseSettings

from penataan.cli import main
from penataan.environment import known_variables, settings_classes

PACKAGES = ("features", "training", "planning", "serving", "oversight", "siasn", "penataan")


def test_a_misspelt_variable_is_named_with_the_one_meant(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PENATAAN_PRECISON", "0.9")
    monkeypatch.setenv("PENATAAN_PLAN_MAX_MOVE", "3")
    monkeypatch.setenv("penataan_pilot", "2")  # read: names are not case-sensitive
    monkeypatch.setenv("PENATAAN_REVIEW_DATA", "data/x")  # read by the model review
    with pytest.raises(SystemExit) as stop:
        main(["settings"])
    assert stop.value.code == 0
    out, err = capsys.readouterr()
    assert "PENATAAN_PRECISION=0.8" in out and "PENATAAN_PILOT=2" in out
    assert err.splitlines() == [
        "penataan: warning: PENATAAN_PLAN_MAX_MOVE is set but no setting reads it: "
        "did you mean PENATAAN_PLAN_MAX_MOVES?",
        "penataan: warning: PENATAAN_PRECISON is set but no setting reads it: "
        "did you mean PENATAAN_PRECISION?",
    ]


def test_every_settings_class_is_known() -> None:
    """A settings class added without joining `settings_classes` would have its variables
    named as unread: every class defined here is one of them or a part of one."""
    for package in PACKAGES:
        path = importlib.import_module(package).__path__
        for module in pkgutil.walk_packages(path, f"{package}."):
            importlib.import_module(module.name)
    ours, stack = [], list(BaseSettings.__subclasses__())
    while stack:
        kind = stack.pop()
        stack.extend(kind.__subclasses__())
        if kind.__module__.split(".")[0] in PACKAGES:
            ours.append(kind)
    assert len(ours) >= 10
    covered = settings_classes()
    missing = [k.__qualname__ for k in ours if not any(issubclass(c, k) for c in covered)]
    assert not missing, missing
    assert {
        "PENATAAN_PRECISION",
        "PENATAAN_PLAN_MAX_MOVES",
        "PENATAAN_TRACEBACK",
    } <= known_variables()
