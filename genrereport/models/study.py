"""What a study reported, read from its study file's [reference] table, so the site can set this
build's numbers beside it. A study without published figures (any study but the 2018 one, as a
rule) has none of them, and the pages leave the comparisons out.
"""

from __future__ import annotations


def weights(reference: dict, kind: str) -> dict:
    """The study's class weights ("norm" or "pred") by genre, rounded as it printed them."""
    return dict(reference.get(f"weights_{kind}", {}))


def compare_best(model_id: str, search: dict, reference: dict) -> dict:
    """The study's best settings for a search, whether this build's search agrees, and how the
    study's choice scored here if it was among the candidates (nothing if it published none)."""
    theirs = reference.get("search_best", {}).get(model_id)
    if not theirs:
        return {}
    shown = [c for c in search["candidates"]
             if all(c["params"].get(k) == v for k, v in theirs.items())]
    score = max((c["mean"] for c in shown if c["mean"] is not None), default=None)
    best = min(search["candidates"], key=lambda c: c["rank"])
    gap = None if score is None else score - search["best_score"]
    return {"study_best": dict(theirs),
            "matches_study_best": all(search["best_params"].get(k) == v
                                      for k, v in theirs.items()),
            "study_best_score": score,
            "study_best_gap": gap,
            # within one standard deviation of the best candidate's fold scores
            "study_best_within_noise": gap is not None and abs(gap) <= (best["std"] or 0.0)}


def as_data(classes, reference: dict) -> dict:
    """The study's figures for the genres of this build (empty parts where it has none)."""
    report = reference.get("rf_report", {})
    total = reference.get("rf_report_total")
    return {
        "rf_report": [{"genre": g, "precision": report[g][0], "recall": report[g][1],
                       "f1": report[g][2], "support": report[g][3]}
                      for g in classes if g in report],
        "rf_report_total": dict(total) if total else None,
        "search_best": dict(reference.get("search_best", {})),
        "nn_stopped_near_epoch": reference.get("nn_stopped_near_epoch"),
        "libraries": [{"library": k, "version": v}
                      for k, v in reference.get("libraries", {}).items()],
        "weights_source": reference.get("weights_source"),
    }
