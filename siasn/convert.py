"""`penataan import siasn SRC --out DIR [--mapping FILE]`: exports in, a contract folder out.

Each contract table is built from the files that hold it, and every source row ends kept,
merged into another (with the reason) or dropped (with the reason), in the import report.
Spells are rebuilt from TMT-only riwayat (a spell ends the day before the next TMT;
duplicates dropped; renaming rows without a move merged; predecessor unit ids mapped), each
evaluation's unit is derived from the spells, the two 2021 periods are merged, the wide
assessment sheet is melted, and Excel-mangled NIPs are repaired where it can be proven (one
known NIP shares the first 15 digits, and the name agrees where the file gives one). Rows
that name a person by SIASN's PNS ID get the NIP (`siasn.identity`); a unit may be named
instead of coded where one unit of the tree bears the name. Statuses and a hukuman's
tingkat are read by SIASN's own lists (`features.siasn_codes`); periodic ratings are set
aside, never read as the year's predikat. Former staff keep their history: they become
employees with status pensiun or berhenti (PP 11/2017; the contract allows their unknown
golongan and education to be empty).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from features import vocab
from features.contract.schema import TABLES_BY_NAME, UNIT_ID_PATTERN
from features.contract.summary import summary_lines
from features.contract.validate import validate_directory
from features.nip import nip_birth_date, nip_service_start, nip_sex
from features.siasn_codes import (
    COMPETENCY_TEXT,
    JENIS_HUKUMAN,
    KEDUDUKAN_HUKUM,
    KUADRAN_TEXT,
    RATING_TEXT,
    SEVERITY_CODE,
    TINGKAT_PENDIDIKAN,
)
from features.spreadsheet import guard_frame
from siasn.files import ExportFile, find_exports, misnamed
from siasn.identity import (
    MANGLED,
    SCIENTIFIC,
    by_first_15,
    by_shown,
    is_nip,
    restore_mangled,
    shown_digits,
    with_nips,
)
from siasn.kinds import KIND_BY_NAME, KINDS, SPLIT_POSITION, NearMiss, letters_of
from siasn.mapping import Mapping
from siasn.ragged import SHOWN
from siasn.report import ImportReport, Ledger

# kedudukan hukum -> status, by SIASN's id (with or without its leading zero) or name
STATUS = {key: status for code, (name, status) in KEDUDUKAN_HUKUM.items() for key in (code, code.lstrip("0"), name)}  # fmt: skip
# jenis kelamin as SIASN (M/F), SIMPEG vendors (L/P, 1/2) and forms (words) write it
SEX = {"M": "L", "F": "P", "L": "L", "P": "P", "1": "L", "2": "P", "LAKI-LAKI": "L",
       "LAKI LAKI": "L", "PRIA": "L", "PEREMPUAN": "P", "WANITA": "P"}  # fmt: skip
# agama and jenis kawin by name, as SIASN (Katholik, Budha) and SIMPEG vendors (Kristen
# Protestan, Buddha, Cerai Hidup, Janda / Duda) write them: the first pattern that matches
RELIGION_WORDS = ((r"ISLAM", "islam"), (r"KATH?OLIK", "katolik"), (r"KRISTEN|PROTESTAN", "kristen"),
                  (r"HINDU", "hindu"), (r"BUDD?HA", "buddha"), (r"KH?ONG ?HU ?CU", "konghucu"),
                  (r"LAIN|KEPERCAYAAN", "lainnya"))  # fmt: skip
MARITAL_WORDS = ((r"BELUM", "belum_kawin"), (r"CERAI|JANDA|DUDA", "cerai"), (r"MENIKAH|KAWIN", "kawin"))  # fmt: skip
MARITAL = {"1": "kawin", "2": "cerai", "3": "cerai", "4": "belum_kawin"}
# SIASN's texts read back (features/siasn_codes.py), with the variants other exports write.
# Compared by their letters and digits only (`_letters`): `Kurang / Misconduct`,
# `DIATAS EKSPEKTASI` and `Sangat_Baik` are SIASN's texts too.
RATING = {text: key for key, text in RATING_TEXT.items()}
RATING |= {text.replace("ESPEKTASI", "EKSPEKTASI"): key for text, key in list(RATING.items())}
RATING |= {text.replace("EKSPEKTASI", "ESPEKTASI"): key for text, key in list(RATING.items())}
RATING |= {str(code): key for code, key in enumerate(RATING_TEXT, 1)}  # rw-skp22's ...Nilai: 1-3
KUADRAN = {text: key for key, text in KUADRAN_TEXT.items()} | {
    "KURANG": "kurang",
    "MISCONDUCT": "kurang",
}
KUADRAN |= {str(code): key for code, key in enumerate(KUADRAN_TEXT, 1)}  # kuadranKinerja 1-5


UNREAD_RATINGS: Final = "SKP 2022+ ratings given but no rating SIASN knows (left empty)"


def _letters(values: pd.Series) -> pd.Series:
    """`siasn.kinds.letters_of` over a column (`Kurang / Misconduct` -> `KURANGMISCONDUCT`):
    how a predikat or rating is matched, whatever spacing, case or punctuation an export gave
    it."""
    return values.astype("string").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)


def _read_as(values: pd.Series, texts: dict[str, str]) -> pd.Series:
    """`values` as the keys `texts` gives them, compared by `_letters` (`letters_of`)."""
    return _letters(values).map({letters_of(text): key for text, key in texts.items()})


SEVERITY = {code: key for key, code in SEVERITY_CODE.items()} | {
    k.upper(): k for k in SEVERITY_CODE
}
# The tingkat of a jenis hukuman disiplin where an export gives no tingkat: SIASN's list by
# id or name (`JENIS_HUKUMAN`), else the first rule whose pattern the name (upper case)
# matches, for the regulations' own wording (PP 53/2010, PP 94/2021) and SIMPEG's variants.
SEVERITY_BY_JENIS = {key: SEVERITY[tingkat] for code, (name, tingkat) in JENIS_HUKUMAN.items() for key in (code, name)}  # fmt: skip
SEVERITY_BY_NAME = (
    (r"\bRINGAN\b", "ringan"),
    (r"\bSEDANG\b", "sedang"),
    (r"\bBERAT\b", "berat"),  # `Hukdis Berat`
    (r"TEGURAN|PERNYATAAN TIDAK PUAS|SANKSI MORAL", "ringan"),
    (r"PENUNDAAN|PEMOTONGAN TUNJANGAN|PEMOTONGAN TUNKIN|PENURUNAN GAJI", "sedang"),
    (r"PENURUNAN PANGKAT.*\b(?:1|SATU)\)?\s*(?:TAHUN|THN|TH)\b", "sedang"),  # for one year
    (r"PENURUNAN|PEMINDAHAN|PEMBEBASAN|PEMBERHENTIAN|PENGAKTIFAN", "berat"),
)
COMPETENCY = {text: key for key, text in COMPETENCY_TEXT.items()} | {"KERJA SAMA": "kerja_sama"}
GOLONGAN_BY_ID = {f"{1 + k // 4}{1 + k % 4}": g for k, g in enumerate(vocab.PNS_GOLONGAN[:16])}
GOLONGAN_BY_ID["45"] = "IV/e"
CURRENT = ("aktif", "cuti", "tugas_belajar", "mpp")
Progress = Callable[[str], None]


# Month names as Indonesian (and English) exports print them: `02 Januari 2020`, `1-Des-2018`
MONTHS: Final[dict[str, int]] = {
    name: k
    for k, names in enumerate((
        ("JANUARI", "JANUARY", "JAN"), ("FEBRUARI", "PEBRUARI", "FEBRUARY", "FEB", "PEB"),
        ("MARET", "MARCH", "MAR"), ("APRIL", "APR"), ("MEI", "MAY"), ("JUNI", "JUNE", "JUN"),
        ("JULI", "JULY", "JUL"), ("AGUSTUS", "AUGUST", "AGU", "AGT", "AGS", "AUG"),
        ("SEPTEMBER", "SEPT", "SEP"), ("OKTOBER", "OCTOBER", "OKT", "OCT"),
        ("NOVEMBER", "NOPEMBER", "NOV", "NOP"), ("DESEMBER", "DECEMBER", "DES", "DEC"),
    ), 1)
    for name in names
}  # fmt: skip


# a day, a month's number or name, and a year of two digits (the date separators read as `-`)
SHORT_YEAR: Final = re.compile(r"^([0-9]{1,2}[- ](?:[0-9]{1,2}|[A-Za-z]+\.?)[- ])([0-9]{2})$")


def _four_digit_year(found: re.Match[str]) -> str:
    """The date of `found` (`SHORT_YEAR`) with its year in four digits: this century's up to
    next year, else the last one's (`70` is 1970, `05` 2005). Python's own rule (`%y`: 00-68
    are 20xx) makes a birth in 1965 one in 2065; HR records date what has happened, so a
    year past next year is of the century before."""
    year, next_year = int(found[2]), dt.date.today().year + 1
    century = next_year // 100 * 100 - (100 if year > next_year % 100 else 0)
    return f"{found[1]}{century + year}"


def dates(values: pd.Series, source: pd.Series | None = None) -> pd.Series:
    """dd-mm-yyyy, dd/mm/yyyy or YYYY-MM-DD text, the last also with a time after it (a
    database's timestamp, `2019-01-02 00:00:00` or `2019-01-02T08:00:00+08:00`), or a day, a
    month's name and a four-digit year (`02 Januari 2020`, `1-Des-2018`, as a SIMPEG's
    printed dates read), or a spreadsheet's day number (a date cell saved as a number, as
    Excel writes it when the column is formatted General: five digits, days since
    1899-12-30, 1927 to 2099; four digits would be a year) -> timestamps (NaT where none
    fits). Month first (`12/25/1986`, as Excel set to English (US) saves a CSV) where a
    file's column shows it: some date's second number is over 12 and none's first is; else
    day first, Indonesia's order. `source` names each row's file (`_ledger`): files decide
    apart, as the stack of one kind's files may mix them. A two-digit year (`10-01-70`,
    `1-Des-18`: Excel's short date formats) is read by `_four_digit_year`."""
    text = values.astype("string").str.strip().str.replace("/", "-", regex=False)
    text = text.str.replace(SHORT_YEAR, _four_digit_year, regex=True)
    serial = pd.to_numeric(
        text.str.extract(r"^([0-9]{5})(?:\.0+)?$", expand=False), errors="coerce"
    )
    spreadsheet = pd.Timestamp("1899-12-30") + pd.to_timedelta(
        serial.where(serial <= 73050), unit="D"
    )
    numbered = text.str.extract(r"^([0-9]{1,2})-([0-9]{1,2})-[0-9]{4}$").astype("Float64")
    files = source if source is not None else pd.Series(0, index=values.index)
    first_over = (numbered[0] > 12).fillna(False).groupby(files).transform("any")
    second_over = (numbered[1] > 12).fillna(False).groupby(files).transform("any")
    month_first = (second_over & ~first_over).to_numpy(bool)
    day_first = pd.to_datetime(text, format="%d-%m-%Y", errors="coerce")
    day_first = day_first.where(~month_first, pd.to_datetime(text, format="%m-%d-%Y", errors="coerce"))  # fmt: skip
    iso_day = text.str.extract(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T][0-9:.+\-Z]*)?$", expand=False)
    named = text.str.upper().str.extract(r"^([0-9]{1,2})[ -]([A-Z]+)\.?[ -]([0-9]{4})$")
    month = named[1].map(MONTHS).astype("Int64").astype("string")
    worded = pd.to_datetime(
        named[2] + "-" + month + "-" + named[0], format="%Y-%m-%d", errors="coerce"
    )
    iso = pd.to_datetime(iso_day, format="%Y-%m-%d", errors="coerce")
    return day_first.fillna(iso).fillna(worded).fillna(spreadsheet)


# a number with the words a report prints beside it: `85,50 (Baik)`, `Baik (85,50)`,
# `25,7 menit`, `74,18 %`
WORDED_NUMBER: Final = (
    r"^(?:[A-Za-z ]*\(\s*)?([+-]?[0-9]+(?:[.,][0-9]+)?)\s*(?:\)|%|\(?[A-Za-z][A-Za-z ./]*\)?)?$"
)


def numbers(values: pd.Series) -> pd.Series:
    """Numbers with a decimal comma or point, alone or with the words a report prints beside
    them (`WORDED_NUMBER`) -> floats (NA where none: a comparison with one is missing, so
    a test of a range says `.fillna(False)`)."""
    text = values.astype("string").str.strip()
    text = text.str.extract(WORDED_NUMBER, expand=False).fillna(text).str.replace(",", ".", regex=False)  # fmt: skip
    return pd.to_numeric(text, errors="coerce")


def counts(values: pd.Series) -> pd.Series:
    """Whole counts as exports write them, grouped by thousands the Indonesian or the English
    way (`1.234`, `1,234`) or not -> Int64; NA where the text is no whole count (read as a
    number, `1.234` was 1.234, and a count cut it to 1)."""
    text = values.astype("string").str.strip()
    grouped = text.str.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+").fillna(False)
    text = text.where(~grouped, text.str.replace(r"[.,]", "", regex=True))
    whole = text.str.fullmatch(r"[0-9]+(\.0+)?").fillna(False)  # `12.0`: a spreadsheet's number
    return pd.to_numeric(text.where(whole), errors="coerce").astype("Int64")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column the export may lack (its cells then all None, not NaN: `if cell` reads
    them as empty)."""
    return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)  # fmt: skip


def _employment(people: pd.DataFrame) -> pd.Series:
    """PNS or PPPK: `JENIS PEGAWAI NAMA` (PNS, PNS Daerah, CPNS, PPPK, ...) where it names
    one, else the NIP (its 13th digit is 2 for a PPPK): a `#N/A` is no PNS."""
    text = _column(people, "JENIS PEGAWAI NAMA").astype("string").str.upper()
    kind = text.str.extract(r"(PPPK|PNS|CPNS)", expand=False).replace("CPNS", "PNS")
    named = kind.astype(object).where(kind.notna(), None)  # a text naming neither: the NIP says
    return named.fillna(people["NIP BARU"].str[12].map({"2": "PPPK"}).fillna("PNS"))


def _of(exports: list[ExportFile], kind: str) -> list[ExportFile]:
    return [e for e in exports if e.kind == kind]


def _frame(exports: list[ExportFile], kind: str, report: ImportReport) -> tuple[pd.DataFrame, list[Ledger]]:  # fmt: skip
    """All files of `kind` stacked, with a ledger each and the ledger index per row; in a
    table of people's records, the rows that name nobody (no NIP, and no PNS ID that a
    file pairs with one: `siasn.identity`) dropped and counted."""
    frames: list[pd.DataFrame] = []
    ledgers: list[Ledger] = []
    for export in _of(exports, kind):
        ledger = report.ledger(export.name, kind)
        ledger.read = len(export.frame) + sum(n for _, n in export.left_out)
        for why, n in export.left_out:  # rows read, then left out as they came (`siasn.files`)
            ledger.drop(why, n)
        for why, n in export.repaired:
            ledger.repair(why, n)
        report.checks += export.checks
        report.notes += export.notes
        frames.append(export.frame.assign(_ledger=len(ledgers)))
        ledgers.append(ledger)
    if not frames:
        return pd.DataFrame(columns=["_ledger"]), ledgers
    stacked = pd.concat(frames, ignore_index=True)
    if "NIP BARU" in stacked:
        nobody = stacked["NIP BARU"].isna()
        stacked = _account(stacked, nobody, ledgers, "no NIP (nor a PNS ID paired with one)")
    return stacked, ledgers


def _account(frame: pd.DataFrame, mask: pd.Series | np.ndarray, ledgers: list[Ledger], reason: str, how: str = "drop") -> pd.DataFrame:  # fmt: skip
    """Remove the rows in `mask` from `frame`, counting them per source file."""
    mask = pd.Series(np.asarray(mask, dtype=bool), index=frame.index)
    for k, n in frame.loc[mask, "_ledger"].value_counts().items():
        getattr(ledgers[int(k)], how)(reason, int(n))
    return frame.loc[~mask]


def _set_aside(exports: list[ExportFile], kind: str, report: ImportReport, reason: str) -> None:
    """Every row of a kind the contract has no place for, dropped and counted with why."""
    frame, ledgers = _frame(exports, kind, report)
    if len(frame):
        _account(frame, np.ones(len(frame), dtype=bool), ledgers, reason)
        report.notes.append(f"{len(frame)} row(s) of {KIND_BY_NAME[kind].label} set aside: {reason}")  # fmt: skip


def _keep(frame: pd.DataFrame, ledgers: list[Ledger]) -> None:
    for k, n in frame["_ledger"].value_counts().items():
        ledgers[int(k)].kept += int(n)


def _names(employees: pd.DataFrame) -> dict[str, str]:
    """NIP -> name of the people the import knows (whom a mangled NIP may be restored to)."""
    return dict(zip(employees["nip"], employees["name"].fillna(""), strict=True))


SHOWN_LOST: Final = (
    "NIP in scientific notation (Excel showed it as a number, `1,97001E+17`): its last digits "
    "are lost and no name in the file agrees with one employee's; save the export again with "
    "the NIP column as text"
)


def _repair_nips(frame: pd.DataFrame, known: dict[str, str], ledgers: list[Ledger]) -> pd.DataFrame:  # fmt: skip
    """NIPs Excel stored as numbers keep 15 significant digits: `…000` in place of the last
    three. Repaired when exactly one known NIP has the same first 15 digits and, where the
    file gives a name, the same name. A NIP Excel showed with fewer digits (`1,97001E+17`:
    `shown_digits`) is repaired only where the file gives a name and exactly one known NIP
    with those first digits has it (six digits are a birth month: many people's), else
    dropped saying so. The rest stay as they are (and are reported)."""
    by_prefix = by_first_15(known)
    nip = frame["NIP BARU"].astype("string").str.replace(r"\.0$", "", regex=True)
    names = frame["NAMA"] if "NAMA" in frame else pd.Series(None, index=frame.index)
    fixed = nip.copy()
    shown: dict[int, dict[int, list[str]]] = {}  # by how many digits were shown
    mangled = nip.str.fullmatch(MANGLED) | nip.str.fullmatch(SCIENTIFIC)
    for i in np.flatnonzero((~nip.isin(list(known)) & mangled.fillna(False)).to_numpy(bool)):
        name = None if pd.isna(names.iloc[i]) else str(names.iloc[i]).strip().upper()
        if re.fullmatch(MANGLED, str(nip.iloc[i])):
            candidates = by_prefix.get(str(nip.iloc[i])[:15], [])
            if len(candidates) != 1 or name not in (None, known[candidates[0]].upper()):
                continue
            proof = "15 digits and name agree" if name is not None else "its 15 digits are one employee's; the file gives no name"  # fmt: skip
        elif (digits := shown_digits(nip.iloc[i])) is not None and name is not None:
            number, count = digits
            near = shown.setdefault(count, by_shown(known, count)).get(number, [])
            candidates = [c for c in near if known[c].upper() == name]
            if len(candidates) != 1:
                continue
            proof = f"shown as {count} digits in scientific notation; they and the name agree"
        else:
            continue
        fixed.iloc[i] = candidates[0]
        ledgers[int(frame["_ledger"].iloc[i])].repair(f"Excel-mangled NIP restored ({proof})", 1)  # fmt: skip
    lost = fixed.map(shown_digits, na_action="ignore").notna()
    return _account(frame.assign(**{"NIP BARU": fixed.astype(object)}), lost, ledgers, SHOWN_LOST)  # fmt: skip


def import_siasn(source: Path, out: Path, mapping_file: Path | None = None, progress: Progress = lambda _: None) -> ImportReport:  # fmt: skip
    """Convert the exports in `source` into a contract folder `out`, with `mapping.csv`
    (every decision, for review) and the import report; validate the result."""
    if not source.is_dir():
        raise ValueError(f"{source}: not a directory of exports")
    if out.resolve() == source.resolve():  # the contract's files would sit among the exports
        raise ValueError(f"{out}: the exports' own folder; write the contract to another folder")
    report = ImportReport(str(source))
    mapping = Mapping.read(mapping_file) if mapping_file else Mapping()
    exports, ignored, near = find_exports(source, mapping.columns(), progress)
    exports = with_nips(exports, report)
    report.ignored = ignored
    report.notes += [f"{e.name} is not UTF-8: read as Windows-1252 (Excel's CSV on Windows)" for e in exports if e.encoding == "cp1252"]  # fmt: skip
    report.notes += [f"{e.name} is UTF-16: read as Excel's Unicode Text" for e in exports if e.encoding == "utf-16"]  # fmt: skip
    report.notes += [note for e in exports if (note := misnamed(e))]
    for miss in near:
        for header, field in miss.suggestions():
            mapping.suggest_column(miss.file, header, field)
    _check_kinds(source, exports, near, ignored, mapping, out)
    for kind in KINDS:
        if kind.imported and not kind.required and not _of(exports, kind.name):
            report.notes.append(f"no {kind.label} file: imported without it")
    progress(f"read {len(exports)} export files ({len(ignored)} ignored)")
    units = _units(exports, report, mapping)
    employees = _employees(exports, report, mapping)
    assignments = _assignments(exports, report, mapping, units, employees)
    employees = _former_staff(employees, assignments, report)
    open_spells = assignments.loc[assignments["end_date"].isna(), "unit_id"].value_counts()
    headcount = units["unit_id"].map(open_spells).fillna(0).clip(lower=1)
    units["capacity"] = (  # an ABK's kebutuhan is a sum of fractions of a post: rounded
        units["capacity"].where(~units.pop("_missing_capacity"), headcount).round().astype(int)
    )
    evaluations = _evaluations(exports, report, assignments, employees)
    _set_aside(exports, "kinerja_periodik", report, "a periodic rating, not the year's predikat (the SKP 2022+ file gives that)")  # fmt: skip
    _set_aside(exports, "talenta", report, "a talent review's kinerja axis, not the SKP's score")
    assignments = _close_former(assignments, employees, evaluations)
    tables = {
        "units": units,
        "employees": employees,
        "assignments": assignments,
        "evaluations": evaluations,
        "competencies": _competencies(exports, report, employees),
        "trainings": _trainings(exports, report, mapping, employees),
        "discipline": _discipline(exports, report, employees),
        "unit_kpis": _kpis(exports, report, units),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        columns = list(TABLES_BY_NAME[name].column_names)
        frame = guard_frame(frame.reindex(columns=columns))
        frame.to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d", lineterminator="\n")
    mapping.write(out / "mapping.csv")
    progress("checking the result against the contract")
    check = validate_directory(out)
    report.contract = {
        "valid": check.ok,
        "summary": "valid" if check.ok else f"{len(check.violations):,} violation(s)",
        "lines": [] if check.ok else summary_lines(check.violations, []),
    }
    report.write(out, mapping)
    return report


class MissingExports(ValueError):
    """A kind the import cannot run without is missing; the message lists every near miss."""


def _check_kinds(
    source: Path, exports: list[ExportFile], near: list[NearMiss], ignored: dict[str, str],
    mapping: Mapping, out: Path,
) -> None:  # fmt: skip
    """Refuse to go on without the unor tree, riwayat jabatan and Data ASN, naming every file
    that came close and what it lacks, and writing the guessed column names to review."""
    missing = [k for k in KINDS if k.required and not _of(exports, k.name)]
    if not missing:
        return
    lines = [f"{source}: no {', no '.join(k.label for k in missing)} file found "
             f"(files read as a known kind: {', '.join(f'{e.name} ({e.kind})' for e in exports) or 'none'})"]  # fmt: skip
    lines += [f"  {miss.line()}" for miss in sorted(near, key=lambda m: -m.resemblance)][:30]
    # files not read at all (an .xls, an unreadable file): the missing export may be one
    resembled = {miss.file for miss in near}
    unread = [(name, why) for name, why in ignored.items() if name not in resembled and not name.endswith(" (empty)")]  # fmt: skip
    lines += [f"  set aside: {name}: {why}" for name, why in unread[:30]]
    if near:
        out.mkdir(parents=True, exist_ok=True)
        mapping.write(out / "mapping.csv")
        lines.append(f"  name the missing columns in {out / 'mapping.csv'} (kind=column, source=<file>:<header>, "
                     "target=<field>, status=confirmed; guesses are written there as suggested) "
                     "and run again with --mapping")  # fmt: skip
    raise MissingExports("\n".join(lines))


def _units(exports: list[ExportFile], report: ImportReport, mapping: Mapping) -> pd.DataFrame:
    unor, ledgers = _frame(exports, "unor", report)
    if "ID" not in unor:
        unor = unor.assign(ID=unor["UNOR ID"])
    unor = _account(unor, unor["ID"].isna(), ledgers, "no unit id")
    # an id the contract takes, as written (a spreadsheet's guard would change one opening
    # with `-`): `#N/A`, `N/A` or `-` is a cell gone wrong, no unit
    sound = unor["ID"].astype("string").str.fullmatch(UNIT_ID_PATTERN) & ~unor["ID"].astype("string").str.startswith("-")  # fmt: skip
    unor = _account(
        unor, ~sound.fillna(False), ledgers, "unit id is no id (letters, digits, _ . -)"
    )
    unor = _account(unor, unor.duplicated("ID"), ledgers, "unit id twice", how="merge")
    _keep(unor, ledgers)
    ids = set(unor["ID"])
    names = unor["UNOR NAMA"].fillna(unor["ID"])
    abk, abk_ledgers = _frame(exports, "abk", report)
    capacity = pd.Series(dtype=float)
    if len(abk):
        abk = abk.assign(_need=numbers(abk["KEBUTUHAN"]), _unit=_abk_units(abk, unor.assign(_name=names), report))  # fmt: skip
        abk = _account(abk, abk["_unit"].isna(), abk_ledgers, "unit not in the unor tree (by code, or by name: none or several)")  # fmt: skip
        abk = _account(abk, abk["_need"].isna(), abk_ledgers, "kebutuhan is not a number")
        _keep(abk, abk_ledgers)
        capacity = abk.groupby("_unit")["_need"].sum()
    out = pd.DataFrame({
        "unit_id": unor["ID"], "unit_name": names,
        "unit_kind": [mapping.decide("unit_kind", n, fallback="seksi") for n in names],
        "parent_unit_id": unor["DIATASAN ID"].where(unor["DIATASAN ID"].isin(ids)),
        "domain": [mapping.decide("unit_domain", n, fallback="umum") for n in names],
        "capacity": unor["ID"].map(capacity),
    })  # fmt: skip
    missing = out["capacity"].isna() | (out["capacity"] < 1)
    if missing.any():
        report.notes.append(f"{int(missing.sum())} unit(s) have no ABK kebutuhan: capacity set from today's headcount (at least 1)")  # fmt: skip
    out["_missing_capacity"] = missing
    return out


# the abbreviations a recap (an SKM report, an ABK sheet) writes a unit's name with, as the
# unor tree spells them out: `Kec. Ampenan`, `Subbag Umum & Kepegawaian`, `Setda`
NAME_WORDS: Final[dict[str, str]] = {
    "KEC": "KECAMATAN", "KEL": "KELURAHAN", "BAG": "BAGIAN", "SUBBAG": "SUB BAGIAN",
    "SUBBAGIAN": "SUB BAGIAN", "SIE": "SEKSI", "BID": "BIDANG", "SETDA": "SEKRETARIAT DAERAH",
    "SETWAN": "SEKRETARIAT DPRD", "&": "DAN",
}  # fmt: skip


def _name_key(names: pd.Series) -> pd.Series:
    """A unit's name as names are compared: upper case, its full stops and commas spaces, the
    spaces folded, and the abbreviations of `NAME_WORDS` spelt out (`Kec. Ampenan` is
    `KECAMATAN AMPENAN`, as the unor tree names it)."""
    words = names.astype("string").str.upper().str.replace(r"[.,]", " ", regex=True).str.split()
    return words.map(lambda w: " ".join(NAME_WORDS.get(x, x) for x in w), na_action="ignore")


def _unit_named(frame: pd.DataFrame) -> pd.Series:
    """The unit a row of an ABK or SKM recap names, as a name key: `NAMA UNIT` (a service
    unit), else `UNIT KERJA` and its kin (`UNOR NAMA`), as recaps head it either way."""
    return _name_key(_column(frame, "NAMA UNIT").fillna(_column(frame, "UNOR NAMA")))


def _unit_by_name(names: pd.Series, units: pd.DataFrame) -> pd.Series:
    """The unit each name is (in any case, spaces folded) where exactly one unit of the tree
    bears it; None where none does or several do (every kecamatan has its own "Seksi
    Pelayanan Umum": a name alone cannot say which)."""
    key = _name_key(units["unit_name"])
    sole = key.map(key.value_counts()) == 1
    by_key = pd.Series(units["unit_id"].to_numpy()[sole.to_numpy()], index=key[sole].to_numpy())
    return _name_key(names).map(by_key).astype(object).where(lambda u: u.notna(), None)


def _abk_units(abk: pd.DataFrame, unor: pd.DataFrame, report: ImportReport) -> pd.Series:
    """Each ABK row's unit: by its code when it has one, else by its name (`_unit_named`,
    upper case, spaces folded) among the unor tree's names, and where several units share
    the name, the one under the row's `PERANGKAT DAERAH`. Counted in the report."""
    ids = set(unor["ID"])
    by_code = _column(abk, "UNOR ID").where(lambda c: c.isin(ids))
    key = _name_key(unor["_name"])
    parent = dict(zip(unor["ID"], unor["DIATASAN ID"], strict=True))
    name_of = dict(zip(unor["ID"], key, strict=True))
    candidates = pd.Series(unor["ID"].to_numpy(), index=key.to_numpy()).groupby(level=0).agg(list)
    wanted, opd = _unit_named(abk), _name_key(_column(abk, "PERANGKAT DAERAH"))

    def under(unit: str, head: str) -> bool:
        """`unit` is `head`'s unit or lies under it (the tree walked up, cycles cut)."""
        seen: set[str] = set()
        while unit in name_of and unit not in seen:
            if name_of[unit] == head:
                return True
            seen.add(unit)
            unit = parent.get(unit)  # type: ignore[assignment]
        return False

    def by_name(i: int) -> str | None:
        found = candidates.get(wanted.iloc[i], []) if pd.notna(wanted.iloc[i]) else []
        if len(found) > 1 and pd.notna(opd.iloc[i]):
            found = [u for u in found if under(u, opd.iloc[i])]
        return found[0] if len(found) == 1 else None

    names = pd.Series([None if pd.notna(c) else by_name(i) for i, c in enumerate(by_code)], index=abk.index, dtype=object)  # fmt: skip
    report.evidence |= {
        "ABK rows matched to a unit by code": int(by_code.notna().sum()),
        "ABK rows matched to a unit by name": int(names.notna().sum()),
        "ABK rows matched to no unit": int((by_code.isna() & names.isna()).sum()),
    }
    return by_code.fillna(names)


def _golongan(people: pd.DataFrame, employment: pd.Series) -> pd.Series:
    """The golongan by name (`III/b`, `IX`: `_golongan_named`), else, for a PNS, by SIASN's
    id (`32`): a PPPK's golongan reuses the PNS ids (21 is V for a PPPK), so it is read by
    name only."""
    named = _column(people, "GOL AKHIR NAMA").map(_golongan_named, na_action="ignore")
    by_id = _column(people, "GOL AKHIR ID").map(GOLONGAN_BY_ID).where(employment != "PPPK")
    return named.where(named.isin(vocab.GOLONGAN), by_id)


def _golongan_named(text: str) -> str | None:
    """A golongan as exports write it: `III/a`, `III/A`, `III - a`, `IIIa`, `Penata Muda
    (III/a)` are `III/a`; a PPPK's `IX`, `Gol. IX` or `... (IX)` is `IX`; None for anything
    else."""
    upper = str(text).upper()
    if found := re.search(r"\b(IV|III|II|I)\s*[/\-.]?\s*([A-E])\b", upper):
        return f"{found[1]}/{found[2].lower()}"
    found = re.search(r"\(\s*([IVX]+)\s*\)", upper) or re.fullmatch(r"\s*(?:GOL(?:ONGAN)?\.?\s*)?([IVX]+)\s*", upper)  # fmt: skip
    return found[1] if found and found[1] in vocab.PPPK_GOLONGAN else None


def _worded(values: pd.Series, words: tuple[tuple[str, str], ...]) -> pd.Series:
    """Each value's key by the first pattern its text (upper case) matches; None if none
    (agama, jenis kawin, a hukuman's wording)."""
    text = values.astype("string").str.upper()
    found = np.select([text.str.contains(p).fillna(False).to_numpy(bool) for p, _ in words], [k for _, k in words], "")  # fmt: skip
    return pd.Series(found, index=values.index, dtype=object).replace("", None)


def _status(asn: pd.DataFrame, report: ImportReport) -> pd.Series:
    """Each person's status from the kedudukan hukum: its id, else its name (SIASN's list:
    `KEDUDUKAN_HUKUM`); aktif where the export gives neither (a list of current staff).
    A code or name not in the list is taken as aktif and named in the report's notes (SIASN
    gives PPPK codes of their own), so that nobody on leave or gone passes unseen."""
    if "KEDUDUKAN HUKUM ID" not in asn and "KEDUDUKAN HUKUM NAMA" not in asn:
        report.notes.append("Data ASN gives no kedudukan hukum: every employee in it taken as aktif (name the column in mapping.csv if it has another heading)")  # fmt: skip
    code = _column(asn, "KEDUDUKAN HUKUM ID").astype("string").str.strip()
    name = _column(asn, "KEDUDUKAN HUKUM NAMA").astype("string").str.strip().str.upper()
    status = code.map(STATUS).fillna(name.map(STATUS))
    unread = status.isna() & (code.notna() | name.notna())
    if unread.any():
        counts = code.fillna(name)[unread].value_counts()
        shown = ", ".join(f"{value} ({n})" for value, n in counts.head(8).items())
        report.notes.append(f"{int(unread.sum())} employee(s) with a kedudukan hukum not in SIASN's list, taken as aktif: {shown}")  # fmt: skip
    return status.astype(object).fillna("aktif")


def _employees(exports: list[ExportFile], report: ImportReport, mapping: Mapping) -> pd.DataFrame:
    asn, ledgers = _frame(exports, "data_asn", report)
    restored, proofs = restore_mangled(asn, exports)
    for i, proof in proofs.items():
        ledgers[int(asn["_ledger"].iloc[i])].repair(f"Excel-mangled NIP restored ({proof})", 1)
    asn = asn.assign(**{"NIP BARU": restored})
    left = int(asn["NIP BARU"].astype("string").str.fullmatch(MANGLED).fillna(False).sum())
    if left:
        report.notes.append(
            f"{left} Data ASN NIP(s) end in 000, as Excel writes an 18-digit NIP stored as a "
            "number, and no other export names whose they are: re-export NIP BARU as text"
        )
    asn = _account(asn, ~is_nip(asn["NIP BARU"]), ledgers, "NIP is not 18 digits")  # fmt: skip
    asn = _account(asn, asn.duplicated("NIP BARU"), ledgers, "NIP twice", how="merge")
    _keep(asn, ledgers)
    diploma = _column(asn, "PENDIDIKAN NAMA").fillna(_column(asn, "TINGKAT PENDIDIKAN NAMA"))  # fmt: skip
    level = _education_level(asn, diploma, mapping)
    field = [
        mapping.decide("diploma_field", str(d), fallback="umum") if d else None for d in diploma
    ]
    status = _status(asn, report)
    employment = _employment(asn)
    out = pd.DataFrame({
        "nip": asn["NIP BARU"], "name": asn["NAMA"],
        "sex": asn["JENIS KELAMIN"].str.strip().str.upper().map(SEX),
        "birth_date": dates(asn["TANGGAL LAHIR"], asn["_ledger"]),
        "religion": _worded(_column(asn, "AGAMA NAMA"), RELIGION_WORDS),
        "marital_status": _column(asn, "JENIS KAWIN ID").astype("string").str.strip().map(MARITAL).fillna(_worded(_column(asn, "JENIS KAWIN NAMA"), MARITAL_WORDS)),
        "employment_type": employment, "golongan": _golongan(asn, employment), "education_level": level, "education_field": field,
        "service_start": dates(asn["TMT CPNS"], asn["_ledger"]), "status": status,
        "_unit": _column(asn, "UNOR ID"), "_unit_name": _column(asn, "UNOR NAMA"),
        "_tmt": dates(_column(asn, "TMT JABATAN"), asn["_ledger"]),
    })  # fmt: skip
    general = out["education_level"].isin(vocab.GENERAL_EDUCATION)
    out.loc[general, "education_field"] = "umum"
    out = _filled_from_nip(out)  # before the check: the NIP gives what its cell lacks
    report.checks += _unread_required(asn, out)
    former, former_ledgers = _frame(exports, "pemberhentian", report)
    if len(former):
        former = _account(former, ~is_nip(former["NIP BARU"]), former_ledgers, "NIP is not 18 digits")  # fmt: skip
        former = _account(former, former["NIP BARU"].isin(set(out["nip"])), former_ledgers, "also in Data ASN", how="merge")  # fmt: skip
        former = _account(
            former, former.duplicated("NIP BARU"), former_ledgers, "NIP twice", how="merge"
        )
        _keep(former, former_ledgers)
        diploma = _column(former, "PENDIDIKAN NAMA")
        gone = pd.DataFrame({
            "nip": former["NIP BARU"], "name": _column(former, "NAMA"),
            "birth_date": dates(_column(former, "TANGGAL LAHIR"), former["_ledger"]),
            "sex": _column(former, "JENIS KELAMIN").str.strip().str.upper().map(SEX),
            "service_start": dates(_column(former, "TMT CPNS"), former["_ledger"]),
            "employment_type": (employed := _employment(former)),
            "golongan": _golongan(former, employed),
            "education_level": [mapping.decide("diploma_level", str(d)) if d else None for d in diploma],
            "education_field": [mapping.decide("diploma_field", str(d), fallback="umum") if d else None for d in diploma],
            "status": np.where(_column(former, "JENIS PEMBERHENTIAN").astype("string").str.upper().str.contains("BUP|PENSIUN").fillna(False), "pensiun", "berhenti"),
            "_left": dates(former["TMT BERHENTI"], former["_ledger"]),
        })  # fmt: skip
        out = pd.concat([out, gone], ignore_index=True)
    return out


def _education_level(asn: pd.DataFrame, diploma: pd.Series, mapping: Mapping) -> pd.Series:
    """Each person's level: `TINGKAT PENDIDIKAN NAMA` as mapped (`S-1`, `Strata 1`; the
    agency's mapping.csv decides), else SIASN's `TINGKAT PENDIDIKAN ID` (`40`:
    `TINGKAT_PENDIDIKAN`), else the diploma's own text as mapped (`S-1 AKUNTANSI`): one cell
    gone wrong (`#N/A`) is no missing level where another column says it."""
    named = pd.Series([mapping.decide("diploma_level", str(d)) if d else None for d in asn.get("TINGKAT PENDIDIKAN NAMA", diploma)], index=asn.index, dtype=object)  # fmt: skip
    coded = _column(asn, "TINGKAT PENDIDIKAN ID").astype("string").str.strip().str.zfill(2)
    level = named.fillna(coded.map(TINGKAT_PENDIDIKAN).astype(object))
    if "TINGKAT PENDIDIKAN NAMA" in asn:  # else the diploma's text was read first
        for i in np.flatnonzero((level.isna() & diploma.notna()).to_numpy(bool)):
            level.iloc[i] = mapping.decide("diploma_level", str(diploma.iloc[i]))
    return level.where(level.notna(), None)


# what the contract requires of current staff, and the Data ASN columns it is read from
REQUIRED_OF_CURRENT: Final = (
    ("name", ("NAMA",)), ("sex", ("JENIS KELAMIN",)), ("golongan", ("GOL AKHIR NAMA", "GOL AKHIR ID")),
    ("education_level", ("TINGKAT PENDIDIKAN NAMA", "PENDIDIKAN NAMA", "TINGKAT PENDIDIKAN ID")),
)  # fmt: skip


def _unread_required(asn: pd.DataFrame, out: pd.DataFrame) -> list[str]:
    """A line per field the contract requires of current staff that some current employee's
    Data ASN row gave nothing readable for: the columns, and the NIPs with what their cells
    held (`#N/A`, `-`), so that the source is mended where the contract's refusal names
    only rows of the contract's employees.csv."""
    current = out["status"].isin(CURRENT).to_numpy(bool)
    lines = []
    for field, columns in REQUIRED_OF_CURRENT:
        missing = np.flatnonzero(current & out[field].isna().to_numpy(bool))
        if not len(missing):
            continue
        given = [c for c in columns if c in asn]
        held = [" / ".join(repr(asn[c].iloc[i]) for c in given if pd.notna(asn[c].iloc[i])) or "empty" for i in missing[:SHOWN]]  # fmt: skip
        shown = ", ".join(f"{out['nip'].iloc[i]} ({h})" for i, h in zip(missing[:SHOWN], held, strict=True))  # fmt: skip
        more = f" and {len(missing) - SHOWN:,} more" if len(missing) > SHOWN else ""
        lines.append(
            f"Data ASN: {len(missing):,} current employee(s) with no {field} the import could read "
            f"from {' / '.join(given) or 'no column of it'}: {shown}{more}; the contract refuses them "
            "until those cells are mended (or, for a text the import does not know, mapped in mapping.csv)"
        )
    return lines


# the jenis jabatan by the words exports write it with, the first pattern found deciding:
# SIASN's names, the abbreviations (JPT, JFT, JFU) and PermenPANRB 17/2021's pimpinan tinggi
JENIS_TEXT = (
    (r"STRUKTURAL|PIMPINAN TINGGI|\bJPT\b", "1"),
    (r"FUNGSIONAL UMUM|PELAKSANA|\bJFU\b", "4"),
    (r"FUNGSIONAL|\bJFT?\b", "2"),
)
UNKNOWN_JENIS: Final = "riwayat rows whose jenis jabatan is no kind known (read as pelaksana)"


def _jenis_code(jenis: pd.Series) -> pd.Series:
    """`JENIS JABATAN` as SIASN's code (1 struktural, 2 fungsional, 4 pelaksana), whether
    the export wrote the code or its name; `""` where it is empty or no kind known (read as 4,
    pelaksana, by the caller, which counts the second: `UNKNOWN_JENIS`)."""
    text = jenis.astype("string").str.upper().fillna("")
    conditions = [text.str.fullmatch(r"[0-9]+")] + [text.str.contains(w) for w, _ in JENIS_TEXT]
    choices = [text.to_numpy(object)] + [np.full(len(text), code, dtype=object) for _, code in JENIS_TEXT]  # fmt: skip
    chosen = np.select([c.to_numpy(bool) for c in conditions], choices, "")
    return pd.Series(chosen, index=jenis.index, dtype=object)


def _position_names(rw: pd.DataFrame, jenis: pd.Series) -> pd.Series:
    """One position name per row: `JABATAN NAMA` where the row has it; else (SIASN's
    rw-jabatan, whose `namaJabatan` is empty on fungsional rows) the column of the row's
    jenis jabatan, a struktural post being the head of its unit when no struktural name is
    given, then any name the row has."""
    struktural, fungsional, umum = (_column(rw, c) for c in SPLIT_POSITION)
    head = ("Kepala " + _column(rw, "UNOR NAMA").astype("string")).astype(object)
    named = pd.Series(None, index=rw.index, dtype=object)
    named = named.mask(jenis == "1", struktural.fillna(head)).mask(jenis == "2", fungsional)
    named = named.mask(jenis == "4", umum).fillna(fungsional).fillna(umum).fillna(struktural)
    return _column(rw, "JABATAN NAMA").fillna(named)


ESELON_ROMAN = {"I": "2", "II": "2", "III": "3", "IV": "4", "V": "4"}  # I (JPT madya) as JPT


def _position_type(jenis: pd.Series, eselon: pd.Series) -> pd.Series:
    """Struktural posts by eselon, SIASN's code (21/22 JPT, 31/32 administrator, 41/42
    pengawas) or SIMPEG's text (`II.a`, `III.b`, `IV.a`, `IIIa`, `Eselon III/a`)."""
    text = eselon.astype("string").str.upper().str.replace(r"^\s*ESELON\s*", "", regex=True).str.strip()  # fmt: skip
    roman = text.str.extract(r"^(IV|V|I{1,3})(?![IVX])", expand=False).map(ESELON_ROMAN)
    level = roman.fillna(text.str[0])
    structural = np.select([level == "2", level == "3"], ["jpt", "administrator"], "pengawas")
    return pd.Series(np.select([jenis == "1", jenis.isin(["2", "3"])], [structural, "fungsional"], "pelaksana"), index=jenis.index)  # fmt: skip


def _assignments(exports: list[ExportFile], report: ImportReport, mapping: Mapping, units: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    rw, ledgers = _frame(exports, "riwayat_jabatan", report)
    rw = _repair_nips(rw, _names(employees), ledgers)  # else a phantom former employee
    rw = rw.assign(_start=dates(rw["TMT JABATAN"], rw["_ledger"]))
    rw = _account(rw, rw["_start"].isna(), ledgers, "TMT JABATAN is not a date")
    rw = _account(rw, ~is_nip(rw["NIP BARU"]), ledgers, "NIP is not 18 digits")  # fmt: skip
    ids = set(units["unit_id"])
    given, names = _column(rw, "UNOR ID"), _column(rw, "UNOR NAMA")
    unit = given.where(given.notna(), _unit_by_name(names, units))
    report.evidence["riwayat rows whose unit id is in the unor tree"] = int(given.isin(ids).sum())
    report.evidence["riwayat rows with no unit id, matched to the one unit of their name"] = int((given.isna() & unit.notna()).sum())  # fmt: skip
    for old in sorted(set(given.dropna()) - ids):
        guess = _unit_by_name(names[given == old].dropna().head(1), units)
        unit[given == old] = mapping.decide("unit_successor", old, suggestion=guess.iloc[0] if len(guess) and pd.notna(guess.iloc[0]) else None)  # fmt: skip
    rw = rw.assign(_unit=unit)
    report.evidence["riwayat rows whose unit id was mapped to a successor"] = int((unit.isin(ids) & given.notna() & ~given.isin(ids)).sum())  # fmt: skip
    report.evidence["riwayat rows whose unit matched nothing"] = int((~unit.isin(ids)).sum())
    rw = _account(rw, given.isna() & ~unit.isin(ids), ledgers, "no unit id, and no unit or several bear its unit name")  # fmt: skip
    rw = _account(
        rw, ~rw["_unit"].isin(ids), ledgers, "unit id not in the unor tree and no successor mapped"
    )
    rw = rw.sort_values(["NIP BARU", "_start"], kind="stable")
    rw = _account(
        rw, rw.duplicated(["NIP BARU", "_start", "_unit"]), ledgers, "duplicate row", how="merge"
    )
    # two units from one date: a spell would end the day before it began
    rw = _account(rw, rw.duplicated(["NIP BARU", "_start"], keep="last"), ledgers, "another unit from the same TMT (the file's later row kept)")  # fmt: skip
    same_unit = (rw["NIP BARU"] == rw["NIP BARU"].shift()) & (rw["_unit"] == rw["_unit"].shift())
    given = _column(rw, "JENIS JABATAN ID")
    jenis = _jenis_code(given)
    report.evidence[UNKNOWN_JENIS] = int((jenis.eq("") & given.notna()).sum())
    jenis = jenis.replace("", "4")
    title = _position_names(rw, jenis)
    rw = rw.assign(_title=title)
    # A renaming row (same unit, new title, no move) continues the spell under its new name.
    rw["_title"] = rw.groupby((~same_unit).cumsum())["_title"].transform("last")
    rw = _account(
        rw, same_unit, ledgers, "renaming without a move (merged into the spell)", how="merge"
    )
    _keep(rw, ledgers)
    nxt = rw.groupby("NIP BARU")["_start"].shift(-1)
    out = pd.DataFrame({
        "nip": rw["NIP BARU"], "unit_id": rw["_unit"], "position_title": rw["_title"].fillna("Pelaksana"),
        "position_type": _position_type(jenis.loc[rw.index], rw.get("ESELON ID", pd.Series("99", index=rw.index))),
        "start_date": rw["_start"], "end_date": nxt - pd.Timedelta(days=1),
    }).reset_index(drop=True)  # fmt: skip
    # Staff in Data ASN with no riwayat at all get their current spell from Data ASN.
    current = employees[employees["status"].isin(CURRENT) & ~employees["nip"].isin(set(out["nip"]))]
    report.evidence["current employees in Data ASN with no riwayat"] = len(current)
    current = current.assign(_unit=current["_unit"].where(current["_unit"].notna(), _unit_by_name(current["_unit_name"], units)))  # fmt: skip
    current = current[current["_unit"].isin(ids) & current["_tmt"].notna()]
    if len(current):
        report.notes.append(f"{len(current)} current employee(s) had no riwayat jabatan: their current spell is taken from Data ASN")  # fmt: skip
        out = pd.concat([out, pd.DataFrame({"nip": current["nip"], "unit_id": current["_unit"],
                         "position_title": "Pelaksana", "position_type": "pelaksana",
                         "start_date": current["_tmt"], "end_date": pd.NaT})], ignore_index=True)  # fmt: skip
    return out


def _from_nip(nip: str) -> dict[str, object]:
    """What a NIP itself says (`features.nip`): birth date, TMT and, for a PNS, sex."""
    born, start = nip_birth_date(nip), nip_service_start(nip)
    return {"birth_date": pd.Timestamp(born) if born else pd.NaT,
            "service_start": pd.Timestamp(start) if start else pd.NaT, "sex": nip_sex(nip)}  # fmt: skip


def _former_staff(employees: pd.DataFrame, assignments: pd.DataFrame, report: ImportReport) -> pd.DataFrame:  # fmt: skip
    """People in the riwayat with no employee row (retirees, leavers): rows built from the
    NIP, so their history stays training data."""
    known = set(employees["nip"])
    missing = sorted(set(assignments["nip"]) - known)
    report.evidence["people in the riwayat with no Data ASN or pemberhentian row"] = len(missing)
    if missing:
        report.notes.append(f"{len(missing)} former employee(s) appear only in the histories: added with status berhenti, birth date, sex and TMT CPNS read from the NIP")  # fmt: skip
        rows = pd.DataFrame([{"nip": n, "status": "berhenti", **_from_nip(n)} for n in missing])  # fmt: skip
        employees = pd.concat([employees, rows], ignore_index=True)
    return _filled_from_nip(
        employees
    )  # no name is made up: the contract needs one of current staff only


def _filled_from_nip(employees: pd.DataFrame) -> pd.DataFrame:
    """Birth date, TMT and (a PNS's) sex read from the NIP where no cell gave them (a former
    employee's missing row, a Data ASN cell gone wrong); the NIP read only where one lacks."""
    columns = [c for c in ("birth_date", "service_start", "sex") if c in employees]
    lacking = employees[columns].isna().any(axis=1)
    from_nip = employees.loc[lacking, "nip"].map(_from_nip)
    for column in columns:
        employees[column] = employees[column].fillna(from_nip.map(lambda d, c=column: d[c]))
    return employees


def _unit_in_year(assignments: pd.DataFrame, keys: pd.DataFrame) -> pd.Series:
    """The unit each (nip, year) in `keys` worked in on 1 July, else the one it worked in
    longest that year; None when no spell overlaps the year."""
    far = pd.Timestamp("2262-01-01")
    spans = assignments.assign(end=assignments["end_date"].fillna(far))
    joined = keys.reset_index().merge(spans, left_on="NIP BARU", right_on="nip", how="left")
    first = pd.to_datetime(joined["_year"].astype(int).astype(str) + "-01-01")
    last = first + pd.offsets.YearEnd(0)
    overlap = (joined["end"].clip(upper=last) - joined["start_date"].clip(lower=first)).dt.days
    joined = joined.assign(_overlap=overlap.where(overlap >= 0))
    best = joined.dropna(subset=["_overlap"]).sort_values("_overlap").groupby("index").last()
    return best["unit_id"].reindex(keys.index)


def _evaluations(exports: list[ExportFile], report: ImportReport, assignments: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    known = _names(employees)
    parts = []
    for kind in ("skp_numeric", "skp_predikat"):
        frame, ledgers = _frame(exports, kind, report)
        if not len(frame):
            continue
        frame = _repair_nips(frame, known, ledgers)
        frame = _account(frame, ~frame["NIP BARU"].isin(list(known)), ledgers, "NIP of no known employee (Excel-mangled past repair, or no history)")  # fmt: skip
        frame = frame.assign(_year=numbers(frame["TAHUN"]))
        year = frame["_year"].between(1900, dt.date.today().year + 1) & (frame["_year"] % 1 == 0)
        frame = _account(frame, ~year.fillna(False), ledgers, "TAHUN is not a year (1900 to next year)")  # fmt: skip
        if kind == "skp_numeric":
            frame = frame.assign(score=numbers(frame["NILAI PRESTASI KERJA"]))
            frame = _account(
                frame,
                ~frame["score"].between(0, 100).fillna(False),
                ledgers,
                "nilai is not a number 0-100",
            )
            twice = frame.duplicated(["NIP BARU", "_year"], keep="first")
            frame["score"] = frame.groupby(["NIP BARU", "_year"])["score"].transform("mean").round(2)  # fmt: skip
            frame = _account(frame, twice, ledgers, "second period of the year (merged by mean)", how="merge")  # fmt: skip
        else:
            frame = frame.assign(
                rating_hasil_kerja=_read_as(_column(frame, "HASIL KERJA"), RATING),
                rating_perilaku_kerja=_read_as(_column(frame, "PERILAKU KERJA"), RATING),
                predikat=_read_as(_column(frame, "KUADRAN"), KUADRAN),
            )  # fmt: skip
            unread = sum(int((_column(frame, column).notna() & frame[rating].isna()).sum()) for column, rating in (("HASIL KERJA", "rating_hasil_kerja"), ("PERILAKU KERJA", "rating_perilaku_kerja")))  # fmt: skip
            report.evidence[UNREAD_RATINGS] = report.evidence.get(UNREAD_RATINGS, 0) + unread
            frame = _account(
                frame, frame["predikat"].isna(), ledgers, "kuadran kinerja not a predikat"
            )
            frame = _account(frame, frame.duplicated(["NIP BARU", "_year"]), ledgers, "(nip, year) twice", how="merge")  # fmt: skip
        frame = frame.assign(unit_id=_unit_in_year(assignments, frame[["NIP BARU", "_year"]]))
        underived = frame["unit_id"].isna()
        report.evidence["evaluations whose unit could not be derived"] = report.evidence.get("evaluations whose unit could not be derived", 0) + int(underived.sum())  # fmt: skip
        frame = _account(frame, underived, ledgers, "no assignment in that year to take the unit from")  # fmt: skip
        _keep(frame, ledgers)
        parts.append(frame)
    if not parts:
        raise ValueError("no SKP file found: nothing to learn from")
    merged = pd.concat(parts, ignore_index=True)
    keep = [
        c
        for c in ("score", "predikat", "rating_hasil_kerja", "rating_perilaku_kerja")
        if c in merged
    ]
    merged = merged.groupby(["NIP BARU", "_year"], as_index=False).agg({"unit_id": "first", **{c: "first" for c in keep}})  # fmt: skip
    return merged.rename(columns={"NIP BARU": "nip", "_year": "period"}).astype({"period": int})


def _close_former(assignments: pd.DataFrame, employees: pd.DataFrame, evaluations: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """A former employee's last spell ends when they left (pemberhentian), else at the end
    of their last evaluated year, never before it began."""
    former = employees[~employees["status"].isin(CURRENT)].set_index("nip")
    last_open = assignments["end_date"].isna() & assignments["nip"].isin(former.index)
    if not last_open.any():  # none (no employee kept at all: the report and contract say why)
        return assignments
    left = assignments.loc[last_open, "nip"].map(
        former.get("_left", pd.Series(dtype="datetime64[ns]"))
    )
    year = assignments.loc[last_open, "nip"].map(evaluations.groupby("nip")["period"].max())
    year_end = pd.to_datetime(year.astype("Int64").astype("string") + "-12-31", errors="coerce")
    end = (left - pd.Timedelta(days=1)).fillna(year_end)
    assignments.loc[last_open, "end_date"] = end.where(end >= assignments.loc[last_open, "start_date"], assignments.loc[last_open, "start_date"])  # fmt: skip
    return assignments


def _competencies(exports: list[ExportFile], report: ImportReport, employees: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    sheet, ledgers = _frame(exports, "asesmen", report)
    if not len(sheet):
        return pd.DataFrame()
    known = _names(employees)
    sheet = _repair_nips(sheet, known, ledgers)
    sheet = _account(
        sheet, ~sheet["NIP BARU"].isin(list(known)), ledgers, "NIP of no known employee"
    )
    sheet = sheet.assign(_on=dates(sheet["TANGGAL ASESMEN"], sheet["_ledger"]))
    sheet = _account(sheet, sheet["_on"].isna(), ledgers, "TANGGAL ASESMEN is not a date")
    columns = [c for c in sheet.columns if c in COMPETENCY]
    long = sheet.melt(
        id_vars=["NIP BARU", "_on", "_ledger"], value_vars=columns, var_name="c", value_name="level"
    )
    given = long["level"].notna()
    long = long.assign(level=_levels(long["level"]))
    valid = long["level"].isin([1, 2, 3, 4, 5])
    if (~valid & given).any():
        report.notes.append(f"{int((~valid & given).sum())} assessment cell(s) not a level 1-5 left out")  # fmt: skip
    _keep(sheet, ledgers)
    long = long[valid]
    return pd.DataFrame({"nip": long["NIP BARU"], "assessed_on": long["_on"],
                         "competency": long["c"].map(COMPETENCY), "level": long["level"].astype(int)})  # fmt: skip


def _trainings(exports: list[ExportFile], report: ImportReport, mapping: Mapping, employees: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    tr, ledgers = _frame(exports, "diklat", report)
    if not len(tr):
        return pd.DataFrame()
    tr = _repair_nips(tr, _names(employees), ledgers)
    tr = _account(
        tr, ~tr["NIP BARU"].isin(set(employees["nip"])), ledgers, "NIP of no known employee"
    )
    # hours as a SIMPEG writes them too: `32 JP` (jam pelajaran), `40 Jam`
    written = _column(tr, "JUMLAH JAM").astype("string").str.replace(r"(?i)\s*(?:JPL?|JAM)\.?$", "", regex=True)  # fmt: skip
    tr = tr.assign(_on=dates(tr["TANGGAL SELESAI"], tr["_ledger"]), _hours=numbers(written))
    tr = _account(tr, tr["_on"].isna(), ledgers, "TANGGAL SELESAI is not a date")
    tr = _account(tr, ~(tr["_hours"] > 0).fillna(False), ledgers, "JUMLAH JAM is not a positive number")  # fmt: skip
    _keep(tr, ledgers)
    domain = [mapping.decide("course_domain", str(t), fallback="umum") for t in tr["NAMA DIKLAT"]]
    return pd.DataFrame({"nip": tr["NIP BARU"], "completed_on": tr["_on"], "domain": domain,
                         "hours": tr["_hours"], "title": tr["NAMA DIKLAT"]})  # fmt: skip


def _levels(values: pd.Series) -> pd.Series:
    """A competency's level as a recap writes it: `3`, `3,00`, `Level 3`, `III` -> 3.0 (NaN
    where none)."""
    text = values.astype("string").str.upper().str.replace(r"^\s*LEVEL\s*", "", regex=True).str.strip()  # fmt: skip
    roman = text.map({"I": 1.0, "II": 2.0, "III": 3.0, "IV": 4.0, "V": 5.0})
    return numbers(text).fillna(roman)


def _severity(hd: pd.DataFrame) -> pd.Series:
    """Ringan, sedang or berat: the tingkat's code or word (R / RINGAN), else the jenis
    hukuman (its SIASN id or name: `SEVERITY_BY_JENIS`), else the tingkat column's or the
    jenis's wording by `SEVERITY_BY_NAME`; None where none says."""
    tingkat = _column(hd, "TINGKAT HUKUMAN").astype("string").str.strip().str.upper()
    jenis = _column(hd, "JENIS HUKUMAN NAMA").astype("string").str.strip().str.upper()
    named = tingkat.fillna(jenis)
    by_name = _worded(named, SEVERITY_BY_NAME)
    return tingkat.map(SEVERITY).astype(object).fillna(jenis.map(SEVERITY_BY_JENIS)).fillna(by_name)


def _discipline(exports: list[ExportFile], report: ImportReport, employees: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    hd, ledgers = _frame(exports, "hukdis", report)
    if not len(hd):
        return pd.DataFrame()
    hd = _repair_nips(hd, _names(employees), ledgers)
    hd = hd.assign(_on=dates(hd["TMT HUKUMAN"], hd["_ledger"]), _sev=_severity(hd))
    hd = _account(
        hd, ~hd["NIP BARU"].isin(set(employees["nip"])), ledgers, "NIP of no known employee"
    )
    hd = _account(
        hd, hd["_on"].isna() | hd["_sev"].isna(), ledgers, "date or tingkat hukuman unreadable"
    )
    _keep(hd, ledgers)
    return pd.DataFrame({"nip": hd["NIP BARU"], "decided_on": hd["_on"], "severity": hd["_sev"]})


def _kpis(exports: list[ExportFile], report: ImportReport, units: pd.DataFrame) -> pd.DataFrame:
    skm, ledgers = _frame(exports, "skm", report)
    if not len(skm):
        return pd.DataFrame()
    ids = units.groupby(_name_key(units["unit_name"]))["unit_id"].agg(list)
    skm = skm.assign(_name=_unit_named(skm))
    matches = skm["_name"].map(ids)
    report.evidence |= {"SKM rows matched to a unit by name": int((matches.map(len, na_action="ignore") == 1).sum()),
                        "SKM rows matched to no unit or to several": int((matches.map(len, na_action="ignore") != 1).sum())}  # fmt: skip
    skm = _account(skm, matches.isna(), ledgers, "unit name not in the unor tree")
    matches = skm["_name"].map(ids)
    skm = _account(
        skm, matches.map(len) > 1, ledgers, "unit name not unique (several units bear it)"
    )
    skm = skm.assign(_period=numbers(skm["TAHUN"]))
    year = skm["_period"].between(1900, dt.date.today().year + 1) & (skm["_period"] % 1 == 0)
    skm = _account(skm, ~year.fillna(False), ledgers, "TAHUN is not a year (1900 to next year)")
    _keep(skm, ledgers)
    ikm, wait = numbers(skm["IKM"]), numbers(_column(skm, "RATA-RATA WAKTU TUNGGU"))
    off = (~ikm.between(0, 100) & ikm.notna()) | (wait < 0).fillna(False)
    report.evidence["SKM IKM outside 0-100 or waiting times below 0 (left empty)"] = int(off.sum())
    given = _column(skm, "JUMLAH PENGADUAN")
    complaints = counts(given)
    report.evidence["SKM complaints that are no whole count (left empty)"] = int((given.notna() & complaints.isna()).sum())  # fmt: skip
    return pd.DataFrame({
        "unit_id": skm["_name"].map(ids).str[0], "period": skm["_period"].astype("Int64"),
        "ikm": ikm.where(ikm.between(0, 100)), "complaints": complaints,
        "avg_wait_minutes": wait.where(wait >= 0),
    })  # fmt: skip
