"""Exports as other agencies write them: every dialect of the generator imports to the same
world; a file in a dialect nobody taught the importer fails with what to map, and the
mapping file then carries it through."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from penataan.cli import app
from siasn.convert import MissingExports, import_siasn
from tests.helpers import SEED, assert_same_world
from world.presets import PRESETS
from world.records import World
from world.scenarios import causal_for
from world.siasn_export import DIALECTS, write_siasn


@pytest.fixture(scope="module")
def tables() -> dict[str, object]:
    """The `exported` world's tables again (the simulation is seeded)."""
    world = World(PRESETS["cakranegara"], SEED, causal_for("fixed", SEED), "law")
    world.run(progress=False)
    return world.tables()  # type: ignore[return-value]


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if d != "siasn"])
def test_every_dialect_imports_to_the_same_world(
    dialect: str,
    tables: dict,
    exported: Path,
    tmp_path: Path,
) -> None:
    source = tmp_path / "exports"
    write_siasn(tables, source, SEED, dialect)
    report = import_siasn(source, tmp_path / "contract")
    assert report.contract["valid"], report.contract["lines"]
    assert all(ledger.accounted for ledger in report.ledgers)
    assert_same_world(exported, tmp_path / "contract")
    if dialect == "split":
        assert "daftar_hadir_apel.csv" in report.ignored
        assert "resembles no kind" in report.ignored["daftar_hadir_apel.csv"]
    if dialect == "names":
        assert report.evidence["ABK rows matched to a unit by name"] > 0
        assert report.evidence["ABK rows matched to no unit"] == 0


def test_an_unseen_dialect_says_what_to_map_and_the_mapping_carries_it(
    tables: dict,
    exported: Path,
    tmp_path: Path,
) -> None:
    """A SIMPEG vendor whose riwayat calls the TMT `TGL MULAI JABATAN` (no known name)."""
    source = tmp_path / "exports"
    write_siasn(tables, source, SEED, "simpeg")
    rw = source / "riwayat_jabatan.csv"
    rw.write_text(rw.read_text(encoding="utf-8-sig").replace("TMT JAB", "TGL MULAI JABATAN", 1))
    out = tmp_path / "contract"
    run = CliRunner().invoke(app, ["import", "siasn", str(source), "--out", str(out)])
    assert run.exit_code == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) <= 40 and "no riwayat jabatan file found" in lines[0]
    miss = next(line for line in lines if line.strip().startswith("riwayat_jabatan.csv"))
    assert "lacks TMT JABATAN" in miss and "TGL MULAI JABATAN" in miss
    rows = list(csv.DictReader((out / "mapping.csv").open()))
    guess = [r for r in rows if r["kind"] == "column"]
    assert guess == [{"kind": "column", "source": "riwayat_jabatan.csv:TGL MULAI JABATAN",
                      "target": "TMT JABATAN", "status": "suggested", "count": "1"}]  # fmt: skip
    with pytest.raises(MissingExports):  # a guess is not applied until it is confirmed
        import_siasn(source, tmp_path / "again", out / "mapping.csv")
    reviewed = tmp_path / "mapping.csv"
    reviewed.write_text(
        (out / "mapping.csv")
        .read_text()
        .replace(",TMT JABATAN,suggested,", ",TMT JABATAN,confirmed,")
    )
    report = import_siasn(source, tmp_path / "again", reviewed)
    assert report.contract["valid"]
    assert_same_world(exported, tmp_path / "again")
    assert (
        "riwayat_jabatan.csv:TGL MULAI JABATAN,TMT JABATAN,confirmed"
        in (tmp_path / "again" / "mapping.csv").read_text()
    )
