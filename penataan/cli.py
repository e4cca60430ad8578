"""The `penataan` command line: one typer app, each pipeline step a command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd
    from pydantic import ValidationError

    from features.contract.validate import ContractError
    from features.data import HRData
    from oversight.records import Shown
    from oversight.store import DecisionStore
    from serving.keys import KeyStore
    from training.registry import LoadedModel
    from training.settings import PipelineSettings

app = typer.Typer(
    help="Penataan: placement suggestions for ASN. Advises; people (Baperjakat, the PPK) decide.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def main(argv: list[str] | None = None) -> None:
    """The `penataan` command: any failure ends in one line on stderr and exit code 1
    (usage errors: 2), never a traceback; `PENATAAN_TRACEBACK=1` shows it for developers."""
    import os
    import sys

    try:
        app(args=argv, prog_name="penataan")
    except Exception as error:
        if os.environ.get("PENATAAN_TRACEBACK"):
            raise
        message = _refused_settings(error) or " ".join(str(error).split()) or type(error).__name__
        print(f"penataan: error: {message}", file=sys.stderr)  # noqa: T201
        sys.exit(1)


def _refused_settings(error: Exception) -> str | None:
    """Settings the environment set and a settings class refused, as the deployer set them:
    each variable, its value and why (pydantic names the field, with type codes and a link)."""
    from pydantic import ValidationError
    from pydantic_settings import BaseSettings

    from penataan.environment import settings_classes
    from training.settings import environment_variables

    if not isinstance(error, ValidationError):
        return None
    kinds = {k.__name__: k for c in settings_classes() for k in c.__mro__ if issubclass(k, BaseSettings)}  # fmt: skip
    if error.title not in kinds:
        return None
    variables = environment_variables(kinds[error.title])  # PENATAAN_PLAN_ for a round's

    def variable(loc: tuple[str | int, ...]) -> str:
        return variables.get(str(loc[0]), [str(loc[0]).upper()])[0] if loc else ""

    return "settings refused: " + _field_errors(error, variable)


def _field_errors(
    error: ValidationError, name: Callable[[tuple[str | int, ...]], str] | None = None
) -> str:
    """pydantic's refusals as the person set them: each setting (`name` of its location: the
    key by default), its value and why, without pydantic's type codes and links; a refusal
    of the whole (a rule between values) by its reason alone."""
    parts = []
    for item in error.errors():
        reason = item["msg"].removeprefix("Value error, ")
        key = name(item["loc"]) if name else ".".join(str(part) for part in item["loc"])
        value = "'***'" if "SECRET" in key.upper() else repr(item.get("input"))  # never printed
        parts.append(f"{key}={value}: {reason}" if item["loc"] else reason)
    return "; ".join(parts)


@app.callback()
def _process_setup() -> None:
    """Every file a command creates is its owner's alone (umask 077): audit logs, MLflow
    runs, imports and scores hold NIPs and performance records; and MLflow's chatter is
    left out of the command's output (`penataan.quiet`). A `PENATAAN_*` variable set that no
    setting reads is named on stderr: a misspelt one leaves the default in force
    (`penataan.environment`)."""
    import os

    from penataan.environment import unread
    from penataan.quiet import quiet_mlflow

    os.umask(0o077)
    quiet_mlflow()
    for line in unread(os.environ):
        _echo_err(f"penataan: warning: {line}")


def _pilot_note(moves: int) -> str:
    """What a round's summary line says of its pilot moves (training.gain)."""
    return f"; {moves} of them a pilot, which no outcome here has tested yet" if moves else ""


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


def _not_over_the_data(out: Path, *files: str) -> None:
    """Exit 2 where `out` (or, given `files`, one of them in the folder `out`) would replace
    a contract table (`features.contract.reader.replaces_a_table`): `penataan plan --out` the
    data folder wrote the round's units.csv over the data's units."""
    from features.contract.reader import replaces_a_table

    for target in [out / name for name in files] or [out]:
        if table := replaces_a_table(target):
            _echo_err(f"--out {out}: would replace the data's {table} (a contract table): write elsewhere")  # fmt: skip
            raise typer.Exit(2)


def _output(out: Path, suffixes: tuple[str, ...], told: str) -> Path:
    """A file's `--out`, or exit 2: named with one of `suffixes` (else `told`: `monitor --out
    m.json` wrote its HTML report and the JSON beside it into one file), and replacing no
    contract table (`_not_over_the_data`)."""
    if out.suffix.lower() not in suffixes:
        _echo_err(f"--out {out}: {told}")
        raise typer.Exit(2)
    _not_over_the_data(out)
    return out


HTML = ((".html", ".htm"), "an HTML report: name it .html")


def _who(by: str) -> str:
    """`--by` as the record keeps it (`oversight.store.one_line_name`), or exit 2 saying why."""
    from oversight.store import Refused, one_line_name

    try:
        return one_line_name(by, "--by")
    except Refused as refused:
        _echo_err(str(refused))
        raise typer.Exit(2) from None


@app.command()
def validate(
    directory: Annotated[Path, typer.Argument(help="A data directory following the contract.")],
    show_all: Annotated[
        bool, typer.Option("--all", help="List every violation, not one line per cause.")
    ] = False,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json", dir_okay=False, help="Also write every violation to this JSON file."
        ),
    ] = None,
) -> None:
    """Check a data directory against the contract: each cause once with its count and
    examples, hints for the usual export problems (exit 1), or a summary of valid data."""
    import json

    from features.contract.summary import directory_hints, summary_lines
    from features.contract.validate import validate_directory
    from training.outputs import write_atomic

    report = validate_directory(directory)
    hints = directory_hints(directory)
    for warning in report.warnings:
        _echo_err(f"warning: {warning}")
    if json_out is not None:
        rows = [vars(v) for v in report.violations]
        body = {"directory": str(directory), "violations": rows, "hints": hints}
        write_atomic(json_out, lambda p: p.write_text(json.dumps(body, indent=1) + "\n"))
    if report.data is None:
        if show_all:
            for violation in report.violations:
                typer.echo(str(violation))
            for hint in hints:
                typer.echo(f"hint: {hint}")
        else:
            for line in summary_lines(report.violations, hints):
                typer.echo(line)
        _echo_err(f"{len(report.violations):,} violation(s): {directory} breaks the data contract")
        raise typer.Exit(1)
    for hint in hints:
        _echo_err(f"hint: {hint}")
    data = report.data
    typer.echo(f"{directory}: valid")
    for name, count in data.row_counts().items():
        typer.echo(f"  {name:<13} {count:>8} rows")
    periods = data.periods
    typer.echo(f"  periods       {periods[0]}-{periods[-1]} ({len(periods)} years)")


@app.command()
def contract(
    out: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Write the page here (default: print).")
    ] = None,
) -> None:
    """The data contract as a human page (Markdown), generated from the schema."""
    from features.contract.page import contract_markdown

    page = contract_markdown()
    if out is None:
        typer.echo(page, nl=False)
    else:
        out.write_text(page)
        typer.echo(f"wrote {out}")


@app.command()
def generate(
    out: Annotated[Path, typer.Option(file_okay=False, help="Directory to write the world to.")],
    preset: Annotated[
        str,
        typer.Option(
            help="mataram (about 5,500 ASN), ampenan (about 1,700), cakranegara (small); "
            "mataram-x2, mataram-x3 and provinsi (about 50,000 ASN x 2,500 units): Mataram's "
            "organisation two, three and nine times over."
        ),
    ] = "mataram",
    seed: Annotated[int, typer.Option(help="The same seed gives byte-identical files.")] = 7,
    scenario: Annotated[
        str,
        typer.Option(
            help="fixed: the presets' causal structure; family: one drawn from the seed "
            "(world/scenarios.py), written to truth/causal.json; family-hidden / "
            "family-observed: the same draw, past transfers all chosen on hidden / recorded fit."
        ),
    ] = "fixed",
    evaluations: Annotated[
        str,
        typer.Option(
            help="law: from 2022 a predikat and two ratings only, capped per unit "
            "(PermenPANRB 6/2022); numeric: a score every year (the same world otherwise)."
        ),
    ] = "law",
    export: Annotated[
        str | None,
        typer.Option(help="siasn: also write the world as SIASN/SIMPEG exports in OUT/siasn."),
    ] = None,
    dialect: Annotated[
        str,
        typer.Option(
            help="The exports' dialect: siasn, rw-split, simpeg, api, names, split "
            "(world/siasn_export.py)."
        ),
    ] = "siasn",
    then: Annotated[
        list[Path] | None,
        typer.Option(
            help="A CSV of executed moves (nip, to_unit_id) for one more year after the "
            "preset's last, in which only those moves happen; repeat for more years (the "
            "closed loop: the next year's records from what people decided)."
        ),
    ] = None,
    truth: Annotated[
        bool,
        typer.Option(
            help="Write truth/expected_scores.csv (every employee x every unit; leave it out "
            "for a provinsi: 125 million rows)."
        ),
    ] = True,
) -> None:
    """Generate a synthetic HR world with its ground truth (truth/expected_scores.csv)."""
    from world.kinerja import REGIMES
    from world.presets import PRESETS
    from world.scenarios import SCENARIOS
    from world.siasn_export import DIALECTS
    from world.writer import generate as run
    from world.writer import read_moves

    if preset not in PRESETS:
        _echo_err(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        raise typer.Exit(2)
    if scenario not in SCENARIOS:
        _echo_err(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
        raise typer.Exit(2)
    if evaluations not in REGIMES:
        _echo_err(f"unknown evaluations {evaluations!r}; choose one of {', '.join(REGIMES)}")
        raise typer.Exit(2)
    if export not in (None, "siasn"):
        _echo_err(f"unknown export {export!r}; the one export is siasn")
        raise typer.Exit(2)
    if dialect not in DIALECTS:
        _echo_err(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
        raise typer.Exit(2)
    if dialect != DIALECTS[0] and export is None:  # it was ignored: no exports were written
        _echo_err(f"--dialect {dialect} is the exports' dialect: add --export siasn")
        raise typer.Exit(2)
    if not 0 <= seed < 2**32:  # numpy's own words, "expected non-negative integer", otherwise
        _echo_err(f"--seed {seed}: a whole number from 0 to {2**32 - 1}")
        raise typer.Exit(2)
    try:
        years = [read_moves(path) for path in then or []]
    except (OSError, ValueError) as error:
        _echo_err(str(error))
        raise typer.Exit(2) from None
    try:
        counts = run(preset, seed, out, scenario=scenario, evaluations=evaluations,
                     export=export, dialect=dialect, then=years, truth=truth)  # fmt: skip
    except ValueError as error:
        _echo_err(str(error))
        raise typer.Exit(2) from None
    typer.echo(f"wrote {out} ({', '.join(f'{k} {v}' for k, v in counts.items())})")


def _progress(message: str) -> None:
    typer.echo(f"[penataan] {message}", err=True)


def _report_refusal(error: ContractError, directory: Path) -> NoReturn:
    from features.contract.summary import directory_hints, summary_lines

    for line in summary_lines(error.report.violations, directory_hints(directory)):
        _echo_err(line)
    _echo_err(
        f"{len(error.report.violations)} violation(s) in {directory}; nothing was trained or scored"
    )
    raise typer.Exit(1)


def _as_of(value: str | None) -> Any:
    """`--as-of` as a timestamp, or exit 2 naming the option (None: the data's default)."""
    import pandas as pd

    from training.settings import as_of_date

    if value is None:
        return None
    try:
        return pd.Timestamp(as_of_date(value))
    except ValueError as error:
        _echo_err(f"--as-of {value!r}: {error}")
        raise typer.Exit(2) from None


def _model_name(value: str | None) -> str | None:
    """`--model-name` as MLflow can register and find it (`registered_name`), or exit 2 saying
    why: MLflow refused a `/` only when registering, after the training."""
    from training.settings import registered_name

    try:
        return None if value is None else registered_name(value)
    except ValueError as error:
        _echo_err(f"--model-name {value!r}: {error}")
        raise typer.Exit(2) from None


ModelName = Annotated[str | None, typer.Option(help="Registered model name.")]
ModelUri = Annotated[str | None, typer.Option(help="Default: models:/penataan-placement@champion.")]
AsOf = Annotated[
    str | None, typer.Option(help="As-of date YYYY-MM-DD (default: after the last period).")
]


def _settings() -> PipelineSettings:
    """Every `PENATAAN_*` setting a pipeline command reads, read here once and passed down."""
    from training.settings import PipelineSettings

    return PipelineSettings()


def _registered(settings: PipelineSettings, model_uri: str | None) -> LoadedModel:
    """The model at `model_uri` (default: the champion), or a clear error and exit 1."""
    from mlflow.exceptions import MlflowException

    from training.registry import load_registered
    from training.settings import shown_uri

    settings.connect()
    uri = model_uri or settings.champion_uri
    try:
        loaded = load_registered(uri)
    except (MlflowException, ValueError) as error:
        _echo_err(f"cannot load {uri} from {shown_uri(settings.mlflow_tracking_uri)}: {error}")
        raise typer.Exit(1) from None
    settings.prepare(loaded.model)
    return loaded


def _decision_store() -> DecisionStore:
    """The record of suggestions and decisions (`PENATAAN_DECISIONS_DB`)."""
    from oversight.settings import OversightSettings
    from oversight.store import DecisionStore

    return DecisionStore(OversightSettings().decisions_db)


def _shown(loaded: LoadedModel, data: HRData, as_of: pd.Timestamp) -> Shown:
    from oversight.records import Shown

    return Shown(loaded.name, loaded.version, loaded.run_id, data.fingerprint(), as_of.date().isoformat())  # fmt: skip


def _load(directory: Path, settings: PipelineSettings) -> HRData:
    """The directory's data, or every violation and exit 1 before anything else runs."""
    from features.contract.validate import ContractError, load_data

    try:
        return load_data(directory, settings.predikat_scale)
    except ContractError as error:
        _report_refusal(error, directory)


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="A valid data directory.")],
    experiment: Annotated[str | None, typer.Option(help="MLflow experiment name.")] = None,
    model_name: ModelName = None,
    config: Annotated[
        Path | None, typer.Option(help="JSON file of LightGBM hyperparameters.")
    ] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Override the learning rate.")] = None,
    num_leaves: Annotated[int | None, typer.Option(help="Override the number of leaves.")] = None,
) -> None:
    """Train the placement model, compare it with baselines, register it, promote if better."""
    import dataclasses
    import json

    from pydantic import TypeAdapter, ValidationError

    from features.contract.validate import ContractError
    from training.model import LgbParams
    from training.run import train as run_train
    from training.settings import CHALLENGER

    try:
        overrides: dict[str, Any] = json.loads(config.read_text()) if config else {}
        if not isinstance(overrides, dict):
            raise ValueError("the file must hold one JSON object of hyperparameters")
    except (ValueError, OSError) as error:
        _echo_err(f"--config {config}: not a JSON file of hyperparameters ({error})")
        raise typer.Exit(2) from None
    if learning_rate is not None:
        overrides["learning_rate"] = learning_rate
    if num_leaves is not None:
        overrides["num_leaves"] = num_leaves
    known = [field.name for field in dataclasses.fields(LgbParams)]
    if unknown := [key for key in overrides if key not in known]:  # else silently the default
        _echo_err(f"--config {config}: unknown hyperparameter(s) {', '.join(map(repr, unknown))}; "
                  f"known: {', '.join(known)}")  # fmt: skip
        raise typer.Exit(2)
    try:
        params = TypeAdapter(LgbParams).validate_python(overrides)
    except ValidationError as error:
        source = f"--config {config}" if config else "--num-leaves, --learning-rate"
        _echo_err(f"{source}: {_field_errors(error)}")
        raise typer.Exit(2) from None
    settings = _settings()
    if experiment:
        settings.experiment = experiment
    if model_name := _model_name(model_name):
        settings.model_name = model_name
    try:
        result = run_train(data, settings, params, progress=_progress)
    except ContractError as error:
        _report_refusal(error, data)
    typer.echo(result.metrics.round(3).to_string())
    for flag in result.fairness_flags:
        typer.echo(f"fairness flag: {flag}")
    verdict = (
        f"promoted to @{settings.model_alias}"
        if result.promoted
        else f"registered as @{CHALLENGER}, not promoted"
    )
    typer.echo(f"{settings.model_name} v{result.version}: {verdict} ({result.reason})")


@app.command()
def evaluate(
    data: Annotated[
        Path, typer.Option(help="A valid data directory (with truth/ for decision metrics).")
    ],
    model_uri: ModelUri = None,
) -> None:
    """Print held-out and decision metrics of a registered model beside the baselines."""
    from training.evaluation import evaluate_registered, read_truth

    settings = _settings()
    hr = _load(data, settings)
    loaded = _registered(settings, model_uri)
    label = f"model v{loaded.version}"
    table = evaluate_registered(hr, loaded.model, read_truth(data), settings, label)
    typer.echo(table.round(3).to_string())


@app.command()
def score(
    data: Annotated[Path, typer.Option(help="A valid data directory.")],
    out: Annotated[
        Path, typer.Option(dir_okay=False, help="Output file, .csv, .parquet or .xlsx (for Excel).")
    ],
    model_uri: ModelUri = None,
    as_of: AsOf = None,
    all_units: Annotated[  # a flag alone: `--no-all-units` beside it narrowed every help
        bool, typer.Option("--all-units", help="Score every unit, not only eligible ones.")
    ] = False,
) -> None:
    """Score every active employee against every (eligible) unit, with the gain over staying.

    Ranked by the decision policy: a move comes first only when it is among the surest moves
    whose expected share that truly helps reaches PENATAAN_PRECISION (0.8), or, until the
    gain line has been refit on the agency's own outcomes, among the pilot's next surest
    (PENATAAN_PILOT; flagged in the `pilot` column), and its gain interval's lower end clears
    PENATAAN_MIN_GAIN_LOW when that is set; otherwise staying does. The staff is scored a
    part at a time, about 300,000 pairs' worth of employees or PENATAAN_SCORE_CHUNK employees
    (bounded memory)."""
    from training.scoring import OUTPUT_SUFFIXES, score_parts, write_table

    _output(out, OUTPUT_SUFFIXES, f"must end in {', '.join(OUTPUT_SUFFIXES)}")
    when = _as_of(as_of)  # before the data and the model load
    settings = _settings()
    hr = _load(data, settings)
    loaded = _registered(settings, model_uri)
    parts = score_parts(hr, loaded.model, settings, when, all_units)
    rows = write_table(parts, str(out))
    typer.echo(f"wrote {rows} rows to {out} with {loaded.name} v{loaded.version}")


@app.command()
def promote(
    version: Annotated[str, typer.Argument(help="The model version to make @champion.")],
    model_name: ModelName = None,
) -> None:
    """Move the champion alias to VERSION by hand (logged on the model version)."""
    from training.registry import promote_by_hand

    settings = _settings()
    name = _model_name(model_name) or settings.model_name
    settings.connect()
    try:
        promote_by_hand(name, settings.model_alias, version)
    except ValueError as error:
        _echo_err(str(error))
        raise typer.Exit(2) from None
    typer.echo(f"{name} v{version} is now @{settings.model_alias}")


@app.command()
def serve(
    data: Annotated[Path, typer.Option(help="A valid data directory.")],
    model_uri: ModelUri = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    as_of: AsOf = None,
) -> None:
    """Serve ranked, explained placement suggestions over HTTP (needs X-API-Key)."""
    from features.contract.validate import not_a_folder
    from serving.server import serve as run_server
    from serving.settings import ServeSettings

    if why := not_a_folder(data):  # a mistyped folder: the server stayed up, never ready
        _echo_err(f"--data {data}: {why}")
        raise typer.Exit(2)
    settings = ServeSettings(data_dir=data)
    if model_uri:
        settings.model_uri = model_uri
    if as_of:
        settings.as_of = _as_of(as_of).date().isoformat()
    run_server(settings, host, port)


@app.command("settings")
def show_settings(
    serve: Annotated[bool, typer.Option(help="The API's settings (a superset).")] = False,
) -> None:
    """Print every environment variable the pipeline (or, with --serve, the API) reads,
    with the value in force now."""
    from serving.settings import ServeSettings
    from training.settings import environment_table

    for variable, value in environment_table(ServeSettings() if serve else _settings()):
        typer.echo(f"{variable}={value}")


import_app = typer.Typer(help="Import a BKPSDM's exports into the data contract.")
app.add_typer(import_app, name="import")


@import_app.command("siasn")
def import_siasn(
    src: Annotated[
        Path,
        typer.Argument(
            help="A folder of SIASN/SIMPEG/e-Kinerja exports (CSV, TSV, TXT, XLSX or the API's JSON)."
        ),
    ],
    out: Annotated[Path, typer.Option(file_okay=False, help="The contract folder to write.")],
    mapping: Annotated[
        Path | None,
        typer.Option(help="A reviewed mapping.csv (from an earlier run); default: suggestions."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            help="Exit 1, the folder and report written, when a file was set aside unreadable "
            "or rows are named to check first (a scheduled import should not go on with part "
            "of the records)."
        ),
    ] = False,
) -> None:
    """Convert SIASN-style exports into a contract folder, with mapping.csv (every decision,
    suggestions marked) and import_report.md/.json (every source row accounted for)."""
    from siasn.convert import MissingExports
    from siasn.convert import import_siasn as run
    from siasn.mapping import MappingProblems

    try:
        report = run(src, out, mapping, progress=_progress)
    except (MissingExports, MappingProblems) as missing:  # one line per near miss or row
        for line in str(missing).splitlines():
            _echo_err(line)
        raise typer.Exit(1) from None
    for ledger in report.ledgers:
        dropped = sum(ledger.dropped.values())
        merged = sum(ledger.merged.values())
        typer.echo(f"  {ledger.file:<26} {ledger.kind:<16} read {ledger.read:>7,}  kept {ledger.kept:>7,}"
                   f"  merged {merged:>5,}  dropped {dropped:>5,}")  # fmt: skip
        if dropped and 2 * dropped >= ledger.read:  # a column read wrong, most likely: say which
            reason, count = max(ledger.dropped.items(), key=lambda item: item[1])
            typer.echo(f"    warning: {dropped:,} of {ledger.read:,} rows dropped, {count:,} of them: {reason}")  # fmt: skip
    for name, why in report.ignored.items():
        typer.echo(f"  set aside: {name}: {why}")
    for check in report.checks:
        typer.echo(f"  check: {check}")
    unreadable = sum(why.startswith("unreadable") for why in report.ignored.values())
    if unreadable:  # set aside so that the others import, but their rows are not in it
        typer.echo(f"  warning: {unreadable} unreadable file(s) set aside: the import lacks their rows (copy them again and re-run)")  # fmt: skip
    typer.echo(
        f"wrote {out} (mapping.csv, import_report.md); contract: {report.contract['summary']}"
    )
    if not report.contract["valid"]:
        for line in report.contract["lines"]:
            _echo_err(line)
        raise typer.Exit(1)
    if strict and (unreadable or report.checks):
        _echo_err(f"--strict: {unreadable} unreadable file(s), {len(report.checks)} thing(s) to check first (above)")  # fmt: skip
        raise typer.Exit(1)


decisions_app = typer.Typer(help="People decide, on the record: decisions on suggestions shown.")
app.add_typer(decisions_app, name="decisions")


@decisions_app.command("import")
def decisions_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="A round's moves.csv with decision, reason_code, note (alt_unit_id, sk_number, tmt) columns."
        ),
    ],  # fmt: skip
    stage: Annotated[str, typer.Option(help="hr, baperjakat or ppk: whose decisions these are.")],
    by: Annotated[str, typer.Option(help="Who records them (kept with every row).")],
) -> None:
    """Record a committee's decisions on a round's moves (every row checked first; every
    problem listed with its row and column; append-only)."""
    from oversight.committee import import_decisions
    from oversight.reasons import STAGES

    if stage not in STAGES:
        _echo_err(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")
        raise typer.Exit(2)
    who = _who(by)
    try:
        done = import_decisions(_decision_store(), file, stage, who)
    except ValueError as error:  # a file that cannot be read as a round's moves: nothing recorded
        _echo_err(str(error))
        raise typer.Exit(1) from None
    already = f", {done.already} already on the record as the file has them" if done.already else ""
    typer.echo(f"{file}: {done.recorded} decision(s) recorded at the {stage} stage{already}, {done.undecided} row(s) without a decision left for later")  # fmt: skip
    for problem in done.problems:
        _echo_err(problem)
    if done.problems:
        raise typer.Exit(1)


@decisions_app.command("minutes")
def decisions_minutes(
    round_id: Annotated[
        str, typer.Option("--round", help="The round's id (round_id in its summary.json).")
    ],  # fmt: skip
    out: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="The HTML file (default: berita-acara-ROUND.html)."),
    ] = None,  # fmt: skip
) -> None:
    """Write the round's berita acara: each move with its decisions, reasons, who and when
    (WITA) and the model version, printable, in Indonesian."""
    from oversight.minutes import write_minutes

    target = _output(out or Path(f"berita-acara-{round_id}.html"), *HTML)
    try:
        typer.echo(f"wrote {write_minutes(_decision_store(), round_id, target)}")
    except ValueError as error:
        _echo_err(str(error))
        raise typer.Exit(1) from None


@decisions_app.command("form")
def decisions_form(
    round_id: Annotated[
        str, typer.Option("--round", help="The round's id (round_id in its summary.json).")
    ],  # fmt: skip
    out: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False, help="The workbook, .xlsx or .csv (default: usulan-ROUND.xlsx)."
        ),
    ] = None,  # fmt: skip
) -> None:
    """Write a round's paper from the record: its moves as shown, where each one's decisions
    stand and the decision columns empty, for the next stage to fill in and `import`."""
    from oversight.committee import form_lists, round_form
    from planning.report import FORM_TITLE
    from training.scoring import write_table

    target = _output(out or Path(f"usulan-{round_id}.xlsx"), (".xlsx", ".csv"), "write .xlsx or .csv")  # fmt: skip
    try:
        form = round_form(_decision_store(), round_id)
    except ValueError as error:
        _echo_err(str(error))
        raise typer.Exit(1) from None
    write_table(form, target, FORM_TITLE, form_lists())
    typer.echo(f"wrote {target} ({len(form)} moves)")


@decisions_app.command("suspend")
def decisions_suspend(
    reason: Annotated[str, typer.Option(help="Why (kept on the record).")],
    by: Annotated[str, typer.Option(help="Who suspends.")],
    resume: Annotated[
        bool, typer.Option("--resume", help="Start suggestions again instead.")
    ] = False,  # fmt: skip
) -> None:
    """Stop every suggestion (API and rounds refuse with the reason) until resumed."""
    who = _who(by)
    store = _decision_store()
    store.suspend(reason, who, resume)
    typer.echo(store.suspended() or "suggestions are served")


@decisions_app.command("purge")
def decisions_purge(
    before: Annotated[str, typer.Option(help="Remove what is older than this date (YYYY-MM-DD).")],
    by: Annotated[str, typer.Option(help="Who purges (kept in the purge log).")],
    reason: Annotated[str, typer.Option(help="Why (kept in the purge log).")],
) -> None:
    """Remove decisions, outcome checks and suggestions shown, and audit rows, older than
    BEFORE; refused unless BEFORE is at least 183 days ago (decisions and logs are kept six
    months). The decisions' chain stays verifiable."""
    import datetime as dt

    from oversight.store import Refused
    from serving.audit import AuditLog
    from serving.settings import ServeSettings

    try:
        day = dt.date.fromisoformat(before)
    except ValueError:
        _echo_err(f"--before {before!r}: expected a date YYYY-MM-DD")
        raise typer.Exit(2) from None
    by = _who(by)
    try:
        removed = _decision_store().purge(day, by, reason)
        audit = AuditLog(ServeSettings().audit_db)
        try:
            rows = audit.purge(day, by)
        finally:
            audit.close()
    except (Refused, ValueError) as refused:
        _echo_err(f"not purged: {refused}")
        raise typer.Exit(1) from None
    typer.echo("purged before " + str(day) + ": " + ", ".join(f"{n} {k}" for k, n in removed.items()) + f", {rows} audit row(s)")  # fmt: skip


@decisions_app.command("verify")
def decisions_verify() -> None:
    """Check the decisions' hash chain: exit 1 naming every row edited, removed or moved."""
    store = _decision_store()
    problems = store.verify()
    for problem in problems:
        _echo_err(f"{store.path}: {problem}")
    if problems:
        raise typer.Exit(1)
    for purge in store.purges():
        typer.echo(f"{store.path}: purged before {purge['horizon']} by {purge['decided_by']} at {purge['at']} ({purge['reason']}): the chain is checked from row {purge['last_seq'] + 1}")  # fmt: skip
    typer.echo(f"{store.path}: the chain of {len(store.rows())} decision(s) is intact")


outcomes_app = typer.Typer(help="A year later: what the decided suggestions realised.")
app.add_typer(outcomes_app, name="outcomes")
NewerData = Annotated[
    Path, typer.Option(help="The data folder with the newer evaluations (the contract's tables).")
]


@outcomes_app.command("import")
def outcomes_import(data: NewerData) -> None:
    """Match every suggestion the PPK decided to its realised evaluation in the data
    (observed, pending, censored or missing) and append the checks to the record."""
    from oversight.outcomes import STATUSES, import_outcomes

    counts = import_outcomes(_decision_store(), _load(data, _settings()))
    typer.echo(f"{sum(counts.values())} decided suggestion(s) checked: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES))  # fmt: skip


@outcomes_app.command("executed")
def outcomes_executed(
    out: Annotated[
        Path,
        typer.Option(
            dir_okay=False,
            help="The file to write (nip, to_unit_id, then the SK's columns): .csv (what "
            "generate --then reads) or .xlsx.",
        ),
    ],
    round_id: Annotated[
        str | None, typer.Option("--round", help="Only this round's moves.")
    ] = None,
) -> None:
    """Write the moves the PPK approved (setuju, or ubah to its unit): for the SK list, or
    for `penataan generate --then` to play a synthetic world's next year on them."""
    from oversight.outcomes import executed_moves
    from training.scoring import write_table

    # it wrote CSV whatever the name said
    _output(out, (".csv", ".xlsx"), "write .csv (what generate --then reads) or .xlsx")
    frame = executed_moves(_decision_store(), round_id)
    write_table(frame, out, "mutasi disetujui")
    typer.echo(f"wrote {out} ({len(frame)} executed move(s))")


@outcomes_app.command("recalibrate")
def outcomes_recalibrate(data: NewerData) -> None:
    """Refit the champion's gain calibration on the realised outcomes of its executed
    suggestions and register it as the new champion (the same booster); refused with fewer
    observed outcomes than PENATAAN_MIN_OUTCOMES (30), unless they already realise less than
    claimed beyond chance (training.gain.Shortfall)."""
    from oversight.recalibrate import recalibrate

    settings = _settings()
    try:
        done = recalibrate(_decision_store(), _load(data, settings), settings)
    except ValueError as error:
        _echo_err(f"not recalibrated: {error}")
        raise typer.Exit(1) from None
    typer.echo(
        f"v{done.version} (from v{done.from_version}) is the champion: gain line refit on "
        f"{done.outcomes} realised outcome(s); for these moves it claims {done.claimed_after:+.2f} "
        f"where v{done.from_version} claimed {done.claimed_before:+.2f} and they realised {done.realised:+.2f}"
        + (
            f"; refit before the {settings.min_outcomes} asked: {done.early.describe()}"
            if done.early
            else ""
        )
    )


@app.command()
def monitor(
    data: NewerData,
    out: Annotated[Path, typer.Option(dir_okay=False, help="The offline HTML report.")] = Path(
        "monitor.html"
    ),
    model_uri: ModelUri = None,
) -> None:
    """Outcomes of decided suggestions against their claims, drift since the model was used,
    and how people decide (override rates, a rubber-stamp flag): an HTML report, the same
    figures as a JSON file beside it, and an MLflow run (experiment penataan-monitor)."""
    import json

    import mlflow

    from oversight.monitor import (  # fmt: skip
        decided_dates,
        drift,
        monitor_metrics,
        reference_date,
        stay_baselines,
    )
    from oversight.monitor import monitor as build
    from oversight.monitor_report import write_monitor_report
    from oversight.outcomes import import_outcomes

    _output(out, *HTML)
    settings = _settings()
    hr = _load(data, settings)
    loaded = _registered(settings, model_uri)
    store = _decision_store()
    fingerprint = hr.fingerprint()  # hashes every table: once for the whole report
    import_outcomes(store, hr, fingerprint)
    baselines = stay_baselines(hr, loaded.model, decided_dates(store), settings)
    report = build(store, hr, baselines, fingerprint)
    report["drift"] = drift(hr, loaded.model, reference_date(store, hr))
    report["model"] = {"name": loaded.name, "version": loaded.version}
    write_monitor_report(report, out)
    figures = out.with_suffix(".json")
    figures.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    mlflow.set_experiment(f"{settings.experiment}-monitor")
    with mlflow.start_run(run_name=f"monitor v{loaded.version}"):
        mlflow.set_tags(
            {"model_version": loaded.version, "data_fingerprint": report["data_fingerprint"]}
        )
        mlflow.log_metrics(monitor_metrics(report))
        mlflow.log_artifact(str(out))
        mlflow.log_artifact(str(figures))
    g = report["gain"]
    typer.echo(f"wrote {out} and {figures}; outcomes: " + ", ".join(f"{n} {s}" for s, n in report["outcomes"].items()))  # fmt: skip
    if g.get("executed_observed"):
        typer.echo(f"executed moves observed: {g['executed_observed']}, claimed {g['claimed_gain']:+.2f}, "
                   f"realised {g['realised_gain']:+.2f}, helped {g['share_helped']:.0%}")  # fmt: skip
    for stage, figures_ in report["oversight"].items():
        if figures_["rubber_stamp"]:
            typer.echo(f"flag: the {stage} stage approved all {figures_['decisions']} suggestions")
    shifted = report.get("drift", {}).get("features_shifted")
    if shifted:
        typer.echo(f"drift: {', '.join(shifted)} shifted (PSI >= 0.2, and past what chance reaches at this many staff)")  # fmt: skip


keys_app = typer.Typer(help="API keys: create, list and revoke (only hashes are stored).")
app.add_typer(keys_app, name="keys")


def _key_store() -> KeyStore:
    from serving.keys import KeyStore
    from serving.settings import ServeSettings

    return KeyStore(ServeSettings().api_keys_file)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="hr, reviewer or admin.")],
    name: Annotated[str, typer.Option(help="Who or which tool holds the key.")],
) -> None:
    """Create a key and print it once, as the last line of stdout; only its hash is kept."""
    store = _key_store()
    try:
        key = store.create(role, name)
    except ValueError as error:
        _echo_err(str(error))
        raise typer.Exit(2) from None
    typer.echo(f"key for {name!r} (role {role}) stored as a hash in {store.path}; shown once:")
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """Key names, roles and creation times (never the keys)."""
    for holder in _key_store().holders():
        typer.echo(f"{holder.name}\t{holder.role}\t{holder.created_at}")


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Remove a key; a running server refuses it from its next request."""
    if not _key_store().revoke(name):
        _echo_err(f"no key named {name!r}")
        raise typer.Exit(1)
    typer.echo(f"revoked {name!r}")


@app.command()
def plan(
    data: Annotated[Path, typer.Option(help="A valid data directory.")],
    out: Annotated[
        Path,
        typer.Option(
            file_okay=False,
            help="Directory for moves.csv, moves.xlsx, units.csv, summary.json, report.html.",
        ),
    ],
    model_uri: ModelUri = None,
    as_of: AsOf = None,
    config: Annotated[
        Path | None, typer.Option(help="JSON file of plan settings (see planning/settings.py).")
    ] = None,
) -> None:
    """Propose an organisation-wide transfer round that keeps every rule (exact optimum)."""
    import json

    from pydantic import ValidationError

    from oversight.committee import form_lists
    from oversight.records import record_round
    from planning.report import PLAN_FILES, write_plan
    from planning.run import PlanRefused, UnknownLocks, check_locks, plan_round
    from planning.settings import PlanSettings
    from training.evaluation import read_truth
    from training.scoring import staff_tables

    _not_over_the_data(out, *PLAN_FILES)
    given = _as_of(as_of)  # before the data and the model load
    from_environment = PlanSettings.model_validate({})  # refused as the variables set, by `main`
    try:
        overrides = json.loads(config.read_text()) if config else {}
        if not isinstance(overrides, dict):
            raise ValueError("the file must hold one JSON object of settings")
        settings = from_environment.overridden(overrides)  # the file's values win
    except ValidationError as error:
        _echo_err(f"--config {config}: {_field_errors(error)}")
        raise typer.Exit(2) from None
    except (ValueError, OSError) as error:
        _echo_err(f"--config {config}: {error}")
        raise typer.Exit(2) from None
    store = _decision_store()
    if why := store.suspended():
        _echo_err(f"no round: {why} (penataan decisions resume)")
        raise typer.Exit(1)
    pipeline = _settings()
    hr = _load(data, pipeline)
    try:  # before the model is loaded and any row built
        check_locks(hr, settings)
    except UnknownLocks as refusal:
        _echo_err(f"{refusal.field}: {refusal}")
        raise typer.Exit(2) from None
    loaded = _registered(pipeline, model_uri)
    when = given or hr.default_as_of()
    _progress(f"building candidate rows as of {when.date()}, {pipeline.part_size(len(hr.units)):,} employees at a time")  # fmt: skip
    try:
        result = plan_round(
            hr, loaded.model, staff_tables(hr, pipeline, when), settings, read_truth(data),
            _progress, pipeline.decision,
        )  # fmt: skip
    except PlanRefused as refusal:
        _echo_err(str(refusal))
        raise typer.Exit(1) from None
    record_round(result, _shown(loaded, hr, when), store)
    paths = write_plan(result, out, form_lists())
    s = result.summary
    typer.echo(
        f"{s['moves']} moves (cap {s['max_moves']}{_pilot_note(s['pilot_moves'])}), "
        f"predicted gain {s['total_predicted_gain']:+.1f} "
        f"(greedy {s['greedy']['total_predicted_gain']:+.1f}); solver {s['solver']['status']} "
        f"in {s['solver']['seconds']:.2f} s"
    )
    if "truth" in s:
        typer.echo(
            f"true gain {s['truth']['true_gain']:+.1f} (greedy {s['truth']['greedy_true_gain']:+.1f})"
        )
    typer.echo("wrote " + ", ".join(str(p) for p in paths))
