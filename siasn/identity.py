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

import pandas as pd

from features.contract.schema import NIP_PATTERN
from features.nip import PRINTED_NIP, PRINTED_SEPARATOR
from siasn.files import ExportFile
from siasn.report import ImportReport


def is_nip(values: pd.Series) -> pd.Series:
    """Which values are NIPs by the contract's pattern, 18 digits (empty: not one)."""
    return values.astype("string").str.fullmatch(NIP_PATTERN).fillna(False)


def _ids(values: pd.Series) -> pd.Series:
    """PNS IDs compared as SIASN writes them (hexadecimal, either case)."""
    return values.astype("string").str.strip().str.upper()


def nips_by_pns_id(exports: list[ExportFile]) -> dict[str, str]:
    """PNS ID -> NIP from every file that carries both, Data ASN's first (the id's owner of
    record), then in file order; an id is given the first NIP seen for it."""
    ordered = sorted(exports, key=lambda e: e.kind != "data_asn")
    known: dict[str, str] = {}
    for export in ordered:
        frame = export.frame
        if "PNS ID" not in frame or "NIP BARU" not in frame:
            continue
        pairs = pd.DataFrame({"id": _ids(frame["PNS ID"]), "nip": frame["NIP BARU"]}).dropna()
        pairs = pairs[is_nip(pairs["nip"])]
        for pns_id, nip in zip(pairs["id"], pairs["nip"], strict=True):
            known.setdefault(str(pns_id), str(nip))
    return known


def printed_nips(values: pd.Series) -> pd.Series:
    """NIPs written in their printed groups (`19850312 201001 1 001`, `19850312.201001.1.001`)
    as their 18 digits; any other value as it is."""
    text = values.astype("string")
    digits = text.str.replace(PRINTED_SEPARATOR, "", regex=True)
    grouped = text.str.fullmatch(PRINTED_NIP).fillna(False)
    return values.where(~grouped, digits.astype(object))


def _digits(export: ExportFile) -> ExportFile:
    """The export with its printed NIPs as digits; the same object where it has none (a
    province's riwayat is not copied for nothing)."""
    if "NIP BARU" not in export.frame:
        return export
    nips = printed_nips(export.frame["NIP BARU"])
    if nips.equals(export.frame["NIP BARU"]):
        return export
    return dataclasses.replace(export, frame=export.frame.assign(**{"NIP BARU": nips}))


def with_nips(exports: list[ExportFile], report: ImportReport) -> list[ExportFile]:
    """Each file's rows with their NIP as 18 digits (`printed_nips`), and the NIP their
    PNS ID stands for where the row has none of its own; counted in the report's evidence
    (rows given a NIP, rows whose id no file names: those stay without one and are
    dropped, counted, where their table is built)."""
    exports = [_digits(e) for e in exports]
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
