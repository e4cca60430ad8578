"""The round's files: moves.csv, units.csv, summary.json and report.html for the meeting.

Nothing written here names a person or a protected attribute: employees appear by NIP.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from jinja2 import Environment, select_autoescape

from features.formats import id_number
from features.spreadsheet import Lists, guard_frame, write_workbook
from planning.run import DECISION_COLUMNS, MOVE_COLUMNS, UNIT_COLUMNS, PlanResult
from training.outputs import strict_json, write_all

FORM_TITLE = "usulan mutasi"  # the committee's paper's sheet, wherever it is written
PLAN_FILES = ("moves.csv", "moves.xlsx", "units.csv", "summary.json", "report.html")  # a round's

TEMPLATE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Rencana penataan {{ s.as_of }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; } .note { background: #fff6dd; padding: 0.8em; border-left: 4px solid #e0a800; }
tr.move td { border-bottom: none; } tr.why td { color: #444; padding: 0 6px 10px 2em; }
</style></head><body>
<h1>Rencana penataan pegawai (usulan), per {{ s.as_of }}</h1>
<p class="note">{{ s.advisory }}</p>
<h2>Ringkasan</h2>
<table>
<tr><th>Pegawai aktif</th><td class="n">{{ s.active_employees }}</td></tr>
<tr><th>Usulan mutasi</th><td class="n">{{ s.moves }} (batas {{ s.max_moves }}){% if s.pilot_moves %}, {{ s.pilot_moves }} di antaranya uji coba{% endif %}</td></tr>
<tr><th>Perkiraan kenaikan nilai kinerja (total)</th><td class="n">{{ s.total_predicted_gain|num(1, sign=True) }} poin</td></tr>
<tr><th>Rata-rata per mutasi</th><td class="n">{{ s.mean_predicted_gain|num(2, sign=True) }} poin</td></tr>
<tr><th>Dibanding cara greedy</th><td class="n">{{ s.greedy.moves }} mutasi, {{ s.greedy.total_predicted_gain|num(1, sign=True) }} poin (nilai tujuan {{ s.greedy.objective|num(1) }} vs {{ s.objective|num(1) }})</td></tr>
<tr><th>Pegawai yang sudah lewat 5 tahun dan dipindah</th><td class="n">{{ s.due_for_rotation_moved }}</td></tr>
<tr><th>Solver</th><td>{{ s.solver.name }}: {{ s.solver.status }}, {{ s.solver.seconds|num(2) }} s</td></tr>
{% if s.truth %}<tr><th>Kebenaran sintetis (evaluasi saja)</th><td class="n">{{ s.truth.true_gain|num(1, sign=True) }} poin (greedy {{ s.truth.greedy_true_gain|num(1, sign=True) }})</td></tr>{% endif %}
</table>
<h2>Perubahan perkiraan kinerja per unit</h2>
<img alt="perubahan rata-rata perkiraan nilai per unit" src="data:image/png;base64,{{ chart }}" style="max-width:100%">
<h2>Usulan mutasi</h2>
<p>Kenaikan adalah perkiraan yang sudah dikalibrasi pada mutasi nyata tahun terakhir (bukan
selisih mentah dua prediksi), dengan rentang 80% dan peluang mutasi itu benar-benar membantu.
Hanya mutasi yang disarankan yang boleh dipilih: mutasi paling meyakinkan, sebanyak yang
menjaga perkiraan bagian yang membantu sedikitnya {{ (100 * s.decision.precision)|num(0) }}%
(perkiraan untuk rencana ini: {{ (100 * (s.expected_helpful_share or 0))|num(0) }}%);
bila tidak, pegawai tetap di unitnya.{% if s.pilot_moves %} Mutasi bertanda <b>uji coba</b> adalah
mutasi paling meyakinkan menurut model, diusulkan sebelum ada hasil usulan di instansi ini yang
menguji perkiraannya: seberapa jauh perkiraan di puncak urutan model benar berbeda antarinstansi,
dan hanya hasil mutasi usulan sendiri, setahun kemudian, yang menunjukkannya (<code>penataan outcomes
recalibrate</code>). Peluangnya adalah perkiraan model, belum terbukti di sini.{% endif %}</p>
<table><tr><th>NIP</th><th>Dari</th><th>Ke</th><th>Sebelum</th><th>Sesudah</th><th>Kenaikan</th><th>Rentang 80%</th><th>Peluang membantu</th></tr>
{# each move's explanation on a row of its own, the table's width: in a ninth column it was
   a few words wide and each move a page tall #}
{% for m in moves %}<tr class="move"><td>{{ m.nip }}</td><td>{{ m.from_unit_name }}</td><td>{{ m.to_unit_name }}</td>
<td class="n">{{ m.predicted_before|num(1) }}</td><td class="n">{{ m.predicted_after|num(1) }}</td>
<td class="n">{{ m.gain|num(2, sign=True) }}</td><td class="n">{{ m.gain_low|num(1, sign=True) }} s.d. {{ m.gain_high|num(1, sign=True) }}</td><td class="n">{{ (100 * m.p_help)|num(0) }}%{% if m.pilot %} (uji coba){% endif %}</td></tr>
<tr class="why"><td colspan="8">{{ m.narrative }}</td></tr>
{% endfor %}</table>
<h2>Aturan yang membatasi</h2>
<ul>
<li>Unit yang formasinya terisi penuh oleh rencana ini: {{ s.binding.units_at_formasi }}</li>
<li>Unit yang mencapai batas pegawai keluar ({{ (100 * s.settings.max_unit_outflow_share)|num(0) }}%): {{ s.binding.units_at_outflow_cap }}</li>
<li>Batas jumlah mutasi tercapai: {{ "ya" if s.binding.round_size_cap else "tidak" }}</li>
{% for reason, n in s.excluded_pairs.items() %}<li>Pasangan pegawai–unit dikecualikan ({{ reason }}): {{ n }}</li>{% endfor %}
</ul>
</body></html>
"""


def _chart(units: pd.DataFrame) -> str:
    changed = units[(units["moved_in"] + units["moved_out"]) > 0].copy()
    changed["change"] = changed["mean_predicted_after"] - changed["mean_predicted_before"]
    changed = changed.dropna(subset=["change"]).sort_values("change")
    if len(changed) > 30:  # the 15 largest falls and the 15 largest rises
        changed = pd.concat([changed.head(15), changed.tail(15)])
    # unit names are data: a `$` in one must stay a dollar sign, not start TeX math
    with plt.rc_context({"text.parse_math": False, "text.usetex": False}):
        fig, ax = plt.subplots(figsize=(9, 0.28 * max(len(changed), 4) + 1.2))
        colours = ["#2a6f97" if c >= 0 else "#c0392b" for c in changed["change"]]
        ax.barh(changed["unit_name"].str.slice(0, 50), changed["change"], color=colours)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlabel("perubahan rata-rata perkiraan nilai kinerja unit (poin)")
        ax.set_title("Unit yang terdampak rencana: perubahan terbesar")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def write_plan(result: PlanResult, out: Path, lists: Lists | None = None) -> list[Path]:
    """Write the five files, all of them or none; returns their paths. `moves.xlsx` is
    `moves.csv` as a workbook with the committee's columns empty beside each move: what
    Baperjakat opens, fills in and gives back to `penataan decisions import` (a CSV opens
    as one column in Excel set to Indonesian: `features.spreadsheet`); `lists` the values
    those columns take, as drop-downs (the record's vocabulary: `oversight.committee`)."""
    moves = result.moves
    form = moves.reindex(columns=[*MOVE_COLUMNS, *DECISION_COLUMNS]).round(3)
    env = Environment(autoescape=select_autoescape(default=True))
    env.filters["num"] = id_number  # an Indonesian page: `72,3`, as its narratives write it
    html = env.from_string(TEMPLATE).render(
        s=result.summary, moves=moves.to_dict(orient="records"), chart=_chart(result.units)
    )
    writers: list[Callable[[Path], object]] = [
        lambda p: guard_frame(moves.reindex(columns=MOVE_COLUMNS).round(3)).to_csv(p, index=False),
        lambda p: write_workbook(form, p, FORM_TITLE, lists),
        lambda p: guard_frame(result.units.reindex(columns=[*UNIT_COLUMNS, "service_need", "weight"])).to_csv(p, index=False),
        lambda p: p.write_text(strict_json(result.summary)),
        lambda p: p.write_text(html),
    ]  # fmt: skip
    return write_all({out / name: write for name, write in zip(PLAN_FILES, writers, strict=True)})
