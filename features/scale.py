"""`KinerjaScale`: how the predikat relate to the score scale, as measured when the data's
predikat-era evaluations were placed on it (`features.kinerja`); a model keeps it to say how
likely each predikat is next year."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.stats import norm

# Where one predikat ends and the next begins on the number's scale, when no predikat-era
# data says otherwise (the contract's sebutan thresholds).
DEFAULT_CUTS: Final[tuple[float, ...]] = (90.0, 70.0, 60.0, 50.0)


@dataclass(frozen=True)
class KinerjaScale:
    """How predikat relate to the score scale: `cuts[k]` is the score between predikat k and
    k + 1 (best first), measured on the placed evaluations (or the contract's defaults)."""

    method: str
    cuts: tuple[float, ...] = DEFAULT_CUTS

    def probabilities(self, point: np.ndarray, sd: np.ndarray) -> np.ndarray:
        """Per row, the probability of each predikat (`vocab.PREDIKAT` order) for a latent
        score normal around `point` with standard deviation `sd`."""
        cuts = np.asarray(self.cuts)
        above = norm.sf((cuts[None, :] - point[:, None]) / np.maximum(sd, 1e-6)[:, None])
        at_least = np.hstack([above, np.ones((len(point), 1))])  # P(this predikat or better)
        better = np.hstack([np.zeros((len(point), 1)), above])
        return np.clip(at_least - better, 0.0, 1.0)

    def to_dict(self) -> dict[str, object]:
        return {"method": self.method, "cuts": list(self.cuts)}

    @classmethod
    def from_dict(cls, raw: dict[str, object]) -> KinerjaScale:
        cuts = raw.get("cuts", DEFAULT_CUTS)
        assert isinstance(cuts, list | tuple)
        return cls(str(raw["method"]), tuple(float(c) for c in cuts))
