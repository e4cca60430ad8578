"""Reading a BKPSDM's export files as they come, and telling which file is which.

CSV with `,` `;` `|` or tab separators and an optional UTF-8 BOM; XLSX with title rows above
the header; header names in SIASN's upper case, SIMPEG's variants or SIASN's camelCase.
Every cell is text or None: a leading `'` (Excel's guard for long numbers) is removed and the
literal `null` is an empty cell. Nothing else is changed here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from features.contract.limits import check_csv_header, read_xlsx

# Other names of one column across SIASN, SIMPEG and re-saved files -> the name used here.
ALIASES: Final[dict[str, str]] = {
    "NIP": "NIP BARU", "NIPBARU": "NIP BARU", "NIP_BARU": "NIP BARU",
    "GOLONGAN ID": "GOL AKHIR ID", "GOL ID": "GOL AKHIR ID", "GOLONGAN NAMA": "GOL AKHIR NAMA",
    "TK PENDIDIKAN ID": "TINGKAT PENDIDIKAN ID", "TK PENDIDIKAN NAMA": "TINGKAT PENDIDIKAN NAMA",
    "UNIT ORGANISASI ID": "UNOR ID", "UNIT ORGANISASI NAMA": "UNOR NAMA",
    "HASIL KINERJA": "HASIL KERJA", "PERILAKU KINERJA": "PERILAKU KERJA",
    "KUADRAN KINERJA": "KUADRAN", "TAHUN PENILAIAN": "TAHUN", "NAMA UNOR PENILAI": "UNOR PENILAI",
}  # fmt: skip

# The columns that make a file one of the known kinds (after aliases).
KINDS: Final[dict[str, frozenset[str]]] = {
    "data_asn": frozenset({"NIP BARU", "NAMA", "TANGGAL LAHIR", "UNOR ID", "TMT CPNS"}),
    "riwayat_jabatan": frozenset({"NIP BARU", "TMT JABATAN", "UNOR ID", "JABATAN NAMA"}),
    "unor": frozenset({"ID", "DIATASAN ID", "NAMA UNOR"}),
    "abk": frozenset({"KODE UNOR", "KEBUTUHAN"}),
    "pemberhentian": frozenset({"NIP BARU", "TMT BERHENTI"}),
    "skp_numeric": frozenset({"NIP BARU", "TAHUN", "NILAI PRESTASI KERJA"}),
    "skp_predikat": frozenset({"NIP BARU", "TAHUN", "HASIL KERJA", "PERILAKU KERJA"}),
    "diklat": frozenset({"NIP BARU", "NAMA DIKLAT", "TANGGAL SELESAI"}),
    "hukdis": frozenset({"NIP BARU", "TINGKAT HUKUMAN", "TMT HUKUMAN"}),
    "asesmen": frozenset({"NIP BARU", "TANGGAL ASESMEN", "INTEGRITAS"}),
    "skm": frozenset({"NAMA UNIT", "TAHUN", "IKM"}),
}
SUFFIXES: Final[tuple[str, ...]] = (".csv", ".txt", ".xlsx")


@dataclass(frozen=True)
class ExportFile:
    """One source file: what kind it is, its rows, and how it was read."""

    path: Path
    kind: str | None  # None: a file of no known kind (reported, not used)
    frame: pd.DataFrame
    separator: str | None
    header_row: int  # 0-based line/row of the header (XLSX title rows above it)


def header_name(raw: object) -> str:
    """`hasilKinerja`, `hasil_kinerja`, ` HASIL  KINERJA ` -> `HASIL KINERJA`, then aliases."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(raw).replace("\ufeff", ""))
    text = " ".join(text.replace("_", " ").upper().split())
    return ALIASES.get(text, text)


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object).where(frame.notna(), None)

    def cell(value: object) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        if text.startswith("'"):
            text = text[1:]
        return None if text == "" or text.lower() == "null" else text

    return frame.map(cell)


def _sniff(path: Path) -> str:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        head = handle.readline()
    return max([",", ";", "|", "\t"], key=head.count)


def read_export(path: Path) -> ExportFile:
    """Read one export file whatever its separator, encoding marks or title rows."""
    if path.suffix.lower() == ".xlsx":
        raw = read_xlsx(path)
        header_row = _header_row(raw)
        frame = raw.iloc[header_row + 1 :].reset_index(drop=True)
        frame.columns = [header_name(c) for c in raw.iloc[header_row]]
        frame = frame.dropna(how="all")
        frame = frame.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
        separator = None
    else:
        check_csv_header(path)
        separator = _sniff(path)
        frame = pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False,
                            encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)  # fmt: skip
        frame.columns = [header_name(c) for c in frame.columns]
        header_row = 0
    frame = _clean(frame.loc[:, [c for c in frame.columns if c and c != "NAN"]])
    columns = set(frame.columns)
    kinds = [k for k, need in KINDS.items() if need <= columns]
    return ExportFile(path, kinds[0] if kinds else None, frame.reset_index(drop=True), separator, header_row)  # fmt: skip


def _header_row(raw: pd.DataFrame) -> int:
    """The first row naming at least two known columns (title rows above it are skipped)."""
    known = set().union(*KINDS.values())
    for k in range(min(len(raw), 30)):
        names = {header_name(v) for v in raw.iloc[k] if pd.notna(v)}
        if len(names & known) >= 2:
            return k
    return 0


def find_exports(source: Path) -> tuple[list[ExportFile], dict[str, str]]:
    """Every readable export under `source` (one level), and each file set aside with the
    reason: of no known kind, or unreadable (one damaged file never stops the others)."""
    found: list[ExportFile] = []
    ignored: dict[str, str] = {}
    for path in sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() not in SUFFIXES:
            ignored[path.name] = "not a CSV, TXT or XLSX file"
            continue
        try:
            export = read_export(path)
        except Exception as error:  # any parser failure: this file is reported, not the import
            ignored[path.name] = f"unreadable: {str(error).removeprefix(path.name + ': ')}"
            continue
        if export.kind is None:
            ignored[path.name] = "its columns match no known kind of export"
        else:
            found.append(export)
    return found, ignored
