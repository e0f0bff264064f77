"""The study's conclusions as checkable facts, and whether this build's numbers bear them out.

The conclusion page only states what is computed here: each claim of the study comes with the
build's figure and an `agrees` flag, so a rerun on different data (or code) that contradicts the
study says so instead of repeating it.
"""

from __future__ import annotations

import pandas as pd

# "Genres overlap heavily": this report reads it as no experiment's clusters reaching this
# V-measure with the genre bins (0 = clusters say nothing about genre, 1 = clusters are the
# genres). A bar of the report's, for every study.
OVERLAP_V_MEASURE = 0.3
# How close the majority share must be to a study's figure to count as "about" it.
SHARE_TOLERANCE = 0.02

# What a study concluded lives in its study file ([reference.conclusion]); the 2018 study's:
# the genres leading a cluster in its zero-to-one experiment, the majority genre and its share,
# the feature that drove each unscaled experiment, and how it described the clusters its
# minority genres led (+1 above the mean of all songs, -1 below).


def leaders_claim(experiments: dict, ref: dict | None) -> dict | None:
    """Which genres lead a cluster in the study's experiment, against the study's list."""
    if not ref or "leaders" not in ref:
        return None
    exp = experiments.get(ref["leaders_experiment"])
    if exp is None:
        return None
    found = [g["genre"] for g in exp["leading_genres"]]
    claimed = list(ref["leaders"])
    return {
        "experiment": ref["leaders_experiment"],
        "study_genres": claimed,
        "study_besides_majority": [g for g in claimed if g != ref["majority"]],
        "build_genres": sorted(found),
        "build_besides_majority": sorted(g for g in found if g != ref["majority"]),
        "clusters_led": exp["leading_genres"],
        "missing": sorted(set(claimed) - set(found)),
        "extra": sorted(set(found) - set(claimed)),
        "agrees": sorted(found) == sorted(claimed),
    }


def balance_claim(genres: pd.Series, ref: dict | None) -> dict:
    """How unbalanced the genres are; against the study's majority genre and share, if any."""
    shares = genres.value_counts(normalize=True)
    shares = shares.sort_index().sort_values(ascending=False, kind="stable")
    top, bottom = shares.index[0], shares.index[-1]
    study_genre = ref.get("majority") if ref else None
    study_share = ref.get("majority_share") if ref else None
    tolerance = ref.get("share_tolerance", SHARE_TOLERANCE) if ref else SHARE_TOLERANCE
    return {
        "study_genre": study_genre,
        "study_share": study_share,
        "tolerance": tolerance,
        "majority_genre": str(top),
        "majority_share": float(shares.iloc[0]),
        "smallest_genre": str(bottom),
        "smallest_share": float(shares.iloc[-1]),
        "ratio": float(shares.iloc[0] / shares.iloc[-1]),
        "agrees": (None if study_genre is None else bool(
            top == study_genre and abs(float(shares.iloc[0]) - study_share) <= tolerance)),
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


def dominance_claims(experiments: dict, ref: dict | None) -> list[dict]:
    """Did the cluster forest find most important the feature the study said drove each
    experiment (2018: tempo in experiment 1, loudness in experiment 2)?"""
    out = []
    for exp_id, feature in (ref or {}).get("dominant", []):
        exp = experiments.get(exp_id)
        if exp is None or not exp["forest"]["importances"]:
            continue
        top = exp["forest"]["importances"][0]
        share = next((r["importance"] for r in exp["forest"]["importances"]
                      if r["feature"] == feature), None)
        if share is None:
            continue
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


def minority_led_clusters(experiments: dict, majority: str, ref: dict | None) -> list[dict]:
    """The study's experiment's clusters led by a genre other than the largest one, with the
    features the study used to explain them (mean and z-score against all songs)."""
    if not ref or "leaders_experiment" not in ref:
        return []
    exp = experiments.get(ref["leaders_experiment"])
    if exp is None:
        return []
    describe = ref.get("describe_features", [])
    out = []
    for lead in exp["leaders"]:
        if lead["genre"] in (None, majority):
            continue
        row = {"cluster": lead["cluster"], "genre": lead["genre"], "size": lead["size"],
               "share": lead["share"]}
        for p in exp["profiles"]:
            if p["cluster"] == lead["cluster"] and p["feature"] in describe:
                row[p["feature"]] = p["mean"]
                row[f"{p['feature']}_z"] = p["z"]
        out.append(row)
    return out


def character_claims(minority_led: list[dict], ref: dict | None) -> list[dict]:
    """Do the clusters that the study's minority genres lead look as it described them?"""
    out = []
    for genre, expected in (ref or {}).get("character", {}).items():
        clusters = [r for r in minority_led if r["genre"] == genre]
        misses = [{"cluster": r["cluster"], "feature": f, "z": r.get(f"{f}_z")}
                  for r in clusters for f, sign in expected
                  if r.get(f"{f}_z") is None or r[f"{f}_z"] * sign <= 0]
        out.append({"genre": genre, "clusters": len(clusters),
                    "checks": len(clusters) * len(expected),
                    "expected": [{"feature": f, "high": sign > 0} for f, sign in expected],
                    "mismatches": misses, "agrees": bool(clusters) and not misses})
    return out


def derive(genres: pd.Series, experiments: dict, order: list[str],
           ref: dict | None = None) -> dict:
    """Every fact the conclusion page states, with the study's claim (from its file's
    [reference.conclusion], where it has one) beside the build's figure."""
    balance = balance_claim(genres, ref)
    minority = minority_led_clusters(experiments, balance["majority_genre"], ref)
    return {
        "leaders": leaders_claim(experiments, ref),
        "balance": balance,
        "overlap": overlap_claim(experiments, order),
        "dominance": dominance_claims(experiments, ref),
        "scaling": scaling_effect(experiments),
        "minority_led": minority,
        "character": character_claims(minority, ref),
        "describe_features": list((ref or {}).get("describe_features", [])),
        "has_reference": bool(ref),
    }
