"""Figures that join the exploration with the models: do the features that separate the genres on
their own carry the models, and do the pairs the models confuse match the pairs that overlap?

The "eda" analysis runs before (and without) the models, so these joins are made at render time,
from results only, by the claims and charts that need them. Pure functions of plain dicts.
"""

from __future__ import annotations

import pandas as pd

# How many of the most confused and the hardest-to-separate pairs are set side by side.
TOP_PAIRS = 5


def spearman(x, y) -> float | None:
    """Spearman's rank correlation of two equally long sequences (None if undefined)."""
    pairs = pd.DataFrame({"x": list(x), "y": list(y)}, dtype=float).dropna()
    # A constant side leaves it undefined: checked here rather than silenced, because changing
    # the warning filters is not safe while other stages run (expected_warnings.py).
    if len(pairs) < 3 or pairs["x"].nunique() < 2 or pairs["y"].nunique() < 2:
        return None
    r = pairs["x"].corr(pairs["y"], method="spearman")
    return None if pd.isna(r) else float(r)


def importance_models(results: dict) -> list[str]:
    """The models with importances over exactly the exploration's features, in the models'
    order (the title-word forest, whose columns are words too, is left out)."""
    m, features = results.get("models", {}), set(results["eda"].get("features", []))
    return [i for i in m.get("order", [])
            if m[i].get("importances") and {r["feature"] for r in m[i]["importances"]} == features]


def reference_model(results: dict) -> str | None:
    """The model whose figures the joins use: the clean pick if it has importances, else the
    first model that has them."""
    ids = importance_models(results)
    pick = results.get("models", {}).get("summary", {}).get("best_val")
    return pick if pick in ids else (ids[0] if ids else None)


def importance_vs_separation(separation: dict, importances: list[dict], top: int = 3) -> dict:
    """The features' mutual information with the genre against one model's importances."""
    mi = {r["feature"]: r["mutual_info"] for r in separation["features"]
          if r["mutual_info"] is not None}
    imp = {r["feature"]: r["importance"] for r in importances if r["feature"] in mi}
    features = sorted(imp)
    by_mi = sorted(features, key=lambda f: -mi[f])
    by_imp = sorted(features, key=lambda f: -imp[f])
    return {"rank_correlation": spearman([mi[f] for f in features], [imp[f] for f in features]),
            "top": top, "top_separating": by_mi[:top], "top_important": by_imp[:top],
            "shared_top": [f for f in by_mi[:top] if f in by_imp[:top]],
            "features": len(features)}


def pair_confusion(confusion: dict) -> dict[tuple[str, str], float]:
    """(a, b) with a < b → how often the model mixes the two up: the mean of the share of a's
    test songs it calls b and the share of b's it calls a (shares of each true genre, so a large
    genre does not outweigh a small one)."""
    labels, matrix = confusion["labels"], confusion["matrix"]
    totals = [sum(row) or 1 for row in matrix]
    out = {}
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            if a < b:
                out[(a, b)] = (matrix[i][j] / totals[i] + matrix[j][i] / totals[j]) / 2
    return out


def confusion_vs_overlap(overlap: dict, confusion: dict, top: int = TOP_PAIRS,
                         leave_out: str | None = None) -> dict:
    """One model's confusions of each pair of genres against the pair's separability; with
    `leave_out`, the rank correlation is also given without the pairs of that genre (the largest
    genre draws confusions by its size alone)."""
    confused = pair_confusion(confusion)
    rows = []
    for p in overlap["pairs"]:
        key = tuple(sorted((p["a"], p["b"])))
        if p["balanced_accuracy"] is not None and key in confused:
            rows.append({"a": key[0], "b": key[1], "balanced_accuracy": p["balanced_accuracy"],
                         "confusion": confused[key]})
    # The top lists hold at most a third of the pairs: with few pairs, two top-five lists would
    # share pairs by necessity.
    top = max(1, min(top, len(rows) // 3))
    most_confused = sorted(rows, key=lambda r: (-r["confusion"], r["a"], r["b"]))[:top]
    hardest = sorted(rows, key=lambda r: (r["balanced_accuracy"], r["a"], r["b"]))[:top]
    hard_keys = {(r["a"], r["b"]) for r in hardest}
    rest = [r for r in rows if leave_out not in (r["a"], r["b"])]
    return {"pairs": rows, "top": min(top, len(rows)), "left_out": leave_out,
            "rank_correlation_without": (spearman([r["balanced_accuracy"] for r in rest],
                                                  [r["confusion"] for r in rest])
                                         if leave_out is not None else None),
            "rank_correlation": spearman([r["balanced_accuracy"] for r in rows],
                                         [r["confusion"] for r in rows]),
            "most_confused": most_confused, "hardest": hardest,
            "shared": [r for r in most_confused if (r["a"], r["b"]) in hard_keys]}
