"""Who a row is about, when an export names people by SIASN's PNS ID instead of their NIP.

SIASN's API keys several histories by its own id of a person, never by NIP: rw-skp
(`pns`), rw-skp22 (`pnsDinilaiId`), rw-hukdis and rw-pemberhentian (`pnsOrang`) (the
tables of `kanekescom/laravel-siasn-simpeg`, ../shared/real-exports.md R1). The same id is
the `PNS ID` of the Data ASN export and the `idPns` of rw-jabatan, beside the NIP. So each
file that carries both says which NIP an id belongs to, and a row that has only the id gets
the NIP from them; the contract keys people by NIP alone.

A NIP is also often written in its printed groups (`19850312 201001 1 001`, with spaces,
dots or dashes between them): read as its 18 digits.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd

from features.contract.schema import NIP_PATTERN
from features.nip import PRINTED_NIP, PRINTED_SEPARATOR
from siasn.files import ExportFile, first_filled
from siasn.kinds import KIND_BY_NAME, PERSON
from siasn.report import ImportReport

# a NIP Excel stored as a number: 15 significant digits kept, `000` where the sequence number
# was (a sequence begins at 001: no NIP ends in 000)
MANGLED = r"[0-9]{15}000"
# rows of a grouped report that name no one: read as the person's above them
GROUPED: Final = "NIP empty below a person's first row, as a grouped report prints it: the person's above"  # fmt: skip
GROUPED_SHARE: Final = 0.1  # of a file's rows that name no one, at least, to read it so
IDENTITY: Final = ("NIP BARU", "PNS ID", "NIP LAMA", "NAMA")  # what a grouped report prints once
# a NIP Excel shows as a number in a column formatted General, as a CSV saved from it writes
# it: in scientific notation, the decimal point a comma where Excel is set to Indonesian;
# `1,97001E+17` (6 digits shown, rounded) or `1.97001102011031E+17` (the 15 it keeps)
SCIENTIFIC = r"([1-9])[.,]([0-9]{1,14})[eE]\+17"


def is_nip(values: pd.Series) -> pd.Series:
    """Which values are NIPs by the contract's pattern, 18 digits (empty: not one)."""
    return values.astype("string").str.fullmatch(NIP_PATTERN).fillna(False)


def _ids(values: pd.Series) -> pd.Series:
    """PNS IDs compared as SIASN writes them (hexadecimal, either case); NA for a value that
    is no id, a cell gone wrong (`-`, `?`, a date): two files holding the same `-` would
    otherwise pair the one's rows with the other's person."""
    ids = values.astype("string").str.strip().str.upper()
    gone = ~ids.str.contains(r"[0-9A-Z]") | ids.str.fullmatch(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}")  # fmt: skip
    return ids.where(~gone.fillna(True))


def nips_by_pns_id(exports: list[ExportFile]) -> dict[str, str]:
    """PNS ID -> NIP from every file that carries both, Data ASN's first (the id's owner of
    record), then in file order; an id is given the first NIP seen for it, unless one file
    pairs it with several people (a placeholder, not an id: it pairs no one)."""
    ordered = sorted(exports, key=lambda e: e.kind != "data_asn")
    known: dict[str, str] = {}
    shared: set[str] = set()
    for export in ordered:
        frame = export.frame
        if "PNS ID" not in frame or "NIP BARU" not in frame:
            continue
        pairs = pd.DataFrame({"id": _ids(frame["PNS ID"]), "nip": frame["NIP BARU"]}).dropna()
        pairs = pairs[is_nip(pairs["nip"])]
        shared |= set(pairs.groupby("id")["nip"].nunique().loc[lambda n: n > 1].index)
        for pns_id, nip in zip(pairs["id"], pairs["nip"], strict=True):
            known.setdefault(str(pns_id), str(nip))
    return {pns_id: nip for pns_id, nip in known.items() if pns_id not in shared}


def printed_nips(values: pd.Series) -> pd.Series:
    """NIPs written in their printed groups (`19850312 201001 1 001`, `19850312.201001.1.001`)
    as their 18 digits; any other value as it is."""
    text = values.astype("string")
    digits = text.str.replace(PRINTED_SEPARATOR, "", regex=True)
    grouped = text.str.fullmatch(PRINTED_NIP).fillna(False)
    return values.where(~grouped, digits.astype(object))


def scientific_nips(values: pd.Series) -> pd.Series:
    """NIPs in scientific notation with the 15 digits Excel keeps (`1.97001102011031E+17`) as
    the 18 digits of a mangled NIP (`197001102011031000`: `MANGLED`, restored by the
    repairs that restore those); fewer digits shown (`1,97001E+17`) stay as they are, for
    `shown_digits` and a name to restore; any other value as it is."""
    parts = values.astype("string").str.strip().str.extract(f"^{SCIENTIFIC}$")
    whole = parts[1].str.len().eq(14).fillna(False)
    return values.where(~whole, (parts[0] + parts[1] + "000").astype(object))


def shown_digits(value: object) -> tuple[int, int] | None:
    """A NIP Excel showed with fewer than 15 digits (`1,97001E+17`): the number those digits
    make and how many there are; None for any other value."""
    found = re.fullmatch(SCIENTIFIC, str(value).strip())
    if not found or len(found[2]) >= 14:
        return None
    return int(found[1] + found[2]), 1 + len(found[2])


def by_shown(nips: Iterable[str], shown: int) -> dict[int, list[str]]:
    """NIPs by their first `shown` digits as Excel shows them (rounded half up)."""
    scale = 10 ** (18 - shown)
    out: dict[int, list[str]] = {}
    for nip in nips:
        out.setdefault((int(nip) + scale // 2) // scale, []).append(nip)
    return out


def _digits(export: ExportFile) -> ExportFile:
    """The export with its printed NIPs as digits and its NIPs in scientific notation with 15
    digits as mangled ones (`scientific_nips`); the same object where it has none (a
    province's riwayat is not copied for nothing)."""
    if "NIP BARU" not in export.frame:
        return export
    nips = scientific_nips(printed_nips(export.frame["NIP BARU"]))
    if nips.equals(export.frame["NIP BARU"]):
        return export
    return dataclasses.replace(export, frame=export.frame.assign(**{"NIP BARU": nips}))


def _grouped(export: ExportFile) -> ExportFile:
    """A history printed as a grouped report: the person's NIP (and name) on their first row
    only, the rows below it empty there, as a SIMPEG report prints a person's records, or as a
    sheet reads a NIP merged down over them. Read so, each such row is the person's above it
    (counted as repaired), where the file shows the layout: its first row names someone, at
    least `GROUPED_SHARE` of its rows name no one, and each person's rows lie together (the
    row above's NIP never reappears after another's). Elsewhere a row that names no one stays
    so, and is dropped, counted, where its table is built."""
    kind, frame = KIND_BY_NAME.get(export.kind or ""), export.frame
    keys = [c for c in PERSON if c in frame]
    if kind is None or PERSON not in kind.needs or kind.name == "data_asn" or not keys:
        return export
    lacking = frame[keys].isna().all(axis=1)
    if not lacking.any() or lacking.iloc[0] or lacking.mean() < GROUPED_SHARE:
        return export
    person = first_filled(frame, keys).ffill()  # its NIP, else its PNS ID, else the one above
    starts = person != person.shift()
    if person[starts].duplicated().any():  # someone's rows in two places: not grouped by person
        return export
    filled = {c: frame[c].where(~lacking, frame[c].ffill()) for c in IDENTITY if c in frame}
    repaired = (*export.repaired, (GROUPED, int(lacking.sum())))
    return dataclasses.replace(export, frame=frame.assign(**filled), repaired=repaired)


def with_nips(exports: list[ExportFile], report: ImportReport) -> list[ExportFile]:
    """Each file's rows with their NIP as 18 digits (`printed_nips`), a grouped report's rows
    with their person's (`_grouped`), and the NIP their
    PNS ID stands for where the row has none of its own; counted in the report's evidence
    (rows given a NIP, rows whose id no file names: those stay without one and are
    dropped, counted, where their table is built)."""
    exports = [_grouped(_digits(e)) for e in exports]
    known = nips_by_pns_id(exports)
    out: list[ExportFile] = []
    given = unknown = 0
    for export in exports:
        frame = export.frame
        if "PNS ID" not in frame or export.kind == "data_asn":
            out.append(export)
            continue
        own = frame["NIP BARU"] if "NIP BARU" in frame else pd.Series(None, index=frame.index)
        lacking = own.isna()
        if not lacking.any():  # every row has its NIP: nothing to give, nothing to copy
            out.append(export)
            continue
        from_id = _ids(frame["PNS ID"]).map(known)
        given += int((lacking & from_id.notna()).sum())
        unknown += int((lacking & from_id.isna()).sum())
        nip = own.astype(object).where(~lacking, from_id.astype(object))
        frame = frame.assign(**{"NIP BARU": nip.where(nip.notna(), None)})
        out.append(dataclasses.replace(export, frame=frame))
    if given or unknown:
        report.evidence["rows keyed by PNS ID given the NIP Data ASN or riwayat pair it with"] = given  # fmt: skip
        report.evidence["rows keyed by a PNS ID no file pairs with a NIP"] = unknown
    if unknown:
        report.notes.append(
            f"{unknown} row(s) name a person only by a PNS ID that no Data ASN, riwayat "
            "jabatan or pensiun row pairs with a NIP (someone of another instansi, or missing "
            "from Data ASN): left out as of no known employee"
        )
    return out


def by_first_15(nips: Iterable[str]) -> dict[str, list[str]]:
    """NIPs by the 15 digits Excel keeps of one stored as a number: what a mangled NIP
    (`MANGLED`) can be restored from, where its 15 digits are one NIP's."""
    out: dict[str, list[str]] = {}
    for nip in nips:
        out.setdefault(nip[:15], []).append(nip)
    return out


def restore_mangled(asn: pd.DataFrame, exports: list[ExportFile]) -> tuple[pd.Series, dict[int, str]]:  # fmt: skip
    """Data ASN's own NIPs where Excel stored them as numbers (`MANGLED`), restored from the
    NIPs the other exports carry, and per restored row (by position) the proof: the NIP its
    PNS ID is paired with in another export, where the first 15 digits agree; else the one
    NIP of the other exports with those 15 digits, where no other Data ASN row shares them.
    Unrestored, every current employee would be someone without a history, and the people
    the histories name former staff; two of them sharing 15 digits, one person."""
    others = [e.frame for e in exports if e.kind != "data_asn" and "NIP BARU" in e.frame]
    carried = pd.concat([f["NIP BARU"] for f in others]) if others else pd.Series(dtype=object)
    carried = carried[is_nip(carried)].astype(str)
    sound = set(carried[~carried.str.fullmatch(MANGLED)])
    by_prefix = by_first_15(sound)
    by_id: dict[str, str] = {}
    for frame in others:
        if "PNS ID" in frame:
            for pns_id, nip in zip(_ids(frame["PNS ID"]), frame["NIP BARU"], strict=True):
                if pd.notna(pns_id) and nip in sound:
                    by_id.setdefault(str(pns_id), str(nip))
    own = asn["NIP BARU"].astype("string")
    mangled = (own.str.fullmatch(MANGLED).fillna(False) & ~own.isin(sound)).to_numpy(bool)
    shared = own.duplicated(keep=False).to_numpy(bool)  # one mangled NIP for two people
    ids = _ids(asn["PNS ID"]) if "PNS ID" in asn else pd.Series(pd.NA, index=asn.index)
    fixed = asn["NIP BARU"].astype(object).copy()
    proofs: dict[int, str] = {}
    for i in np.flatnonzero(mangled):
        prefix = str(own.iloc[i])[:15]
        paired = by_id.get(str(ids.iloc[i])) if pd.notna(ids.iloc[i]) else None
        candidates = by_prefix.get(prefix, [])
        if paired is not None and paired[:15] == prefix:
            fixed.iloc[i], proofs[int(i)] = paired, "its PNS ID is paired with it in another export"
        elif not shared[i] and len(candidates) == 1:
            fixed.iloc[i], proofs[int(i)] = next(iter(candidates)), "its 15 digits are one NIP's of the other exports"  # fmt: skip
    return fixed, proofs
