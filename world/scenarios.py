"""Causal structures for synthetic worlds: the presets' fixed one, or one drawn per seed.

A model tuned on one generator learns that generator. The `family` scenario draws every
effect of `world.outcome.Causal` from the ranges below (the same seed, the same draw), so a
modelling choice can be judged on many worlds that differ in what drives performance and in
how their records were made. `DRAWS` is the documentation: each entry is (low, high, the
chance the effect is switched off entirely); the README's table is printed from it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from world.outcome import MOVE_POLICIES, Causal

SCENARIOS = ("fixed", "family", "family-hidden", "family-observed")
# Variants of the family whose past transfers were all chosen one way: on a knack no record
# shows (a model learning from those moves is fooled the most), or on the fit the records show
# (the moves teach the most). A correction that wins on both has not won by luck.
FORCED_POLICY = {"family-hidden": "hidden_fit", "family-observed": "observed_fit"}
MIN_HIDDEN_KNACK = 1.0  # a hidden-fit world needs a knack to hide

# field -> (low, high, chance of 0): uniform on [low, high], or exactly 0 with that chance.
DRAWS: dict[str, tuple[float, float, float]] = {
    "ability": (3.0, 6.0, 0.0),
    "fit_suits": (1.0, 6.0, 0.15),
    "fit_general": (-1.5, 0.0, 0.0),
    "fit_other": (-2.0, 0.0, 0.0),
    "accounting_finance": (0.0, 4.0, 0.25),
    "experience": (0.0, 5.0, 0.15),
    "experience_years": (1.0, 4.0, 0.0),
    "training": (0.0, 3.0, 0.2),
    "training_hours": (30.0, 80.0, 0.0),
    "soft_gap": (0.0, 3.0, 0.2),
    "humas_communication": (0.0, 4.0, 0.2),
    "other_communication": (0.0, 0.6, 0.0),
    "public_service": (0.0, 2.0, 0.2),
    "family_mismatch": (3.0, 6.0, 0.0),
    "leadership_sd": (0.5, 3.0, 0.0),
    "leadership_persistence": (0.5, 1.0, 0.0),
    "adaptation": (0.0, 6.0, 0.15),
    "adaptation_unwilling": (0.0, 4.0, 0.3),
    "adaptation_willing": (0.0, 1.0, 0.3),
    "adaptation_second_year": (0.3, 0.7, 0.5),
    "stagnation": (0.2, 1.2, 0.25),
    "stagnation_after": (4.0, 8.0, 0.0),
    "stagnation_cap": (2.0, 6.0, 0.0),
    "commute": (0.05, 0.3, 0.25),
    "service_years": (0.0, 0.12, 0.0),
    "knack_sd": (0.5, 3.0, 0.25),
    "noise_sd": (2.0, 5.0, 0.0),
    "unit_year_sd": (0.5, 2.0, 0.0),
    "leniency_sd": (0.5, 2.5, 0.3),
    "inflation": (0.1, 0.6, 0.4),
    "assessment_rate": (0.03, 0.3, 0.0),
    "fit_noise_sd": (1.0, 5.0, 0.0),
}
MAX_POLICIES = 3  # past transfers were chosen by one to three of MOVE_POLICIES


def draw_causal(seed: int) -> Causal:
    """The causal structure of the family's world `seed`."""
    rng = np.random.default_rng([seed, 1])
    values: dict[str, object] = {}
    for name, (low, high, off) in DRAWS.items():
        value = float(rng.uniform(low, high))
        values[name] = 0.0 if rng.random() < off else round(value, 3)
    k = int(rng.integers(1, MAX_POLICIES + 1))
    chosen = rng.choice(len(MOVE_POLICIES), size=k, replace=False)
    weights = rng.dirichlet(np.ones(k))
    values["move_policy"] = {
        MOVE_POLICIES[int(i)]: round(float(w), 3) for i, w in zip(chosen, weights, strict=True)
    }
    return Causal(**values)  # type: ignore[arg-type]


def causal_for(scenario: str, seed: int) -> Causal:
    """`fixed`: the presets' structure; `family`: one drawn for `seed`; `family-hidden` and
    `family-observed`: the same draw with every past transfer chosen on hidden or on recorded
    fit."""
    if scenario == "fixed":
        return Causal()
    if scenario == "family":
        return draw_causal(seed)
    if scenario in FORCED_POLICY:
        causal = draw_causal(seed)
        knack = (
            max(causal.knack_sd, MIN_HIDDEN_KNACK)
            if scenario == "family-hidden"
            else causal.knack_sd
        )
        return dataclasses.replace(
            causal, move_policy={FORCED_POLICY[scenario]: 1.0}, knack_sd=knack
        )
    raise ValueError(f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")


def describe(causal: Causal) -> dict[str, object]:
    """The structure as JSON-ready data (written beside a family world's truth)."""
    return dataclasses.asdict(causal)


def ranges_table() -> str:
    """The family's ranges as a Markdown table (the README's copy is printed by this)."""
    lines = [
        "| effect (`world/outcome.py`, `Causal`) | drawn from | switched off |",
        "| --- | --- | ---: |",
    ]
    for name, (low, high, off) in DRAWS.items():
        lines.append(f"| `{name}` | {low:g} to {high:g} | {off:.0%} |")
    policies = ", ".join(MOVE_POLICIES)
    lines.append(f"| `move_policy` | 1 to {MAX_POLICIES} of {policies}, Dirichlet weights | |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(ranges_table())
