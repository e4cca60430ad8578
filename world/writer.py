"""Writing a world: `penataan generate` simulates one and writes its tables and truth."""

from __future__ import annotations

import json
from pathlib import Path

from features import vocab
from world.presets import PRESETS
from world.records import World
from world.scenarios import causal_for, describe
from world.siasn_export import write_siasn


def generate(
    preset: str,
    seed: int,
    out: Path,
    progress: bool = True,
    scenario: str = "fixed",
    evaluations: str = "law",
    export: str | None = None,
    dialect: str = "siasn",
) -> dict[str, int]:
    """Simulate a world and write its tables and truth to `out`; returns rows per table.

    `scenario` `family` draws the causal structure from the seed (`world.scenarios`) and
    writes it to `truth/causal.json`; `fixed` is the presets' structure. `evaluations`
    `law` records predikat and ratings only from 2022 (`world/kinerja.py`); `numeric` keeps
    the number every year (the same world otherwise, truth included). `export` `siasn` also
    writes the world as a BKPSDM's SIASN/SIMPEG exports under `out/siasn`
    (`world/siasn_export.py`), for `penataan import siasn`, in `dialect` (one of its
    `DIALECTS`)."""
    world = World(PRESETS[preset], seed, causal_for(scenario, seed), evaluations)
    world.run(progress)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    tables = world.tables()
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d", lineterminator="\n")
        counts[name] = len(frame)
    (out / vocab.TRUTH_DIR).mkdir(exist_ok=True)
    world.truth().to_csv(
        out / vocab.TRUTH_DIR / vocab.EXPECTED_SCORES_FILE, index=False, lineterminator="\n"
    )
    if scenario != "fixed":
        causal = json.dumps(
            {"scenario": scenario, "seed": seed, **describe(world.causal)}, indent=2
        )
        (out / vocab.TRUTH_DIR / "causal.json").write_text(causal + "\n")
    if export == "siasn":
        write_siasn(tables, out / "siasn", seed, dialect)
    return counts


def ensure_world(
    preset: str, seed: int, out: Path, scenario: str = "fixed", evaluations: str = "law"
) -> None:
    """Generate `out` unless a world is already there (benchmarks reuse one across runs)."""
    if not (out / "units.csv").exists():
        generate(preset, seed, out, scenario=scenario, evaluations=evaluations)
