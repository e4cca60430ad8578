"""A bag of boosters written as one booster: the mean of their predictions, exactly.

Why a bag. A single booster fitted on a few hundred moves ranks a person's ~95 moves on
splits that a few people's histories happened to favour; the move it puts first is often
the one its own noise lifted most (the winner's curse, in the ranking rather than the
gain). Boosters fitted on bootstraps of *people* (every row of a drawn person kept
together, so a person's years never sit on both sides) disagree exactly where one
person's history drove the fit, and their mean ranks moves better: on the choice seeds
101-112 it raised the share of the top 1% of people's best moves that truly help from 0.68
to 0.76 (median world), and on the report seeds the top 5-10% by 4 points
(docs/benchmarks.md, "Decisions across worlds", `bench/worlds.py --param bag=1` for one booster).

Why one booster. A prediction of LightGBM is the sum of its trees' leaf values, so the
mean of K boosters is the booster whose trees are all of theirs with every leaf value
divided by K. Written that way, everything that reads a booster (the compiled trees, the
TreeSHAP explanations, the saved model and its checksum, the MLflow pyfunc) reads the bag
without knowing it is one, and an explanation still adds up to the prediction.
"""

from __future__ import annotations

import re

import lightgbm as lgb

_SCALED = re.compile(r"^(leaf_value|internal_value)=(.*)$", re.MULTILINE)


def _trees(text: str) -> tuple[str, list[str], str]:
    """(header, tree blocks without their `Tree=` line, the rest from `end of trees`)."""
    head, _, body = text.partition("\nTree=")
    trees_part, marker, tail = body.partition("end of trees")
    if not marker:
        raise ValueError("not a LightGBM model text: no 'end of trees'")
    blocks = ("Tree=" + trees_part).split("Tree=")[1:]
    return head, [block.split("\n", 1)[1] for block in blocks], marker + tail


def _scale(block: str, factor: float) -> str:
    def scaled(match: re.Match[str]) -> str:
        values = " ".join(repr(float(v) * factor) for v in match.group(2).split())
        return f"{match.group(1)}={values}"

    return _SCALED.sub(scaled, block)


def average(boosters: list[lgb.Booster]) -> lgb.Booster:
    """One booster predicting the mean of `boosters` (same features and objective)."""
    if len(boosters) == 1:
        return boosters[0]
    texts = [b.model_to_string() for b in boosters]
    head, _, tail = _trees(texts[0])
    # the first model's tree sizes no longer hold: LightGBM reads the trees one by one
    head = "\n".join(line for line in head.split("\n") if not line.startswith("tree_sizes="))
    blocks = [_scale(b, 1 / len(boosters)) for text in texts for b in _trees(text)[1]]
    trees = "".join(f"Tree={k}\n{block}" for k, block in enumerate(blocks))
    return lgb.Booster(model_str=f"{head}\n{trees}{tail}")
