"""The synthetic world's causal model of performance: what really drives a score.

This is the generator's hidden truth. Nothing in `features/`, `training/` or `serving/`
imports it; evaluation code sees it only through `truth/expected_scores.csv`.
Performance depends on general ability, education fit, domain experience and training,
soft skills against the unit's needs, the unit's leadership, an adaptation dip after a move
(deeper for staff who did not want to move), stagnation after long tenure and the commute;
in a world of the `family` scenario also on a knack per person and domain that no record
shows. Protected attributes have no effect at all.

`Causal` holds the size of every effect. Its defaults are the fixed structure of the
`mataram` and `cakranegara` presets; `world.scenarios` draws other structures per seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BASE = 75.0
EDUCATION_EFFECT = {
    "SD": -3.0, "SMP": -2.5, "SMA": -1.5, "D1": -1.0, "D2": -0.8, "D3": -0.3,
    "D4": 0.0, "S1": 0.3, "S2": 0.8, "S3": 1.0,
}  # fmt: skip
MOVE_POLICIES = ("vacancy", "fit", "observed_fit", "hidden_fit", "random", "seniority")


@dataclass(frozen=True)
class Causal:
    """Effect sizes (score points unless said otherwise) and how the records were made.

    Every default reproduces the presets' world byte for byte; a field at 0 switches its
    effect off.
    """

    ability: float = 5.0  # per sd of general ability
    fit_suits: float = 4.0  # education field suits the unit's domain
    fit_general: float = -1.0  # field `umum` (general schooling)
    fit_other: float = -1.5  # any other field
    accounting_finance: float = 3.5  # an accountant in a finance unit, on top
    experience: float = 4.0  # saturating effect of years in the unit's domain
    experience_years: float = 2.5  # its time scale
    training: float = 2.5  # saturating effect of training hours in the domain
    training_hours: float = 50.0
    soft_gap: float = 1.5  # competencies against the unit's required levels
    humas_communication: float = 3.0  # communication skill in public relations
    other_communication: float = 0.4
    public_service: float = 1.2  # service skill in a public-facing unit
    family_mismatch: float = 5.0  # a teacher outside a school, a nurse outside health
    leadership_sd: float = 2.0  # the unit's own effect
    leadership_persistence: float = 1.0  # yearly AR(1) coefficient of that effect
    adaptation: float = 2.5  # the dip in the year of a move
    adaptation_unwilling: float = 3.0  # deeper for staff who said `tidak`
    adaptation_willing: float = 0.5  # shallower for staff who said `ya`
    adaptation_second_year: float = 0.0  # share of the dip left in the year after
    stagnation: float = 0.8  # per year in the same unit past `stagnation_after`
    stagnation_after: float = 5.0
    stagnation_cap: float = 5.0
    commute: float = 0.15  # per km beyond 3 km
    service_years: float = 0.08  # per year of service, up to 25
    knack_sd: float = 0.0  # a person's unobserved knack per domain
    # how the records were made
    noise_sd: float = 3.0  # the rater's yearly noise per person
    unit_year_sd: float = 1.0  # a shared shock per unit and year (leniency of that year)
    leniency_sd: float = 0.0  # a rater's lasting leniency per unit (not performance)
    inflation: float = 0.0  # scores drift up this much a year (not performance)
    assessment_rate: float = 0.15  # yearly chance of a competency assessment
    move_policy: dict[str, float] = field(default_factory=lambda: {"vacancy": 0.5, "fit": 0.5})
    fit_noise_sd: float = 3.0  # how noisily a fit-driven transfer judged the fit

    def __post_init__(self) -> None:
        unknown = set(self.move_policy) - set(MOVE_POLICIES)
        if unknown or not self.move_policy:
            raise ValueError(f"move_policy: unknown or empty {sorted(unknown)}")


@dataclass
class PairState:
    """Everything the outcome of one (employee, unit, year) depends on, as aligned arrays."""

    ability: np.ndarray
    suits: np.ndarray  # education field suits the unit's domain (bool)
    accounting_in_finance: np.ndarray  # bool
    general_field: np.ndarray  # field `umum` (bool)
    education: np.ndarray  # EDUCATION_EFFECT values
    domain_years: np.ndarray  # years already worked in the unit's domain
    domain_hours: np.ndarray  # training hours already taken in the unit's domain
    soft_gap: np.ndarray  # mean clipped (true level - required level) over the unit's needs
    komunikasi: np.ndarray
    pelayanan: np.ndarray
    is_humas: np.ndarray
    public_facing: np.ndarray
    leadership: np.ndarray  # the unit's own effect
    family_mismatch: np.ndarray  # a teacher outside a school, a nurse outside health, ...
    moved: np.ndarray  # 1 in the year of a move, `adaptation_second_year` the year after
    unwilling: np.ndarray  # said `tidak` to moving
    willing: np.ndarray  # said `ya`
    tenure: np.ndarray  # years in the unit during the year
    commute_km: np.ndarray
    service_years: np.ndarray
    sanction: np.ndarray  # penalty from a sanction decided the year before
    knack: np.ndarray | float = 0.0  # the person's unobserved knack for the unit's domain


def expected_score(s: PairState, c: Causal | None = None) -> np.ndarray:
    """The noise-free expected score of each pair."""
    c = c or Causal()
    fit = np.where(s.suits, c.fit_suits, np.where(s.general_field, c.fit_general, c.fit_other))
    fit = fit + np.where(s.accounting_in_finance, c.accounting_finance, 0.0)
    experience = c.experience * (1 - np.exp(-s.domain_years / c.experience_years))
    training = c.training * (1 - np.exp(-s.domain_hours / c.training_hours))
    communication = np.where(s.is_humas, c.humas_communication, c.other_communication) * (
        s.komunikasi - 3.0
    )
    service = np.where(s.public_facing, c.public_service, 0.0) * (s.pelayanan - 3.0)
    dip = -c.adaptation - c.adaptation_unwilling * s.unwilling + c.adaptation_willing * s.willing
    adaptation = np.where(s.moved > 0, s.moved * dip, 0.0)
    stagnation = -np.minimum(
        c.stagnation * np.maximum(s.tenure - c.stagnation_after, 0.0), c.stagnation_cap
    )
    commute = -c.commute * np.maximum(s.commute_km - 3.0, 0.0)
    score = (
        BASE
        + c.ability * s.ability
        + fit
        + s.education
        + experience
        + training
        + c.soft_gap * s.soft_gap
        + communication
        + service
        + s.leadership
        - c.family_mismatch * s.family_mismatch
        + adaptation
        + stagnation
        + commute
        + c.service_years * np.minimum(s.service_years, 25.0)
        - s.sanction
        + s.knack
    )
    return np.clip(score, 0.0, 100.0)
