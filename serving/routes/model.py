"""The model serving: its version and provenance (`/v1/model`) and what drives it
(`/v1/feature-importance`)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Depends

from features.definitions import FEATURE_SET, FEATURES, label
from serving.deps import EngineDep, allowed
from serving.schemas import FeatureImportance, ImportanceRow, Lang, ModelInfo
from training.explain import importance_by_factor

router = APIRouter(prefix="/v1")


@router.get("/model", response_model=ModelInfo, dependencies=[Depends(allowed("model"))])
def model(engine: EngineDep) -> ModelInfo:
    """The model serving: version, training data, held-out metrics, features."""
    loaded = engine.loaded
    return ModelInfo(
        name=loaded.name,
        version=loaded.version,
        alias=loaded.alias,
        run_id=loaded.run_id,
        trained_at=loaded.created_at,
        feature_set=FEATURE_SET,
        data_fingerprint=loaded.tags.get("data_fingerprint"),
        serving_data_fingerprint=engine.fingerprint,
        held_out_metrics={k.removeprefix("model_"): v for k, v in loaded.metrics.items() if k.startswith("model_")},
        features=[{"name": f.name, "factor": f.factor, "label_id": f.label_id, "label_en": f.label_en} for f in FEATURES],
        model=engine.model_ref,
    )  # fmt: skip


@router.get("/feature-importance", response_model=FeatureImportance, dependencies=[Depends(allowed("feature-importance"))])  # fmt: skip
def feature_importance(engine: EngineDep, lang: Lang = "en") -> FeatureImportance:
    """Gain and mean |SHAP| per feature and per human factor."""
    features = engine.importance

    def rows(table: pd.DataFrame) -> list[ImportanceRow]:
        return [
            ImportanceRow(name=str(n), label=label(str(n), lang), gain=float(r["gain"]), mean_abs_shap=float(r["mean_abs_shap"]))
            for n, r in table.iterrows()
        ]  # fmt: skip

    return FeatureImportance(
        features=rows(features),
        factors=rows(importance_by_factor(features)),
        model=engine.model_ref,
    )
