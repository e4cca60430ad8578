"""The agency's decisions as a reviewed file, not code.

No system says which field of work a unit serves, which education field a diploma text is,
which domain a course trains for, which unit replaced a restructured one, or which column of
an unfamiliar export holds which field (`kind=column`, `source=<file>:<header>`,
`target=<field>`, e.g. `riwayat_jabatan.xlsx:NAMA JAB` -> `JABATAN NAMA`). The importer
suggests each from keyword rules, writes every value it met to `mapping.csv` with its
suggestion marked `suggested` (or `unknown` when no rule matched), and the agency edits the
`target` column, sets `status` to `confirmed`, and re-runs with `--mapping`. A confirmed row
always wins over a suggestion; unknown values are never dropped silently: they are listed
with their counts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from features import vocab
from features.spreadsheet import guard, read_edited, unguard
from siasn.kinds import header_name, known_fields

DECISIONS: Final[dict[str, tuple[str, ...]]] = {  # kind -> the values a target may take
    "unit_domain": vocab.DOMAINS,
    "unit_kind": vocab.UNIT_KINDS,
    "diploma_field": vocab.FIELDS,
    "diploma_level": vocab.EDUCATION_LEVELS,
    "course_domain": vocab.DOMAINS,
    "unit_successor": (),  # any current unit id
    "column": (),  # a field the importer reads (checked against siasn.kinds)
}
COLUMNS: Final[tuple[str, ...]] = ("kind", "source", "target", "status", "count")

# Keyword rules: the first pattern found in the (upper-case) text decides.
UNIT_DOMAIN_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("^SEKRETARIAT|^SUBBAG(IAN)? UMUM|TATA USAHA", "umum"),
    ("PUSKESMAS|KESEHATAN|RUMAH SAKIT", "kesehatan"), ("SMP|SD NEGERI|SEKOLAH|PENDIDIKAN", "pendidikan"),
    ("ANGGARAN|KEUANGAN|PERBENDAHARAAN|AKUNTANSI|PENDAPATAN|ASET", "keuangan"),
    ("PERENCANAAN|BAPPEDA|PENELITIAN", "perencanaan"), ("KEPEGAWAIAN|BKPSDM|BKD", "kepegawaian"),
    ("HUKUM", "hukum"), ("PROTOKOL|KOMUNIKASI|HUMAS|INFORMASI PUBLIK", "humas"),
    ("KEPENDUDUKAN|PENDAFTARAN PENDUDUK|PENCATATAN SIPIL|DUKCAPIL", "kependudukan"),
    ("PERIZINAN|PENANAMAN MODAL|DPMPTSP", "perizinan"), ("SOSIAL|KESEJAHTERAAN", "sosial"),
    ("EKONOMI|PERDAGANGAN|KOPERASI|UMKM|PERINDUSTRIAN", "ekonomi"),
    ("LINGKUNGAN|KEBERSIHAN|PERTAMANAN", "lingkungan"), ("KETERTIBAN|KETENTERAMAN|SATPOL", "ketertiban"),
    ("PEKERJAAN UMUM|PUPR|TATA RUANG|PERUMAHAN", "pekerjaan_umum"),
    ("TEKNOLOGI|KOMINFO|STATISTIK|PERSANDIAN", "teknologi_informasi"),
    ("PARIWISATA|KEBUDAYAAN", "pariwisata"), ("KECAMATAN|KELURAHAN|PEMERINTAHAN|TAPEM", "pemerintahan"),
    ("SEKRETARIAT|UMUM|TATA USAHA|PELAYANAN", "umum"),
)  # fmt: skip
UNIT_KIND_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("^SEKRETARIAT DAERAH", "sekretariat_daerah"), ("^DINAS", "dinas"), ("^BADAN", "badan"),
    ("^KECAMATAN", "kecamatan"), ("^KELURAHAN", "kelurahan"), ("^UPTD|^UPT ", "uptd"),
    ("^BAGIAN", "bagian"), ("^BIDANG", "bidang"), ("^SEKSI|^SEKRETARIAT|^SUBBAG", "seksi"),
    ("^PUSKESMAS", "puskesmas"), ("^SMP|^SD |^SMA|^SEKOLAH", "sekolah"),
)  # fmt: skip
DIPLOMA_FIELD_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("AKUNTANSI", "akuntansi"), ("MANAJEMEN|ADMINISTRASI BISNIS", "manajemen"),
    ("EKONOMI", "ekonomi_pembangunan"), ("STATISTIK", "statistika"),
    ("ADMINISTRASI NEGARA|ADMINISTRASI PUBLIK|ILMU ADMINISTRASI", "administrasi_publik"),
    ("PEMERINTAHAN", "ilmu_pemerintahan"), ("HUKUM|SYARIAH", "hukum"), ("KOMUNIKASI", "ilmu_komunikasi"),
    ("PSIKOLOGI", "psikologi"), ("INFORMATIKA|KOMPUTER|SISTEM INFORMASI", "teknik_informatika"),
    ("TEKNIK SIPIL", "teknik_sipil"), ("LINGKUNGAN", "teknik_lingkungan"),
    ("KESEHATAN MASYARAKAT", "kesehatan_masyarakat"), ("KEPERAWATAN|KEBIDANAN|NERS", "keperawatan"),
    ("DOKTER|KEDOKTERAN", "kedokteran"), ("PENDIDIKAN|KEGURUAN|PGSD", "pendidikan"),
    ("KESEJAHTERAAN SOSIAL", "kesejahteraan_sosial"), ("PARIWISATA", "pariwisata"),
    ("^(SD|SLTP|SLTA|SMP|SMA|SMK)\\b|IPA|IPS", "umum"),
)  # fmt: skip
# a level as SIASN (`S-1`, `D-III`) and SIMPEG vendors (`S1`, `D 3`, `Strata 1`, `Diploma
# III`, `Sarjana`, `SMU`, `MTs`) write it
DIPLOMA_LEVEL_RULES: Final[tuple[tuple[str, str], ...]] = (
    (r"^S[- .]?3|^STRATA[- ]?(3|III)\b|^DOKTOR", "S3"), (r"^S[- .]?2|^STRATA[- ]?(2|II)\b|^MAGISTER|^PASCA", "S2"),
    (r"^S[- .]?1|^STRATA[- ]?(1|I)\b|^SARJANA", "S1"), (r"^D(IPLOMA)?[- .]?(IV|4)\b", "D4"),
    (r"^D(IPLOMA)?[- .]?(III|3)\b", "D3"), (r"^D(IPLOMA)?[- .]?(II|2)\b", "D2"), (r"^D(IPLOMA)?[- .]?(I|1)\b", "D1"),
    (r"^SLTA|^SMA|^SMK|^SMU|^STM|^SMEA|^MA\b", "SMA"), (r"^SLTP|^SMP|^MTS", "SMP"), (r"^SD|^MI\b", "SD"),
)  # fmt: skip
RULES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "unit_domain": UNIT_DOMAIN_RULES, "unit_kind": UNIT_KIND_RULES, "diploma_field": DIPLOMA_FIELD_RULES,
    "diploma_level": DIPLOMA_LEVEL_RULES, "course_domain": UNIT_DOMAIN_RULES,
}  # fmt: skip


@dataclass
class Entry:
    kind: str
    source: str
    target: str
    status: str  # confirmed | suggested | unknown
    count: int = 0


class MappingProblems(ValueError):
    """Every refused row of a reviewed mapping file, one a line (file, row, column, value,
    rule)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Mapping:
    """Every decision the import took, keyed by (kind, source text)."""

    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Mapping:
        """A reviewed mapping file; rows whose target is not a valid value are refused, every
        one of them (`MappingProblems`): a reviewer mends them all in one pass, not one a run."""
        mapping, problems = cls(), []
        for line, row in read_edited(path)[1]:  # the agency reviews it in a spreadsheet
            kind, target = (row.get("kind") or "").strip(), (row.get("target") or "").strip()
            where = f"{path}, row {line}, column"
            if kind not in DECISIONS:
                problems.append(f"{where} kind: {kind!r} is not one of {', '.join(DECISIONS)}")
                continue
            allowed = DECISIONS[kind]
            if kind == "column":
                target = header_name(target)
                if target and target not in known_fields():
                    problems.append(f"{where} target: {target!r} is not a field the importer reads (e.g. NIP BARU, TMT JABATAN, JABATAN NAMA)")  # fmt: skip
                if ":" not in (row.get("source") or ""):
                    problems.append(f"{where} source: a column is named as <file>:<header>")
            if target and allowed and target not in allowed:
                problems.append(f"{where} target: {target!r} is not a {kind} ({', '.join(allowed)})")  # fmt: skip
            status = (row.get("status") or "suggested").strip()
            source = unguard(row.get("source") or "")
            mapping.entries[(kind, source)] = Entry(kind, source, target, status)
        if problems:
            raise MappingProblems(problems)
        return mapping

    def decide(
        self, kind: str, source: str, fallback: str | None = None, suggestion: str | None = None
    ) -> str | None:
        """The target for `source` (counted): the reviewed one, else `suggestion` or a keyword
        suggestion, else `fallback` marked unknown (kept, listed, never silently dropped)."""
        key = (kind, source)
        entry = self.entries.get(key)
        if entry is None or (entry.status != "confirmed" and not entry.target):
            suggestion = suggestion or suggest(kind, source)
            entry = Entry(kind, source, suggestion or (fallback or ""), "suggested" if suggestion else "unknown")  # fmt: skip
            self.entries[key] = entry
        entry.count += 1
        return entry.target or None

    def columns(self) -> dict[str, dict[str, str]]:
        """Per file name, the agency's confirmed names for its headers (header -> field);
        each counts as used, so that it stays in the written mapping. A suggested one is
        only written for review: a wrong guess must not silently become a field."""
        named: dict[str, dict[str, str]] = {}
        for entry in self.entries.values():
            if entry.kind == "column" and entry.target and entry.status == "confirmed":
                file, _, header = entry.source.partition(":")
                named.setdefault(file.strip(), {})[header.strip()] = entry.target
                entry.count = max(entry.count, 1)
        return named

    def suggest_column(self, file: str, header: str, field: str) -> None:
        """A guessed column name for the agency to confirm (never overrides its own rows)."""
        source = f"{file}:{header}"
        self.entries.setdefault(("column", source), Entry("column", source, field, "suggested", 1))

    def counts(self) -> dict[str, dict[str, int]]:
        """Per kind: how many values were confirmed, suggested, unknown (and rows each)."""
        out: dict[str, dict[str, int]] = {}
        for entry in self.entries.values():
            if entry.count:
                out.setdefault(entry.kind, {}).setdefault(entry.status, 0)
                out[entry.kind][entry.status] += entry.count
        return out

    def unknown(self) -> list[Entry]:
        return sorted((e for e in self.entries.values() if e.count and e.status == "unknown"),
                      key=lambda e: -e.count)  # fmt: skip

    def write(self, path: Path) -> None:
        """Every decision used, for the agency to review (confirmed ones first)."""
        order = {"confirmed": 0, "unknown": 1, "suggested": 2}
        rows = sorted((e for e in self.entries.values() if e.count),
                      key=lambda e: (e.kind, order.get(e.status, 3), -e.count, e.source))  # fmt: skip
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for e in rows:
                writer.writerow([e.kind, guard(e.source), guard(e.target), e.status, e.count])


def suggest(kind: str, text: str) -> str | None:
    """The first keyword rule of `kind` that `text` matches."""
    upper = " ".join(text.upper().split())
    for pattern, target in RULES.get(kind, ()):
        if re.search(pattern, upper):
            return target
    return None
