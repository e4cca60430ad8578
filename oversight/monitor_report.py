"""The monitor's offline HTML report: what `penataan monitor` writes beside its MLflow run
(one file, its chart inline, readable without a network)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from jinja2 import Environment, select_autoescape

from features.formats import id_number, wita
from oversight.reasons import STAGE_LABELS, VERDICT_LABELS
from training.outputs import write_atomic

TEMPLATE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Pemantauan Penataan {{ when }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; } th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }
td.n { text-align: right; } .flag { background: #fdecea; padding: 0.6em; border-left: 4px solid #c0392b; }
</style></head><body>
<h1>Pemantauan Penataan</h1>
<p>Dibuat {{ when }} WITA dari data {{ r.data_fingerprint }}. Penataan hanya memberi saran;
keputusan ada pada Baperjakat dan PPK. Laporan ini membandingkan saran dengan hasil nyata
setahun kemudian.</p>
<h2>Hasil nyata</h2>
<table><tr><th>Usulan yang telah diputus PPK</th><td class="n">{{ r.decided_suggestions }}</td></tr>
{% for s, n in r.outcomes.items() %}<tr><th>{{ status_labels[s] }}</th><td class="n">{{ n }}</td></tr>{% endfor %}
</table>
{% set g = r.gain %}
<table>
<tr><th>Mutasi disetujui dengan hasil teramati</th><td class="n">{{ g.executed_observed }}</td></tr>
{% if g.executed_observed %}
<tr><th>Rata-rata kenaikan yang diperkirakan</th><td class="n">{{ num(g.claimed_gain, 2, True) }} poin</td></tr>
<tr><th>Rata-rata kenaikan nyata (nilai baru dikurangi perkiraan bila tetap{% if g.net_of_stayers_error %}, dikoreksi galat perkiraan bila tetap pada pegawai yang tetap dengan usulan sebaik itu{% endif %})</th><td class="n">{{ num(g.realised_gain, 2, True) }} poin</td></tr>
{% if g.net_of_stayers_error %}<tr><th>Sebelum dikoreksi</th><td class="n">{{ num(g.realised_gain_before_netting, 2, True) }} poin</td></tr>{% endif %}
<tr><th>Bagian mutasi yang nyata menaikkan nilai</th><td class="n">{{ num(100 * g.share_helped, 0) }}% (dinyatakan {{ num(100 * g.stated_p_help, 0) }}%)</td></tr>
<tr><th>Bagian di dalam rentang perkiraan</th><td class="n">{{ num(100 * g.interval_coverage, 0) }}%</td></tr>
{% if g.shortfall_t is defined %}<tr><th>Uji hasil di bawah perkiraan (t; perkiraan terbantah di bawah {{ num(-g.shortfall_bound, 2) }} dengan sedikitnya 10 hasil){% if g.claims_ruled_out %} <span class="flag">terbantah: jalankan <code>penataan outcomes recalibrate</code> sekarang, tanpa menunggu jumlah hasil PENATAAN_MIN_OUTCOMES</span>{% endif %}</th><td class="n">{{ num(g.shortfall_t, 2) }}</td></tr>{% endif %}
{% if g.calibration_slope is defined %}<tr><th>Kemiringan kalibrasi (nyata atas perkiraan; 1 = tepat)</th><td class="n">{{ num(g.calibration_slope, 2) }}</td></tr>{% endif %}
{% endif %}
<tr><th>Usulan ditolak dengan hasil teramati (pegawai tetap)</th><td class="n">{{ g.rejected_observed }}</td></tr>
{% if g.rejected_stay_error is defined %}<tr><th>Galat perkiraan bila tetap pada usulan yang ditolak</th><td class="n">{{ num(g.rejected_stay_error, 2, True) }} poin</td></tr>{% endif %}
{% for as_of, e in r.stayers_error.items() %}<tr><th>Galat perkiraan bila tetap pada pegawai yang tetap (data per {{ as_of }}, {{ e.stayers }} pegawai): {{ num(e.intercept, 2, True) }} poin ditambah {{ num(e.slope, 2) }} kali kenaikan mentah usulan terbaiknya</th><td></td></tr>{% endfor %}
</table>
{% if chart %}<p><img alt="Kenaikan nyata terhadap kenaikan yang diperkirakan, per mutasi" src="data:image/png;base64,{{ chart }}"></p>{% endif %}
{% if r.drift is defined %}<h2>Pergeseran data</h2>
<p>Dibandingkan {{ r.drift.reference_as_of }} dengan {{ r.drift.current_as_of }} (PSI; 0,1 sedang, 0,2 bergeser, dan hanya bila melampaui yang dicapai kebetulan pada jumlah pegawai ini, 99%).
PSI perkiraan bila tetap: {{ num(r.drift.prediction_psi, 3) }}; pergeseran rata-rata {{ num(r.drift.prediction_mean_shift, 2, True) }} poin.</p>
{% if r.drift.features_shifted %}<p class="flag">Fitur yang bergeser: {{ r.drift.features_shifted|join(", ") }}</p>{% endif %}
<table><tr><th>Fitur</th><th>PSI</th><th>Batas kebetulan</th></tr>
{% for f, v in r.drift.feature_psi.items() %}{% if loop.index <= 12 %}<tr><td>{{ f }}</td><td class="n">{{ num(v, 3) }}</td><td class="n">{{ num(r.drift.get("feature_psi_by_chance", {}).get(f), 3) }}</td></tr>{% endif %}{% endfor %}
</table>{% endif %}
<h2>Pengawasan keputusan</h2>
<table><tr><th>Tahap</th><th>Keputusan</th>{% for v in verdicts %}<th>{{ verdict_labels[v] }}</th>{% endfor %}<th>Tingkat koreksi</th></tr>
{% for stage, f in r.oversight.items() %}<tr><td>{{ stage_labels[stage] }}</td><td class="n">{{ f.decisions }}</td>
{% for v in verdicts %}<td class="n">{{ num(100 * f.shares[v], 0) }}%</td>{% endfor %}<td class="n">{{ num(100 * f.override_rate, 0) }}%</td></tr>{% endfor %}
</table>
{% for stage, f in r.oversight.items() %}{% if f.rubber_stamp %}<p class="flag">{{ stage_labels[stage] }} menyetujui hampir semua usulan
({{ f.decisions }} keputusan, tanpa penolakan atau perubahan): periksa apakah usulan benar-benar ditelaah.</p>{% endif %}{% endfor %}
</body></html>
"""
STATUS_LABELS = {"observed": "Teramati", "pending": "Menunggu penilaian berikutnya",
                 "censored": "Tidak dapat dibandingkan (pensiun/berhenti atau pindah lagi)",
                 "missing": "Penilaian tidak ada"}  # fmt: skip


def _chart(points: list[list[float]]) -> str:
    with plt.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(6, 4.5))
        claimed, realised = zip(*points, strict=True)
        ax.scatter(claimed, realised, s=12, alpha=0.6, color="#2a6f97")
        low, high = min(min(claimed), min(realised)), max(max(claimed), max(realised))
        ax.plot(
            [low, high], [low, high], color="#444", linewidth=0.8, label="tepat (nyata = perkiraan)"
        )
        ax.axhline(0, color="#c0392b", linewidth=0.6)
        ax.set_xlabel("kenaikan yang diperkirakan (poin)")
        ax.set_ylabel("kenaikan nyata (poin)")
        ax.legend(loc="upper left")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def write_monitor_report(report: dict[str, Any], out: Path) -> Path:
    """Write the report as one offline HTML file (atomically)."""
    env = Environment(autoescape=select_autoescape(default=True))
    points = report["gain"].get("points") or []
    html = env.from_string(TEMPLATE).render(
        r=report, when=wita(report["generated_at"]), num=id_number,
        chart=_chart(points) if points else None, status_labels=STATUS_LABELS,
        stage_labels=STAGE_LABELS, verdict_labels=VERDICT_LABELS,
        verdicts=("setuju", "tolak", "ubah", "tunda"),
    )  # fmt: skip
    return write_atomic(out, lambda path: path.write_text(html, encoding="utf-8"))
