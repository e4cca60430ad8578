"""The feature set, declared once: name, type, the human factor it explains, and labels.

Explanations group LightGBM contributions by `factor`, and show the labels in the language
the HR tool asks for. Bump `FEATURE_SET` whenever a feature is added, removed or redefined:
a model only serves rows of the feature set it was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from features import vocab

FEATURE_SET: Final[str] = "ranker_features_v2"


@dataclass(frozen=True)
class Feature:
    name: str
    dtype: Literal["float", "category"]
    factor: str
    label_id: str
    label_en: str
    categories: tuple[str, ...] = ()
    # The direction every world should agree on, or 0: a better education fit, stronger
    # competencies for the unit, more experience or training in its field, better past
    # results never make the predicted score worse; a longer commute never makes it better.
    # The model is held to it (LightGBM monotone constraints), so that it cannot learn the
    # opposite from how past transfers happened to be chosen.
    monotone: Literal[-1, 0, 1] = 0
    # A trait of the person that suits some units more than others (a soft competency,
    # the education field): the within-person model (training/within.py) crosses it with
    # the unit's field and kind, the person x unit fit a mutasi is meant to use.
    trait: bool = False


@dataclass(frozen=True)
class Factor:
    name: str
    label_id: str
    label_en: str


FACTORS: Final[tuple[Factor, ...]] = (
    Factor("past_performance", "Kinerja masa lalu", "Past performance"),
    Factor("education_fit", "Kesesuaian pendidikan", "Education fit"),
    Factor("competencies", "Kompetensi terhadap kebutuhan unit", "Competencies vs the unit's needs"),
    Factor("domain_experience", "Pengalaman dan diklat di bidang ini", "Experience and training in the field"),
    Factor("move", "Adaptasi setelah mutasi dan masa jabatan", "Adaptation after a move, and tenure"),
    Factor("commute", "Jarak tempat tinggal ke kantor", "Commute"),
    Factor("unit", "Kondisi dan hasil unit", "The unit's situation and recent results"),
    Factor("profile", "Profil kepegawaian", "Career profile"),
)  # fmt: skip
FACTORS_BY_NAME: Final[dict[str, Factor]] = {f.name: f for f in FACTORS}


def _soft(name: str, label_id: str, label_en: str) -> Feature:
    return Feature(
        f"comp_{name}",
        "float",
        "competencies",
        f"Level {label_id}",
        f"{label_en} level",
        trait=True,
    )


FEATURES: Final[tuple[Feature, ...]] = (
    # the employee's own record
    Feature("score_last", "float", "past_performance", "Nilai kinerja terakhir", "Latest performance score", monotone=1),
    Feature("score_mean3", "float", "past_performance", "Rata-rata nilai 3 tahun terakhir", "Mean score, last 3 years", monotone=1),
    Feature("score_trend", "float", "past_performance", "Tren nilai kinerja", "Score trend"),
    Feature("score_resid", "float", "past_performance", "Nilai dibanding rekan satu unit", "Score against unit peers", monotone=1),
    Feature("n_evaluations", "float", "past_performance", "Jumlah penilaian kinerja", "Number of evaluations"),
    Feature("service_years", "float", "profile", "Masa kerja (tahun)", "Years of service"),
    Feature("education_rank", "float", "profile", "Jenjang pendidikan", "Education level"),
    Feature("is_pppk", "float", "profile", "Pegawai PPPK", "PPPK employee"),
    Feature("position_type", "category", "profile", "Jenis jabatan", "Position type", vocab.POSITION_TYPES),
    Feature("sanctions_3y", "float", "profile", "Hukuman disiplin 3 tahun terakhir", "Sanctions, last 3 years"),
    Feature("training_hours_3y", "float", "profile", "Jam diklat 3 tahun terakhir", "Training hours, last 3 years"),
    # fit to the unit
    Feature("field_suits_domain", "float", "education_fit", "Bidang pendidikan sesuai urusan unit", "Education field suits the unit's field", monotone=1),
    Feature("field_required", "float", "education_fit", "Bidang pendidikan diminta unit", "Education field required by the unit", monotone=1),
    Feature("education_field", "category", "education_fit", "Bidang pendidikan", "Education field", vocab.FIELDS, trait=True),
    Feature("comp_gap_mean", "float", "competencies", "Selisih kompetensi dengan standar unit", "Competencies against the unit's standard", monotone=1),
    Feature("comp_gap_min", "float", "competencies", "Kekurangan kompetensi terbesar", "Largest competency shortfall", monotone=1),
    Feature("comp_assessed_share", "float", "competencies", "Bagian kompetensi yang sudah diuji", "Share of required competencies assessed"),
    Feature("comp_domain_technical", "float", "competencies", "Kompetensi teknis bidang unit", "Technical competency in the unit's field", monotone=1),
    _soft("integritas", "integritas", "Integrity"),
    _soft("kerja_sama", "kerja sama", "Teamwork"),
    _soft("komunikasi", "komunikasi", "Communication"),
    _soft("orientasi_hasil", "orientasi pada hasil", "Results orientation"),
    _soft("pelayanan_publik", "pelayanan publik", "Public service"),
    _soft("pengembangan_diri", "pengembangan diri", "Self-development"),
    _soft("mengelola_perubahan", "mengelola perubahan", "Managing change"),
    _soft("pengambilan_keputusan", "pengambilan keputusan", "Decision making"),
    _soft("perekat_bangsa", "perekat bangsa", "Social cohesion"),
    Feature("years_in_domain", "float", "domain_experience", "Lama bekerja di bidang unit", "Years worked in the unit's field", monotone=1),
    Feature("training_hours_domain", "float", "domain_experience", "Jam diklat di bidang unit", "Training hours in the unit's field", monotone=1),
    Feature("resid_in_domain", "float", "domain_experience", "Kinerja dahulu di bidang ini", "Past performance in this field", monotone=1),
    Feature("resid_in_unit", "float", "domain_experience", "Kinerja dahulu di unit ini", "Past performance in this unit", monotone=1),
    Feature("years_in_unit_before", "float", "domain_experience", "Lama bekerja di unit ini", "Years worked in this unit"),
    # the move itself
    Feature("is_stay", "float", "move", "Tetap di unit sekarang", "Staying in the current unit"),
    Feature("tenure_current", "float", "move", "Masa jabatan di unit sekarang", "Tenure in the current unit"),
    Feature("willing_to_move", "float", "move", "Kesediaan pindah", "Willingness to move"),
    Feature("commute_km", "float", "commute", "Jarak rumah ke unit (km)", "Home to unit (km)", monotone=-1),
    Feature("commute_change_km", "float", "commute", "Perubahan jarak dibanding unit sekarang", "Change in commute vs the current unit", monotone=-1),
    # the unit
    Feature("unit_domain", "category", "unit", "Urusan unit", "The unit's field", vocab.DOMAINS),
    Feature("unit_kind", "category", "unit", "Jenis unit", "Kind of unit", vocab.UNIT_KINDS),
    Feature("unit_capacity", "float", "unit", "Formasi unit", "The unit's formasi"),
    Feature("unit_fill", "float", "unit", "Keterisian formasi", "Share of formasi filled"),
    Feature("unit_mean_score", "float", "unit", "Rata-rata kinerja pegawai unit", "Mean score of the unit's staff"),
    Feature("unit_effect", "float", "unit", "Pengaruh unit pada nilai pegawainya", "The unit's own effect on its staff's marks"),
    Feature("unit_effect_last", "float", "unit", "Pengaruh unit tahun lalu", "The unit's own effect last year"),
    Feature("unit_ikm", "float", "unit", "Indeks kepuasan masyarakat unit", "The unit's public satisfaction index"),
    Feature("unit_complaints", "float", "unit", "Pengaduan masyarakat", "Public complaints"),
    Feature("unit_wait_minutes", "float", "unit", "Waktu tunggu layanan", "Service waiting time"),
)  # fmt: skip

FEATURE_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in FEATURES)
MONOTONE: Final[tuple[int, ...]] = tuple(f.monotone for f in FEATURES)
FEATURES_BY_NAME: Final[dict[str, Feature]] = {f.name: f for f in FEATURES}
CATEGORICAL: Final[tuple[str, ...]] = tuple(f.name for f in FEATURES if f.dtype == "category")

_PERSON = tuple(f.name for f in FEATURES if f.factor in ("past_performance", "profile"))
_UNIT_KIND = ("unit_domain", "unit_kind")
# Which features may meet in one branch of a tree (`LgbParams.additive`). A gain is a
# difference between two units for the same person, so whatever the model learns of the
# person's level alone cancels in it, and splits spent there are splits not spent on fit
# (the AKM decomposition: a person effect plus a pair effect plus a unit effect). The
# person's record interacts only with itself; the fit of a person to a unit (education,
# competencies, experience, the unit's field and kind, the person's position type) with
# itself; the move (staying, tenure, willingness, commute) with itself; the unit's results
# with its field and kind.
INTERACTION_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "person": _PERSON,
    "fit": tuple(
        f.name
        for f in FEATURES
        if f.factor in ("education_fit", "competencies", "domain_experience")
    )
    + _UNIT_KIND
    + ("position_type",),
    "move": tuple(f.name for f in FEATURES if f.factor in ("move", "commute"))
    + ("years_in_unit_before",),
    "unit": tuple(f.name for f in FEATURES if f.factor == "unit"),
}


def label(name: str, lang: str) -> str:
    """A feature's or a factor's human label in `lang` (`id` or `en`)."""
    item: Feature | Factor = (
        FEATURES_BY_NAME[name] if name in FEATURES_BY_NAME else FACTORS_BY_NAME[name]
    )
    return item.label_en if lang == "en" else item.label_id
