"""The meeting's paper: the berita acara of a round, printable, in Indonesian.

Each move of the round as it was shown (from, to, the expected gain and the probability that
it helps, the model version that suggested it) with every decision recorded on it: stage,
decision, reason (its label from the vocabulary), note, who recorded it and when (WITA).
Moves nobody decided yet say so. NIPs, not names: the paper leaves the building.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from features.formats import id_number, wita
from oversight.reasons import REASON_BY_CODE, STAGE_LABELS, STAGES, VERDICT_LABELS, signed_as
from oversight.store import DecisionStore
from training.outputs import write_atomic

STYLE = """
body { font-family: serif; margin: 2cm; font-size: 11pt; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #444; padding: 4px; vertical-align: top; }
th { background: #eee; } .muted { color: #555; } .sign { margin-top: 3cm; display: flex; justify-content: space-between; }
@media print { body { margin: 1cm; } }
"""
# a page that serves the paper names this hash in its Content-Security-Policy (no inline
# style runs otherwise)
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
TEMPLATE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Berita acara {{ round_id }}</title>
<style>@STYLE@</style></head><body>
<h1>Berita Acara Pertimbangan Usulan Mutasi</h1>
<p>Putaran <strong>{{ round_id }}</strong>, tanggal data {{ as_of }}; model {{ models }}.
Dicetak {{ printed }} WITA.</p>
<p>Usulan dalam berita acara ini disusun oleh sistem Penataan sebagai saran. Keputusan
ditetapkan oleh Baperjakat dan Pejabat Pembina Kepegawaian, setelah dibicarakan dengan pegawai
yang bersangkutan.</p>
<p>{{ moves|length }} usulan; {{ decided }} telah diputuskan PPK; {{ pending }} belum diputuskan.</p>
<table>
<tr><th>No</th><th>NIP</th><th>Dari unit</th><th>Ke unit</th><th>Perkiraan</th>{% for stage in stages %}<th>{{ stage_labels[stage] }}</th>{% endfor %}</tr>
{% for m in moves %}<tr>
<td>{{ loop.index }}</td><td>{{ m.nip }}</td><td>{{ m.from_name }}</td><td>{{ m.to_name }}</td>
<td>{{ m.gain }} poin; peluang membantu {{ m.p_help }}</td>
{% for stage in stages %}<td>{% for d in m.by_stage[stage] %}<strong>{{ d.verdict }}</strong>: {{ d.reason }}{% if d.note %}<br>Catatan: {{ d.note }}{% endif %}{% if d.alt_unit %}<br>Unit: {{ d.alt_unit }}{% endif %}{% if d.signed %}<br>{{ d.signed }}{% endif %}<br><span class="muted">{{ d.by }}, {{ d.at }}</span>{% if not loop.last %}<hr>{% endif %}{% else %}<span class="muted">belum diputuskan</span>{% endfor %}</td>{% endfor %}
</tr>{% endfor %}
</table>
<div class="sign"><div>Ketua Baperjakat<br><br><br><br>(.................................)</div>
<div>Sekretaris Baperjakat<br><br><br><br>(.................................)</div></div>
</body></html>
""".replace("@STYLE@", STYLE)


def unit_label(unit_id: str | None, names: Mapping[str, str]) -> str | None:
    """An `ubah`'s unit as the round page and the berita acara show it: `name (id)` where
    `names` has it, else its id (None: no unit)."""
    return f"{names[unit_id]} ({unit_id})" if unit_id is not None and unit_id in names else unit_id


def minutes_html(
    store: DecisionStore, round_id: str, names: Mapping[str, str] | None = None
) -> str:
    """The berita acara of `round_id`; raises if the record holds no such round. `names`
    (unit id -> name, where the caller has the data) names the unit an `ubah` decided
    instead, beside its id; without them, its id alone."""
    names = names or {}
    shown = store.round_shown(round_id)
    moves = []
    for move in shown:
        snap = move["snapshot"]
        by_stage: dict[str, list[dict[str, Any]]] = {stage: [] for stage in STAGES}
        for d in move["decisions"]:
            reason = REASON_BY_CODE.get(d["reason_code"])
            by_stage[d["stage"]].append({
                "verdict": VERDICT_LABELS.get(d["decision"], d["decision"]),
                "reason": reason.label if reason else d["reason_code"], "note": d["note"],
                "alt_unit": unit_label(d["alt_unit_id"], names),
                "signed": signed_as(d),
                "by": d["decided_by"], "at": wita(d["at"]),
            })  # fmt: skip
        moves.append({
            "nip": move["nip"], "from_name": snap.get("from_unit_name") or move["from_unit_id"],
            "to_name": snap.get("to_unit_name") or move["to_unit_id"],
            "gain": id_number(snap.get("gain"), 2, sign=True, none="-"), "p_help": f"{100 * float(snap.get('p_help') or 0):.0f}%" + (" (uji coba: belum teruji oleh hasil di instansi ini)" if snap.get("pilot") else ""),
            "by_stage": by_stage, "final": any(d["decision"] != "tunda" for d in move["decisions"] if d["stage"] == "ppk"),
        })  # fmt: skip
    decided = sum(m["final"] for m in moves)
    env = Environment(autoescape=select_autoescape(default=True))
    return env.from_string(TEMPLATE).render(
        round_id=round_id, as_of=shown[0]["as_of"], moves=moves, decided=decided,
        pending=len(moves) - decided, stages=STAGES, stage_labels=STAGE_LABELS,
        models=", ".join(sorted({f"{m['model_name']} v{m['model_version']}" for m in shown})),
        printed=wita(),
    )  # fmt: skip


def write_minutes(store: DecisionStore, round_id: str, out: Path) -> Path:
    """Write the berita acara whole or not at all."""
    html = minutes_html(store, round_id)
    return write_atomic(out, lambda p: p.write_text(html, encoding="utf-8"))
