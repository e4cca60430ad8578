"""What people decide and why: the stages, the decisions and a versioned reason vocabulary.

By law Baperjakat reviews and the PPK decides (PP 11/2017 as amended by PP 17/2020; the
BKPSDM's HR staff prepare): a suggestion passes the stages in order, `ppk` is final. A reason
is a code with an Indonesian label, so that minutes and a keberatan (PP 79/2021) can quote
it; rejecting or changing a suggestion needs a note as well (UU 27/2022 Pasal 10: a person
may object to an automated decision, so the human reasons must be on record).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

Stage = Literal["hr", "baperjakat", "ppk"]
Verdict = Literal["setuju", "tolak", "ubah", "tunda"]
STAGES: Final[tuple[Stage, ...]] = ("hr", "baperjakat", "ppk")
FINAL: Final[Stage] = "ppk"
STAGE_LABELS: Final[dict[str, str]] = {"hr": "Bidang mutasi BKPSDM", "baperjakat": "Baperjakat", "ppk": "Pejabat Pembina Kepegawaian"}  # fmt: skip
VERDICT_LABELS: Final[dict[str, str]] = {"setuju": "Setuju", "tolak": "Tolak", "ubah": "Ubah (unit lain)", "tunda": "Tunda"}  # fmt: skip
# the same on a page read in English, the record's word beside it (what the minutes print)
STAGE_LABELS_EN: Final[dict[str, str]] = {"hr": "BKPSDM transfers division (bidang mutasi)", "baperjakat": "Baperjakat (the placement committee)", "ppk": "Pejabat Pembina Kepegawaian (the appointing official)"}  # fmt: skip
VERDICT_LABELS_EN: Final[dict[str, str]] = {"setuju": "Approve (setuju)", "tolak": "Reject (tolak)", "ubah": "Another unit (ubah)", "tunda": "Defer (tunda)"}  # fmt: skip
NEEDS_NOTE: Final[frozenset[str]] = frozenset({"tolak", "ubah"})
APPROVALS: Final[tuple[str, ...]] = ("setuju", "ubah")  # a final one of these is a move to make
VERSION: Final[str] = "2026-12"


@dataclass(frozen=True)
class Reason:
    code: str
    label: str  # Indonesian, as the minutes print it
    label_en: str
    verdicts: frozenset[str]


REASONS: Final[tuple[Reason, ...]] = (
    Reason("sesuai_kompetensi", "Sesuai kualifikasi, kompetensi dan kinerja pegawai", "Fits the employee's qualifications, competencies and performance", frozenset({"setuju"})),
    Reason("kebutuhan_organisasi", "Sesuai kebutuhan organisasi (ABK/formasi)", "Meets the organisation's needs (ABK/formasi)", frozenset({"setuju", "ubah"})),
    Reason("unit_lain_lebih_sesuai", "Unit lain lebih sesuai", "Another unit fits better", frozenset({"ubah"})),
    Reason("dibutuhkan_unit_asal", "Masih dibutuhkan di unit asal", "Still needed in the current unit", frozenset({"tolak", "tunda"})),
    Reason("belum_memenuhi_syarat", "Belum memenuhi syarat jabatan", "Does not yet meet the position's requirements", frozenset({"tolak"})),
    Reason("pertimbangan_pribadi", "Pertimbangan pribadi atau keluarga pegawai", "The employee's personal or family circumstances", frozenset({"tolak", "tunda", "ubah"})),
    Reason("data_tidak_akurat", "Data pendukung tidak akurat", "The supporting data is inaccurate", frozenset({"tolak", "tunda"})),
    Reason("menunggu_formasi", "Menunggu formasi atau anggaran", "Waiting for formasi or budget", frozenset({"tunda"})),
    Reason("menunggu_klarifikasi", "Menunggu klarifikasi pegawai atau atasan", "Waiting for the employee's or superior's clarification", frozenset({"tunda"})),
    Reason("lainnya", "Lainnya (lihat catatan)", "Other (see the note)", frozenset({"setuju", "tolak", "ubah", "tunda"})),
)  # fmt: skip
REASON_BY_CODE: Final[dict[str, Reason]] = {r.code: r for r in REASONS}


def labels(lang: str) -> dict[str, dict[str, str]]:
    """The record's stages, decisions and reasons as a page in `lang` names them: `id` as the
    minutes print them, else in English (an English page said "Setuju" and "Bidang mutasi
    BKPSDM" beside English words, its reasons already in English)."""
    english = lang != "id"
    return {
        "stage_labels": STAGE_LABELS_EN if english else STAGE_LABELS,
        "verdicts": VERDICT_LABELS_EN if english else VERDICT_LABELS,
        "reason_labels": {r.code: r.label_en if english else r.label for r in REASONS},
    }


def takes_effect(decision: Mapping[str, Any]) -> str | None:
    """When a recorded decision's move takes effect: its TMT on an approval (`setuju`,
    `ubah`). A refusal's or deferral's TMT is only the date its paper carried down the
    column (`decision_problems`): shown beside it, it read as a move made."""
    return decision["tmt"] if decision["decision"] in APPROVALS else None


def signed_as(decision: Mapping[str, Any], sep: str = ", ") -> str:
    """A recorded decision's SK and the TMT its move takes effect from (`takes_effect`), as
    the round page (`sep` " · "), the berita acara and the keberatan explanation write them;
    "" without either."""
    parts = [f"SK {decision['sk_number']}"] if decision["sk_number"] else []
    if effective := takes_effect(decision):
        parts.append(f"TMT {effective}")
    return sep.join(parts)


def decision_problems(
    decision: str, reason_code: str, note: str | None = None, alt_unit_id: str | None = None,
    sk_number: str | None = None, tmt: str | None = None,
) -> list[tuple[str, str]]:  # fmt: skip
    """The rules one decision keeps by itself, before any record is read: `(field, what is
    wrong)` for each it breaks. One list for the store, which refuses the first, and for a
    committee's paper, which names every row's before it records any (the paper kept its
    own copy, which had drifted: a `setuju` naming a unit instead was found only at write
    time, the rows above it already recorded). An SK is signed for a move made: on a
    `tolak` or a `tunda` the record would say both that it was and that it was not. A TMT
    there is kept: a paper carries the round's planned date down its column, and a PPK
    turning one row into a refusal leaves it (nothing reads a TMT but an approval's)."""
    found = []
    if decision not in VERDICT_LABELS:
        found.append(("decision", f"{decision!r} is not one of {', '.join(VERDICT_LABELS)}"))
    elif reason_code not in REASON_BY_CODE or decision not in REASON_BY_CODE[reason_code].verdicts:
        fits = ", ".join(r.code for r in REASONS if decision in r.verdicts)
        found.append(("reason_code", f"{reason_code!r} does not fit {decision!r} (one of: {fits})"))
    if decision in NEEDS_NOTE and not (note or "").strip():
        found.append(("note", f"a note is required to record {decision!r}"))
    if decision == "ubah" and not (alt_unit_id or "").strip():
        found.append(("alt_unit_id", "ubah names the unit decided instead"))
    if decision != "ubah" and alt_unit_id:  # the record would say one unit, the move another
        found.append(("alt_unit_id", f"a unit instead is for ubah only; {decision!r} keeps the one suggested"))  # fmt: skip
    if sk_number and decision in VERDICT_LABELS and decision not in APPROVALS:
        found.append(("sk_number", f"an SK is for a move decided (setuju, ubah); {decision!r} moves no one"))  # fmt: skip
    if tmt:
        try:
            dt.date.fromisoformat(tmt)
        except ValueError:
            found.append(("tmt", f"{tmt!r} is not a date (YYYY-MM-DD)"))
    return found
