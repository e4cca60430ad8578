"""Writing a world: `penataan generate` simulates one and writes its tables and truth."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
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
    then: Sequence[Mapping[str, str]] = (),
    truth: bool = True,
) -> dict[str, int]:
    """Simulate a world and write its tables and truth to `out`; returns rows per table.

    `scenario` `family` draws the causal structure from the seed (`world.scenarios`) and
    writes it to `truth/causal.json`; `fixed` is the presets' structure. `evaluations`
    `law` records predikat and ratings only from 2022 (`world/kinerja.py`); `numeric` keeps
    the number every year (the same world otherwise, truth included). `export` `siasn` also
    writes the world as a BKPSDM's SIASN/SIMPEG exports under `out/siasn`
    (`world/siasn_export.py`), for `penataan import siasn`, in `dialect` (one of its
    `DIALECTS`). `then`: one more year per entry after the preset's last, in which only
    that entry's moves (NIP -> unit id) happen (`Simulation.play`): the same world, its
    next years played on what an agency decided; the truth is then for the year after.
    `truth` False leaves out `truth/expected_scores.csv` (every employee x every unit: 125
    million rows for a `provinsi`), as a real agency's data has none."""
    world = World(PRESETS[preset], seed, causal_for(scenario, seed), evaluations)
    world.run(progress)
    for moves in then:
        world.play(moves)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    tables = world.tables()
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d", lineterminator="\n")
        counts[name] = len(frame)
    if truth or scenario != "fixed":  # an empty truth folder would say there is one
        (out / vocab.TRUTH_DIR).mkdir(exist_ok=True)
    if truth:
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
    """Generate `out` unless a world is already there (benchmarks reuse one across runs),
    without the year-by-year bar: benchmarks generate in parallel workers, whose bars would
    interleave with their own progress lines."""
    if not (out / "units.csv").exists():
        generate(preset, seed, out, scenario=scenario, evaluations=evaluations, progress=False)


def read_moves(path: Path) -> dict[str, str]:
    """Executed moves from a CSV with `nip` and `to_unit_id` (or `unit_id`) columns, e.g. a
    round's `moves.csv` cut to the moves the PPK decided, or `penataan outcomes executed`."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        unit = "to_unit_id" if "to_unit_id" in columns else "unit_id"
        if "nip" not in columns or unit not in columns:
            raise ValueError(f"{path}: needs columns nip and to_unit_id (has {', '.join(columns)})")
        return {row["nip"].strip(): row[unit].strip() for row in reader}
