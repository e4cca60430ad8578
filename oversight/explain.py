"""An explanation on request: for a suggestion and what people decided on it, in plain
Indonesian, what an employee filing a keberatan (PP 79/2021) is owed, and what the EU AI
Act's Art. 86 asks of a high-risk system: the system's part (a suggestion, decided by people),
the model version, the main factors in words, eligibility, and the human decision with its
reason. Built only from the record as shown, so it stays true after another model serves.
"""

from __future__ import annotations

from typing import Any

from features.formats import id_number
from oversight.reasons import REASON_BY_CODE, STAGE_LABELS, VERDICT_LABELS, signed_as


def _points(value: Any) -> str:
    return id_number(value, 2, sign=True, none="-")


def _factors(snap: dict[str, Any]) -> str:
    """The snapshot's explanation in words: its narrative, else its largest factors."""
    explanation = snap.get("explanation") or {}
    if explanation.get("narrative"):
        return str(explanation["narrative"])
    if snap.get("narrative"):
        return str(snap["narrative"])
    factors = sorted(explanation.get("factors", []), key=lambda f: -abs(f["contribution"]))[:3]
    return "; ".join(f"{f['label']} ({_points(f['contribution'])} poin)" for f in factors) or "-"


def explain(record: dict[str, Any]) -> str:
    """The explanation of `record` (`DecisionStore.suggestion`'s answer)."""
    snap = record["snapshot"]
    to_name = snap.get("unit_name") or snap.get("to_unit_name") or record["to_unit_id"]
    from_name = snap.get("from_unit_name") or record["from_unit_id"] or "-"
    gain_low = snap.get("gain_low", (snap.get("gain_interval") or {}).get("low"))
    gain_high = snap.get("gain_high", (snap.get("gain_interval") or {}).get("high"))
    p_help = snap.get("p_help", snap.get("probability_helps"))
    lines = [
        f"Penjelasan atas usulan {record['id']}",
        "",
        "Peran sistem. Penataan, sistem pendukung keputusan kepegawaian, mengusulkan agar pegawai "
        f"NIP {record['nip']} ditempatkan di {to_name} (unit sekarang: {from_name}), berdasarkan data "
        f"per {record['as_of']} dan model {record['model_name']} versi {record['model_version']}. "
        "Usulan ini adalah saran: sistem tidak memutuskan apa pun; keputusan diambil oleh pejabat "
        "yang berwenang sebagaimana tercatat di bawah.",
        "",
        f"Perkiraan sistem. Manfaat yang diharapkan {_points(snap.get('gain'))} poin nilai kinerja "
        f"dibanding tetap di unit sekarang (rentang 80%: {_points(gain_low)} sampai {_points(gain_high)}); "
        + (f"peluang bahwa pemindahan ini benar-benar membantu {100 * float(p_help):.0f}%." if p_help is not None else "peluang membantu tidak tercatat."),
        "",
        f"Faktor utama. {_factors(snap)}",
        "",
    ]  # fmt: skip
    reasons = [r.get("reason", r) if isinstance(r, dict) else r for r in snap.get("ineligible_reasons") or []]  # fmt: skip
    if snap.get("eligible") is False:
        lines.append("Kelayakan. Tidak memenuhi syarat: " + "; ".join(map(str, reasons)) + ".")
    else:
        lines.append("Kelayakan. Memenuhi syarat mutasi yang diperiksa sistem (masa kerja, hukuman disiplin, pendidikan, batas usia pensiun).")  # fmt: skip
    lines += ["", "Keputusan."]
    if not record["decisions"]:
        lines.append("Belum ada keputusan yang tercatat.")
    for d in record["decisions"]:
        reason = REASON_BY_CODE.get(d["reason_code"])
        text = (f"{STAGE_LABELS.get(d['stage'], d['stage'])}: {VERDICT_LABELS.get(d['decision'], d['decision'])}, "
                f"alasan: {reason.label if reason else d['reason_code']}")  # fmt: skip
        if d["note"]:
            text += f"; catatan: {d['note']}"
        if d["alt_unit_id"]:
            text += f"; unit yang diputuskan: {d['alt_unit_id']}"
        if signed := signed_as(d):
            text += f"; {signed}"
        lines.append(f"- {text} (dicatat oleh {d['decided_by']}, {d['at']}).")
    lines += [
        "",
        "Hak pegawai. Pegawai dapat meminta penjelasan ini dan mengajukan keberatan atas "
        "keputusan Pejabat Pembina Kepegawaian sesuai PP 79/2021, serta menolak keputusan yang "
        "semata-mata didasarkan pada pemrosesan otomatis (UU 27/2022 Pasal 10).",
    ]
    return "\n".join(lines)
