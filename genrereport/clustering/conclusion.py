"""The study's conclusions as checkable facts, and whether this build's numbers bear them out.

The conclusion page only states what is computed here: each claim of the study comes with the
build's figure and an `agrees` flag, so a rerun on different data (or code) that contradicts the
study says so instead of repeating it.
"""

from __future__ import annotations

import pandas as pd

# What the study concluded (protocol §5), as data.
STUDY_LEADERS_EXPERIMENT = "zero_to_one"
STUDY_LEADERS = ("classical", "dance", "pop")
STUDY_MAJORITY = "pop"
STUDY_MAJORITY_SHARE = 0.35
# How close the majority share must be to count as "≈ 35 %".
SHARE_TOLERANCE = 0.02
# The study said tempo drove experiment 1 and loudness experiment 2.
STUDY_DOMINANT = (("all_features", "tempo"), ("no_tempo", "loudness"))
# "Genres overlap heavily": we read it as no experiment's clusters reaching this V-measure with
# the genre bins (0 = clusters say nothing about genre, 1 = clusters are the genres).
OVERLAP_V_MEASURE = 0.3
# Features the study used to describe the clusters led by classical and dance.
DESCRIBE_FEATURES = ("acousticness", "instrumentalness", "energy", "valence")
# How the study described them: +1 above the mean of all songs, -1 below.
STUDY_CHARACTER = {
    "classical": (("acousticness", 1), ("instrumentalness", 1), ("valence", -1), ("energy", -1)),
    "dance": (("energy", 1), ("instrumentalness", 1), ("acousticness", -1)),
}


def leaders_claim(experiments: dict) -> dict | None:
    """Which genres lead a cluster in experiment 3, against the study's pop, dance, classical."""
    exp = experiments.get(STUDY_LEADERS_EXPERIMENT)
    if exp is None:
        return None
    found = [g["genre"] for g in exp["leading_genres"]]
    claimed = list(STUDY_LEADERS)
    return {
        "experiment": STUDY_LEADERS_EXPERIMENT,
        "study_genres": claimed,
        "study_besides_majority": [g for g in claimed if g != STUDY_MAJORITY],
        "build_genres": sorted(found),
        "build_besides_majority": sorted(g for g in found if g != STUDY_MAJORITY),
        "clusters_led": exp["leading_genres"],
        "missing": sorted(set(claimed) - set(found)),
        "extra": sorted(set(found) - set(claimed)),
        "agrees": sorted(found) == sorted(claimed),
    }


def balance_claim(genres: pd.Series) -> dict:
    """Is the largest genre pop, with about 35 % of the songs?"""
    shares = genres.value_counts(normalize=True)
    shares = shares.sort_index().sort_values(ascending=False, kind="stable")
    top, bottom = shares.index[0], shares.index[-1]
    return {
        "study_genre": STUDY_MAJORITY,
        "study_share": STUDY_MAJORITY_SHARE,
        "tolerance": SHARE_TOLERANCE,
        "majority_genre": str(top),
        "majority_share": float(shares.iloc[0]),
        "smallest_genre": str(bottom),
        "smallest_share": float(shares.iloc[-1]),
        "ratio": float(shares.iloc[0] / shares.iloc[-1]),
        "agrees": bool(top == STUDY_MAJORITY
                       and abs(float(shares.iloc[0]) - STUDY_MAJORITY_SHARE) <= SHARE_TOLERANCE),
    }


def overlap_claim(experiments: dict, order: list[str]) -> dict:
    """Do the clusters, on any feature set, come close to the genre bins?"""
    rows = [{"experiment": e, "number": experiments[e]["number"],
             "v_measure": experiments[e]["agreement"]["v_measure"],
             "ari": experiments[e]["agreement"]["ari"], "purity": experiments[e]["purity"],
             "majority_share": experiments[e]["majority_share"]} for e in order]
    best = max(rows, key=lambda r: (r["v_measure"], -r["number"]))
    return {
        "threshold": OVERLAP_V_MEASURE,
        "experiments": rows,
        "best_experiment": best["experiment"],
        "best_number": best["number"],
        "best_v_measure": best["v_measure"],
        "best_ari": max(r["ari"] for r in rows),
        "best_purity": max(r["purity"] for r in rows),
        "agrees": best["v_measure"] < OVERLAP_V_MEASURE,
    }


def dominance_claims(experiments: dict) -> list[dict]:
    """Did the forest find tempo (experiment 1) and loudness (experiment 2) most important?"""
    out = []
    for exp_id, feature in STUDY_DOMINANT:
        exp = experiments.get(exp_id)
        if exp is None or not exp["forest"]["importances"]:
            continue
        top = exp["forest"]["importances"][0]
        share = next(r["importance"] for r in exp["forest"]["importances"] if r["feature"] == feature)
        out.append({"experiment": exp_id, "number": exp["number"], "study_feature": feature,
                    "study_feature_importance": share, "top_feature": top["feature"],
                    "top_importance": top["importance"],
                    # importances sum to 1, so above one half means: more than all others together
                    "outweighs_rest": share > 0.5, "agrees": top["feature"] == feature})
    return out


def scaling_effect(experiments: dict) -> dict | None:
    """Does clustering standardised features match genres better than the best unscaled run?"""
    scaled = [e for e in experiments.values() if e["standardized"]]
    unscaled = [e for e in experiments.values() if not e["standardized"]]
    if not scaled or not unscaled:
        return None
    s = scaled[0]
    best = max(unscaled, key=lambda e: (e["agreement"]["v_measure"], -e["number"]))
    return {
        "standardized_number": s["number"],
        "standardized_v_measure": s["agreement"]["v_measure"],
        "standardized_ari": s["agreement"]["ari"],
        "best_unscaled": best["id"],
        "best_unscaled_number": best["number"],
        "best_unscaled_v_measure": best["agreement"]["v_measure"],
        "best_unscaled_ari": best["agreement"]["ari"],
        "standardized_better": s["agreement"]["v_measure"] > best["agreement"]["v_measure"],
    }


def minority_led_clusters(experiments: dict, majority: str) -> list[dict]:
    """Experiment 3's clusters led by a genre other than the largest one, with the features the
    study used to explain them (mean and z-score against all songs)."""
    exp = experiments.get(STUDY_LEADERS_EXPERIMENT)
    if exp is None:
        return []
    out = []
    for lead in exp["leaders"]:
        if lead["genre"] in (None, majority):
            continue
        row = {"cluster": lead["cluster"], "genre": lead["genre"], "size": lead["size"],
               "share": lead["share"]}
        for p in exp["profiles"]:
            if p["cluster"] == lead["cluster"] and p["feature"] in DESCRIBE_FEATURES:
                row[p["feature"]] = p["mean"]
                row[f"{p['feature']}_z"] = p["z"]
        out.append(row)
    return out


def character_claims(minority_led: list[dict]) -> list[dict]:
    """Do the clusters that classical and dance lead look as the study described them?"""
    out = []
    for genre, expected in STUDY_CHARACTER.items():
        clusters = [r for r in minority_led if r["genre"] == genre]
        misses = [{"cluster": r["cluster"], "feature": f, "z": r.get(f"{f}_z")}
                  for r in clusters for f, sign in expected
                  if r.get(f"{f}_z") is None or r[f"{f}_z"] * sign <= 0]
        out.append({"genre": genre, "clusters": len(clusters),
                    "checks": len(clusters) * len(expected),
                    "expected": [{"feature": f, "high": sign > 0} for f, sign in expected],
                    "mismatches": misses, "agrees": bool(clusters) and not misses})
    return out


def derive(genres: pd.Series, experiments: dict, order: list[str]) -> dict:
    """Every fact the conclusion page states, with the study's claim beside the build's figure."""
    balance = balance_claim(genres)
    minority = minority_led_clusters(experiments, balance["majority_genre"])
    return {
        "leaders": leaders_claim(experiments),
        "balance": balance,
        "overlap": overlap_claim(experiments, order),
        "dominance": dominance_claims(experiments),
        "scaling": scaling_effect(experiments),
        "minority_led": minority,
        "character": character_claims(minority),
        "describe_features": list(DESCRIBE_FEATURES),
    }
