"""Pipeline configuration (pydantic-settings, `PENATAAN_` prefix): the registry, the
eligibility thresholds, the predikat scale, the decision policy and the fairness audit,
each a small class,
and `PipelineSettings`, all of them in the one object a deployable builds at its edge."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from features.settings import EligibilitySettings, KinerjaSettings

if TYPE_CHECKING:  # settings are read by commands that load no data nor model (`penataan keys`)
    from training.gain import Decision
    from training.model import PlacementModel

PART_PAIRS = 300_000  # pairs in a part of a staff scored a part at a time (`part_size`)


CHALLENGER = "challenger"  # the alias of a model registered and not promoted (`training.run`)


def registered_name(name: str) -> str:
    """A registered model's name as MLflow can hold and find it; ValueError saying why not.
    MLflow refuses `/` and `:` only when a trained model is registered (minutes in), and its
    search filter (`penataan promote`) cannot quote a name holding `'` or `"`."""
    if not name.strip():
        raise ValueError("a registered model needs a name")
    if held := "".join(sorted(set(name) & set("/:'\""))):
        raise ValueError(f"a registered model's name cannot hold any of {held} (MLflow's model URIs and search cannot carry them)")  # fmt: skip
    return name


def alias_name(alias: str) -> str:
    """An alias MLflow can set and that names one model; ValueError saying why not: `latest`
    and `v3` already mean versions to MLflow (a champion alias `latest` made the gate compare
    every new model with the newest, itself), and `challenger` is where a model that was not
    promoted goes."""
    if not re.fullmatch(r"[\w-]+", alias):
        raise ValueError("an alias holds only letters, digits, _ and - (MLflow's rule)")
    if alias.lower() in ("latest", CHALLENGER) or re.fullmatch(r"[vV]\d+", alias):
        raise ValueError(f"{alias!r} is reserved: `latest` and `v<N>` name versions in MLflow, "
                         f"`{CHALLENGER}` a model not promoted")  # fmt: skip
    return alias


class RegistrySettings(BaseSettings):
    """Where runs and models live. MLflow's own `MLFLOW_TRACKING_URI` wins when set."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    mlflow_tracking_uri: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'mlflow.db'}",
        validation_alias=AliasChoices("MLFLOW_TRACKING_URI", "PENATAAN_MLFLOW_TRACKING_URI"),
    )
    model_name: Annotated[str, AfterValidator(registered_name)] = "penataan-placement"
    model_alias: Annotated[str, AfterValidator(alias_name)] = "champion"
    experiment: str = Field(default="penataan", min_length=1)

    @property
    def champion_uri(self) -> str:
        return f"models:/{self.model_name}@{self.model_alias}"

    def connect(self) -> None:
        """Point MLflow at this registry: the one place that does. A tracking server that
        does not answer is refused in seconds (`RegistryUnreachable`): MLflow's own client
        retries a dead server for minutes (120 s a request, 7 retries with backoff) while a
        command prints nothing."""
        import mlflow  # here: building settings must not cost MLflow's import

        uri = self.mlflow_tracking_uri
        if uri.startswith(("http://", "https://")):
            _answers(uri, REGISTRY_PROBE_SECONDS)
        mlflow.set_tracking_uri(uri)


REGISTRY_PROBE_SECONDS = 5.0


class RegistryUnreachable(ValueError):
    """The MLflow tracking server named does not answer."""


def _answers(uri: str, seconds: float) -> None:
    """Raise `RegistryUnreachable` unless the server at `uri` answers its `/health` within
    `seconds` (any HTTP answer will do: a server behind a login still answers)."""
    import urllib.error
    import urllib.request

    bare = re.sub(r"//[^/@]*@", "//", uri.rstrip("/"))  # urllib reads `user:pw@` as the host
    try:
        with urllib.request.urlopen(f"{bare}/health", timeout=seconds):
            return
    except urllib.error.HTTPError:
        return
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise RegistryUnreachable(
            f"the MLflow server at {shown_uri(uri)} does not answer ({reason}): start it, or set "
            "MLFLOW_TRACKING_URI to a registry that answers"
        ) from None


class AuditSettings(BaseSettings):
    """The merit-system audit: how large a gap between groups is flagged."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    # score points, for MAE and for mean suggested gain
    fairness_max_gap: float = Field(default=2.0, gt=0, le=100, allow_inf_nan=False)


class DecisionSettings(BaseSettings):
    """The decision policy (PENATAAN_ prefix): `training.gain.Decision`."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    precision: float = Field(
        default=0.8,
        gt=0,
        lt=1,
        description="the share of suggested moves that must truly help (by their probability of helping)",
    )
    min_gain_low: float | None = Field(
        default=None,
        ge=-100,
        le=100,
        allow_inf_nan=False,
        description="if set, a suggested move's gain interval must also lie above this",
    )
    pilot: int | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        description="moves suggested as a pilot while the gain line has seen no outcome of the "
        "agency's own suggestions (unset: sized from the data, training.gain.pilot_size; 0: none)",
    )

    gain_prior: bool = Field(
        default=True,
        description="train with the gain's selection prior (slope cap 1, 2 points off); "
        "false: the line as the held-out moves show it (training.gain.fit_calibration)",
    )

    gain_measured_curse: bool = Field(
        default=False,
        description="replace the gain's 2-point selection prior by the winner's curse measured "
        "on the held-out year's stayers (training.gain.stay_curse); the slope cap stays",
    )
    gain_p_of_truth: bool = Field(
        default=False,
        description="the probability of helping from the spread of true gains around the gain "
        "line (the movers' spread less the stayers' noise), not of a year's outcome "
        "(training.gain.GainCalibration.truth_sd)",
    )
    min_outcomes: int = Field(
        default=30,
        ge=2,
        le=100_000,
        description="realised outcomes of executed suggestions needed before "
        "`penataan outcomes recalibrate` refits the gain line on them (fewer suffice once "
        "they realise less than claimed beyond chance: training.gain.Shortfall)",
    )

    @property
    def decision(self) -> Decision:
        from training.gain import Decision  # here: the policy's module imports pandas and SciPy

        return Decision(self.precision, self.min_gain_low, self.pilot)


class ScoringSettings(BaseSettings):
    """How trees are evaluated at volume (`training.compiled`)."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    compiled_trees: bool = Field(
        default=True, description="score with the trees compiled by lleaves (LightGBM if false)"
    )
    trees_cache: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "penataan" / "trees",
        description="where compiled trees are kept, by the booster's checksum (owner-only)",
    )

    score_chunk: int | None = Field(
        default=None, ge=1,
        description="employees whose candidate rows are built at once (unset: about "
        f"{PART_PAIRS:,} pairs' worth)",
    )  # fmt: skip

    def part_size(self, n_units: int) -> int:
        """Employees per part: `score_chunk`, or when unset as many as make about
        `PART_PAIRS` pairs (1,060 on `mataram`'s 283 units, 117 on a province's 2,547): a
        part's feature rows are about 1.5 KB a pair (a scratch measure on `mataram`), so a
        part of a fixed number of employees would grow with the units."""
        return self.score_chunk or max(1, PART_PAIRS // max(n_units, 1))

    def prepare(self, model: PlacementModel) -> None:
        """Compile `model`'s trees where the settings ask for it (one place for every command
        and the server)."""
        if self.compiled_trees:
            model.use_compiled(self.trees_cache)


class PipelineSettings(
    RegistrySettings, EligibilitySettings, KinerjaSettings, DecisionSettings, AuditSettings,
    ScoringSettings,
):  # fmt: skip
    """Everything a pipeline step (train, evaluate, score, plan) reads from the environment,
    in one object: the `penataan` command builds it once and passes it down; no module
    below the command line reads the environment. `ServeSettings` extends it for the API."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")


def as_of_date(text: str) -> dt.date:
    """An as-of date as a person writes one for a command or a setting: YYYY-MM-DD between
    1950 and 2100; ValueError saying so otherwise (pandas would take `yesterday`, `01-02-2026`
    or `2026` and fail, or guess, later)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not dt.date(1950, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise ValueError("expected a date YYYY-MM-DD between 1950 and 2100")
    return day


class ReviewSettings(BaseSettings):
    """What the model review (`notebooks/model_review.ipynb`) reads: the data
    (`PENATAAN_REVIEW_DATA`) and the registered model (`PENATAAN_REVIEW_MODEL_URI`, default the
    champion)."""

    model_config = SettingsConfigDict(env_prefix="PENATAAN_", extra="ignore")

    review_data: Path = Path("data/mataram")
    review_model_uri: str = ""


def environment_variables(kind: type[BaseSettings]) -> dict[str, list[str]]:
    """Each field of the settings class `kind` and the environment variables that set it,
    upper case (the first the one `penataan settings` names; an alias may have more)."""
    prefix = str(kind.model_config.get("env_prefix", ""))
    out = {}
    for name, info in kind.model_fields.items():
        alias = info.validation_alias
        names = alias.choices if isinstance(alias, AliasChoices) else [prefix + name]
        out[name] = [str(variable).upper() for variable in names]
    return out


def environment_table(settings: BaseSettings) -> list[tuple[str, str]]:
    """(environment variable, value in force) for every field of `settings`: what
    `penataan settings` prints so a deployer sees in one place what a deployable reads."""
    out = []
    for name, variables in environment_variables(type(settings)).items():
        value = str(getattr(settings, name))
        out.append((variables[0], shown_uri(value) if "uri" in name else value))
    return out


def shown_uri(uri: str) -> str:
    """`uri` as a command prints it: a password written into it masked
    (`https://user:***@mlflow.example`), as `SecretStr` masks the settings' secrets."""
    return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", uri)
