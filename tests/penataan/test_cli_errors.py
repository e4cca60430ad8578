"""The command line ends every failure in one line and an exit code, never a traceback."""

from __future__ import annotations

import gc
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

import pytest

from penataan.cli import main


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return int(stop.value.code or 0), err.splitlines()[-1]


def test_errors_are_one_line_with_an_exit_code(
    cli_registry: str, world_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = _fails(["promote", "999"], capsys)
    assert code == 2 and re.fullmatch(r"penataan-placement has no version '999' \(its versions: 1(, \d+)*\)", line), line  # fmt: skip
    code, line = _fails(["promote", "v1"], capsys)  # was MLflow's "Parameter 'version' must be..."
    assert code == 2 and line.startswith("penataan-placement has no version 'v1' (its versions: 1")
    bad = tmp_path / "params.json"
    bad.write_text("{not json")
    code, line = _fails(["train", "--data", str(world_dir), "--config", str(bad)], capsys)
    assert code == 2 and line.startswith(f"--config {bad}")
    bad.write_text('{"num_leaves": 0}')
    code, line = _fails(["train", "--data", str(world_dir), "--config", str(bad)], capsys)
    assert code == 2 and line == f"--config {bad}: invalid hyperparameters: num_leaves=0"
    # a name misspelt was the default, silently; a value of the wrong type, pydantic's page
    bad.write_text('{"num_leave": 31}')
    code, line = _fails(["train", "--data", str(world_dir), "--config", str(bad)], capsys)
    assert code == 2 and line.startswith(f"--config {bad}: unknown hyperparameter(s) 'num_leave'")
    bad.write_text('{"num_leaves": "many"}')
    code, line = _fails(["train", "--data", str(world_dir), "--config", str(bad)], capsys)
    assert code == 2 and line.startswith(f"--config {bad}: num_leaves='many': Input should be")
    plan = tmp_path / "plan.json"
    plan.write_text('{"max_moves": -3, "max_move": 3}')
    out = tmp_path / "round"
    code, line = _fails(["plan", "--data", str(world_dir), "--out", str(out), "--config", str(plan)], capsys)  # fmt: skip
    assert code == 2 and line == (
        f"--config {plan}: max_moves=-3: Input should be greater than or equal to 0; "
        "max_move=3: Extra inputs are not permitted"
    )
    code, line = _fails(["plan", "--data", str(world_dir), "--out", str(out), "--as-of", "2099-01-01"], capsys)  # fmt: skip
    assert code == 1 and "outside what the data covers" in line and not out.exists()
    code, _ = _fails(["score", "--data", str(world_dir), "--out", str(tmp_path / "x.txt")], capsys)
    assert code == 2
    # MLflow refused these names only when registering the model trained, or quoted them wrong
    code, line = _fails(["train", "--data", str(world_dir), "--model-name", "kota:mataram"], capsys)  # fmt: skip
    assert code == 2 and line == "--model-name 'kota:mataram': a registered model's name cannot hold any of : (MLflow's model URIs and search cannot carry them)"  # fmt: skip
    code, line = _fails(["promote", "1", "--model-name", "it's"], capsys)
    assert code == 2 and line.startswith("--model-name \"it's\": a registered model's name cannot")
    # a date no one meant was refused after the data and the model had loaded
    for command in (["score", "--out", str(tmp_path / "x.csv")], ["plan", "--out", str(out)]):
        argv = [*command, "--data", "nowhere", "--as-of", "yesterday"]
        code, line = _fails(argv, capsys)
        assert code == 2 and line.startswith("--as-of 'yesterday': expected a date")
    # a mistyped folder kept a server up that would never be ready
    code, line = _fails(["serve", "--data", "nowhere"], capsys)
    assert code == 2 and line == "--data nowhere: no such folder"


@pytest.mark.parametrize(
    ("command", "out", "said"),
    [
        (["plan", "--data", "."], "file", "is a file"),
        (["import", "siasn", "."], "file", "is a file"),
        (["generate"], "file", "is a file"),
        (["score", "--data", "."], "dir.csv", "is a directory"),
        (["monitor", "--data", "."], "dir.html", "is a directory"),
    ],
)
def test_an_output_of_the_wrong_kind_is_refused_before_any_work(
    command: list[str], out: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan --out` naming a file (or `score --out` a folder) ended, after the whole round
    was solved, in `[Errno 17] File exists`; now the option is refused first (exit 2)."""
    (tmp_path / "file").write_text("")
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "dir.html").mkdir()
    with pytest.raises(SystemExit) as stop:
        main([*command, "--out", str(tmp_path / out)])
    err = " ".join(capsys.readouterr().err.replace("│", " ").split())  # rich's box, unwrapped
    assert stop.value.code == 2 and "Invalid value for '--out'" in err and said in err


def test_a_dead_tracking_server_is_named_in_seconds(
    world_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`penataan train` against an MLflow server that is down printed nothing for minutes
    (MLflow's client retries: 120 s a request, 7 times); now one line, in seconds."""
    import time

    from penataan.local_servers import free_port

    port = free_port()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://mutasi:rahasia@127.0.0.1:{port}")
    began = time.perf_counter()
    code, line = _fails(["train", "--data", str(world_dir)], capsys)
    assert code == 1 and time.perf_counter() - began < 30
    said = f"penataan: error: the MLflow server at http://mutasi:***@127.0.0.1:{port} does not answer ([Errno 111] Connection refused)"  # fmt: skip
    assert line.startswith(said)  # the password masked, and not read as part of the host


def test_who_acts_on_the_record_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PENATAAN_DECISIONS_DB", str(tmp_path / "decisions.db"))
    paper = tmp_path / "moves.csv"
    paper.write_text("suggestion_id,decision,reason_code\n")
    for argv in (["decisions", "suspend", "--reason", "audit", "--by", "  "],
                 ["decisions", "import", str(paper), "--stage", "hr", "--by", "a\nb"],
                 ["decisions", "purge", "--before", "2000-01-01", "--by", "", "--reason", "x"]):  # fmt: skip
        code, line = _fails(argv, capsys)
        assert code == 2 and line.startswith("--by "), line
    from oversight.store import DecisionStore  # nothing was recorded by nobody

    assert DecisionStore(tmp_path / "decisions.db").suspended() is None


def test_a_decisions_record_another_process_holds_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`penataan decisions import` while another writer held the record ended in "database is
    locked", naming no file; it waits the store's timeout (5 s), then names it."""
    from oversight.store import DecisionStore
    from tests.helpers import held_exclusively

    record = tmp_path / "decisions.db"
    monkeypatch.setenv("PENATAAN_DECISIONS_DB", str(record))
    assert DecisionStore(record).suspended() is None  # the file and its schema made
    paper = tmp_path / "moves.csv"
    paper.write_text("suggestion_id,decision,reason_code\nsg_0123abcd,setuju,lainnya\n")
    with held_exclusively(record):
        code, line = _fails(["decisions", "import", str(paper), "--stage", "hr", "--by", "Bidang Mutasi"], capsys)  # fmt: skip
    assert (
        code == 1 and line == f"penataan: error: the decisions record {record}: database is locked"
    )


def test_no_output_replaces_a_table_of_the_data(
    world_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`penataan plan --data D --out D` wrote the round's units.csv over the data's units
    (validate then found every unit column missing); `score --out D/employees.csv` and
    `outcomes executed --out D/assignments.csv` would have done the same. Each is refused
    before anything runs; the data is as it was."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(world_dir, data)
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    monkeypatch.setenv("PENATAAN_DECISIONS_DB", str(tmp_path / "decisions.db"))
    for argv, table in (
        (["plan", "--data", str(data), "--out", str(data)], "units.csv"),
        (["score", "--data", str(data), "--out", str(data / "employees.csv")], "employees.csv"),
        (["outcomes", "executed", "--out", str(data / "assignments.csv")], "assignments.csv"),
        (
            ["decisions", "form", "--round", "rd_0000", "--out", str(data / "units.csv")],
            "units.csv",
        ),
    ):
        code, line = _fails(argv, capsys)
        assert code == 2 and line.endswith(f"would replace the data's {table} (a contract table): write elsewhere"), line  # fmt: skip
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()} == before
    elsewhere = tmp_path / "round"  # a folder of its own, or a units.csv beside no contract
    elsewhere.mkdir()
    from features.contract.reader import replaces_a_table

    assert replaces_a_table(elsewhere / "units.csv") is None
    assert replaces_a_table(data / "moves.csv") is None


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--preset", "jakarta"], "unknown preset 'jakarta'; choose one of mataram"),
        (
            ["--seed", "-1"],
            "--seed -1: a whole number from 0 to 4294967295",
        ),  # numpy's words before
        (["--dialect", "simpeg"], "--dialect simpeg is the exports' dialect: add --export siasn"),
    ],
)
def test_generate_refuses_what_it_would_ignore_or_fail_on(
    options: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--dialect` without `--export` wrote no exports and said nothing."""
    code, line = _fails(["generate", "--out", str(tmp_path / "w"), *options], capsys)
    assert code == 2 and line.startswith(said) and not (tmp_path / "w").exists()


def test_an_html_report_is_named_html(
    world_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`monitor --out m.json` wrote its HTML report and the JSON beside it into one file."""
    monkeypatch.setenv("PENATAAN_DECISIONS_DB", str(tmp_path / "decisions.db"))
    for argv in (["monitor", "--data", str(world_dir), "--out", str(tmp_path / "m.json")],
                 ["decisions", "minutes", "--round", "rd_0000", "--out", str(tmp_path / "b.txt")]):  # fmt: skip
        code, line = _fails(argv, capsys)
        assert code == 2 and line.endswith(": an HTML report: name it .html"), line
    assert not list(tmp_path.glob("m.*")) and not list(tmp_path.glob("b.*"))


def test_a_setting_refused_names_the_variable_and_the_value_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deployer sets environment variables, not pydantic fields: the line names each one
    refused, the value and why, without pydantic's type codes and links."""
    monkeypatch.setenv("PENATAAN_PRECISION", "1.5")
    monkeypatch.setenv("PENATAAN_SCORE_CHUNK", "lots")
    code, line = _fails(["settings"], capsys)
    assert code == 1 and line.startswith("penataan: error: settings refused: ")
    assert "PENATAAN_PRECISION='1.5': Input should be less than 1" in line
    assert "PENATAAN_SCORE_CHUNK='lots': Input should be a valid integer" in line
    assert "pydantic.dev" not in line and "type=" not in line
    monkeypatch.delenv("PENATAAN_PRECISION")
    monkeypatch.delenv("PENATAAN_SCORE_CHUNK")
    monkeypatch.setenv("PENATAAN_AUDIT_TIMEOUT_SECONDS", "-1")
    code, line = _fails(["settings", "--serve"], capsys)
    assert code == 1 and "PENATAAN_AUDIT_TIMEOUT_SECONDS='-1'" in line
    monkeypatch.delenv("PENATAAN_AUDIT_TIMEOUT_SECONDS")
    monkeypatch.setenv("PENATAAN_AS_OF", "yesterday")  # was pandas' error once the model loaded
    code, line = _fails(["settings", "--serve"], capsys)
    assert code == 1 and line.endswith("PENATAAN_AS_OF='yesterday': expected a date YYYY-MM-DD between 1950 and 2100")  # fmt: skip
    monkeypatch.delenv("PENATAAN_AS_OF")
    monkeypatch.setenv("PENATAAN_PLAN_MAX_MOVES_SHARE", "2")  # a round's, not a --config's
    code, line = _fails(["plan", "--data", "nowhere", "--out", "round"], capsys)
    assert code == 1
    assert line == "penataan: error: settings refused: PENATAAN_PLAN_MAX_MOVES_SHARE='2': Input should be less than or equal to 1"  # fmt: skip


@pytest.mark.parametrize(
    ("variable", "value", "why"),
    [
        ("PENATAAN_MIN_EDUCATION_MANAGERIAL", "PhD", "an education level is one of SD"),
        ("PENATAAN_BUP_YEARS", "5", "greater than or equal to 45"),
        ("PENATAAN_MIN_TENURE_YEARS", "-1", "greater than or equal to 0"),
        ("PENATAAN_RETIREMENT_WINDOW_YEARS", "nan", "finite number"),
        ("PENATAAN_HEAVY_SANCTION_MONTHS", "-2", "greater than or equal to 0"),
        ("PENATAAN_FAIRNESS_MAX_GAP", "-1", "greater than 0"),
        ("PENATAAN_MODEL_ALIAS", "", "letters, digits, _ and -"),
        # MLflow reads `latest` as the newest version: the gate compared each model with itself
        ("PENATAAN_MODEL_ALIAS", "latest", "is reserved"),
        ("PENATAAN_MODEL_ALIAS", "v2", "is reserved"),
        ("PENATAAN_MODEL_ALIAS", "challenger", "is reserved"),  # where a model not promoted goes
        ("PENATAAN_MODEL_NAME", "kota/mataram", "cannot hold any of /"),  # MLflow: after training
        ("PENATAAN_MODEL_NAME", " ", "needs a name"),
        ("PENATAAN_EXPLAIN_FACTORS", "-3", "greater than or equal to 0"),
        ("PENATAAN_MAX_BODY_BYTES", "0", "greater than or equal to 1024"),
        ("PENATAAN_MIN_GAIN_LOW", "500", "less than or equal to 100"),
        ("PENATAAN_DECISIONS_DB", "", "names no file"),  # SQLite: "unable to open database file"
        ("PENATAAN_AUDIT_DB", "/tmp", "/tmp is a folder"),
        ("PENATAAN_API_KEYS_FILE", "", "names no file"),
    ],
)
def test_a_threshold_no_regulation_could_set_is_refused_when_read(
    variable: str, value: str, why: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """A retirement age of 5 or a tenure of -1 switched a rule off for everyone, unseen; an
    education level `PhD` ended the first scoring in a KeyError."""
    monkeypatch.setenv(variable, value)
    code, line = _fails(["settings", "--serve"], capsys)
    assert code == 1 and f"{variable}={value!r}: " in line and why in line, line


def test_a_weak_session_secret_is_refused_and_never_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PENATAAN_SESSION_SECRET", "rahasia")  # signs every page's session
    code, line = _fails(["settings", "--serve"], capsys)
    assert code == 1 and "PENATAAN_SESSION_SECRET='***': at least 32 characters" in line
    assert "rahasia" not in line


def test_a_full_disk_while_parts_wait_ends_in_one_line_and_leaves_the_output(
    cli_registry: str, world_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The parts' scores wait in temporary files between `penataan score`'s two passes: a
    disk that fills while they are written ends the command in one line, leaves the previous
    output whole and no parts' folder behind."""
    import pickle

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the parts' folder goes here
    out = tmp_path / "scores.csv"
    out.write_text("the previous, complete file\n")

    def full(part: object, file: BinaryIO, protocol: int) -> None:
        file.write(pickle.dumps(part, protocol)[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("training.scoring.pickle.dump", full)
    code, line = _fails(["score", "--data", str(world_dir), "--out", str(out)], capsys)
    assert code == 1 and line.startswith("penataan: error:") and "No space left" in line
    assert out.read_text() == "the previous, complete file\n"
    gc.collect()
    assert not list(tmp_path.glob("penataan-parts-*"))


def test_an_output_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """A writer that fails half way (a full disk) leaves the previous file, and no part file."""
    from training.outputs import strict_json, write_atomic

    target = tmp_path / "scores.csv"
    target.write_text("the previous, complete file\n")

    def half_then_full(path: Path) -> None:
        path.write_text("nip,unit_id\n1985")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomic(target, half_then_full)
    assert target.read_text() == "the previous, complete file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]
    assert strict_json({"gain": float("nan"), "moves": [float("inf"), 1.5]}) == (
        '{\n  "gain": null,\n  "moves": [\n    null,\n    1.5\n  ]\n}'
    )


@pytest.mark.slow  # a whole training through the command
def test_a_training_run_prints_the_commands_lines_not_mlflows(
    world_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """MLflow's warnings, INFO lines, download progress bars and registration chatter are
    for its developers: a successful `penataan train` shows its own progress and verdict."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    for name in ("MLFLOW_LOGGING_LEVEL", "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"):
        monkeypatch.delenv(name, raising=False)  # the command sets them; undone after
    params = tmp_path / "params.json"
    params.write_text('{"learning_rate": 0.1, "max_rounds": 200, "early_stopping_rounds": 20, "bag": 2}')  # fmt: skip
    try:
        main(["train", "--data", str(world_dir), "--config", str(params)])
    except SystemExit as stop:
        assert not stop.code
    out, err = capsys.readouterr()
    said = out + err
    assert "promoted to @champion" in said and "[penataan] registering the model" in said
    for noise in ("mlflow", "Successfully registered", "Created version", "Downloading artifacts"):  # fmt: skip
        assert noise not in said, noise
