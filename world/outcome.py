"""The synthetic world's causal model of performance: what really drives a score.

This is the generator's hidden truth. Nothing in `features/`, `training/` or `serving/`
imports it; evaluation code sees it only through `truth/expected_scores.csv`.
Performance depends on general ability, education fit, domain experience and training,
soft skills against the unit's needs, the unit's leadership, an adaptation dip after a move
(deeper for staff who did not want to move), stagnation after long tenure and the commute.
Protected attributes have no effect at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASE = 75.0
EDUCATION_EFFECT = {
    "SD": -3.0, "SMP": -2.5, "SMA": -1.5, "D1": -1.0, "D2": -0.8, "D3": -0.3,
    "D4": 0.0, "S1": 0.3, "S2": 0.8, "S3": 1.0,
}  # fmt: skip


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
    moved: np.ndarray
    unwilling: np.ndarray  # said `tidak` to moving
    willing: np.ndarray  # said `ya`
    tenure: np.ndarray  # years in the unit during the year
    commute_km: np.ndarray
    service_years: np.ndarray
    sanction: np.ndarray  # penalty from a sanction decided the year before


def expected_score(s: PairState) -> np.ndarray:
    """The noise-free expected score of each pair."""
    fit = np.where(s.suits, 4.0, np.where(s.general_field, -1.0, -1.5))
    fit = fit + np.where(s.accounting_in_finance, 3.5, 0.0)
    experience = 4.0 * (1 - np.exp(-s.domain_years / 2.5))
    training = 2.5 * (1 - np.exp(-s.domain_hours / 50.0))
    communication = np.where(s.is_humas, 3.0, 0.4) * (s.komunikasi - 3.0)
    service = np.where(s.public_facing, 1.2, 0.0) * (s.pelayanan - 3.0)
    adaptation = np.where(s.moved, -2.5 - 3.0 * s.unwilling + 0.5 * s.willing, 0.0)
    stagnation = -np.minimum(0.8 * np.maximum(s.tenure - 5.0, 0.0), 5.0)
    commute = -0.15 * np.maximum(s.commute_km - 3.0, 0.0)
    score = (
        BASE
        + 5.0 * s.ability
        + fit
        + s.education
        + experience
        + training
        + 1.5 * s.soft_gap
        + communication
        + service
        + s.leadership
        - 5.0 * s.family_mismatch
        + adaptation
        + stagnation
        + commute
        + 0.08 * np.minimum(s.service_years, 25.0)
        - s.sanction
    )
    return np.clip(score, 0.0, 100.0)
