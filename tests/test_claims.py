"""Every data-dependent statement of the site, on a fixture where it holds and one where it
does not (genrereport/claims). Fixtures are small dicts shaped like results.json."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genrereport import resources
from genrereport.claims import audit as ca
from genrereport.claims import clustering as cc
from genrereport.claims import data as cd
from genrereport.claims import eda as ce
from genrereport.claims import models as cm


# --- data, binning, exploration -------------------------------------------------------------

def _files(registered):
    return {"files": [{"name": f"f{i}.csv", "registered": r} for i, r in enumerate(registered)]}


def test_pulls_say_whose_they_are():
    assert cd.pulls(_files([True, True])).holds is True
    assert "study's 2 pulls" in cd.pulls(_files([True, True])).text
    own = cd.pulls(_files([False]))
    assert own.holds is False and own.text == "This build read 1 data file and checked every row."
    mixed = cd.pulls(_files([True, False, False]))
    assert mixed.holds is False and "1 of the study's" in mixed.text and "2 given" in mixed.text


def test_missing_time_signature_names_reccobeats_only_when_it_is_the_source():
    assert cd.time_signature_note({"has_time_signature": True}).holds is True
    recco = cd.time_signature_note({"has_time_signature": False, "feature_source": "reccobeats"})
    other = cd.time_signature_note({"has_time_signature": False, "feature_source": "unknown"})
    assert recco.holds is other.holds is False
    assert "ReccoBeats" in recco.text and "ReccoBeats" not in other.text


def test_genre_source_names_where_the_genres_came_from():
    c = cd.genre_source({"genre_source": {"spotify": 20, "musicbrainz": 180}})
    assert c.holds and c.text == ("Genres came from: **MusicBrainz** (180 rows) and "
                                  "**Spotify** (20 rows).")
    assert cd.genre_source({"genre_source": {"spotify": 3}}).holds is False
    assert cd.genre_source({"genre_source": None}).text == ""


def test_order_example_comes_from_the_data():
    ex = {"order_examples": [{"winner": "pop", "other": "rock", "songs": 12,
                              "example": "['pop emo']"}]}
    c = cd.order_example(ex)
    assert c.holds and "12 songs" in c.text and "pop emo" in c.text and "**rock**" in c.text
    none = cd.order_example({"order_examples": []})
    assert none.holds is False and "decided nothing" in none.text


def _ts(counts):
    return {"time_signature_counts": [{"time_signature": k, "count": v} for k, v in counts.items()]}


def test_most_songs_in_four_four_only_when_they_are():
    c = cd.time_signatures(_ts({4: 80, 3: 15, 1: 4, 0: 1}))
    assert c.holds and c.text.startswith("Most songs (80.0 %) are in 4/4")
    assert "5 songs have a time signature of 0 or 1" in c.text
    c = cd.time_signatures(_ts({4: 40, 3: 35, 5: 25}))
    assert c.holds is False and "only 40.0 %" in c.text and "no beat" not in c.text


def test_tempo_zero_names_the_genre_only_when_it_dominates():
    mostly = {"tempo_zero_count": 10, "tempo_zero_by_genre": [
        {"genre": "focus/sleep", "count": 7}, {"genre": "pop", "count": 3}]}
    assert cd.tempo_zero(mostly).holds and "most of them (70.0 %) are focus/sleep" in \
        cd.tempo_zero(mostly).text
    spread = {"tempo_zero_count": 10, "tempo_zero_by_genre": [
        {"genre": "pop", "count": 4}, {"genre": "rock", "count": 3}, {"genre": "jazz", "count": 3}]}
    assert cd.tempo_zero(spread).holds is False and "spread over 3 genres" in \
        cd.tempo_zero(spread).text
    assert "No song" in cd.tempo_zero({"tempo_zero_count": 0, "tempo_zero_by_genre": []}).text


# --- models ---------------------------------------------------------------------------------

def _models(**over):
    """A results["models"] with an rf that wins, an xgb, and a network that saw validation."""
    m = {
        "order": ["rf", "xgb", "nn"],
        "rf": {"id": "rf", "name": "Random forest", "val_accuracy": 0.48, "test_accuracy": 0.49,
               "vs_baseline": 0.14, "balanced_accuracy": 0.33},
        "xgb": {"id": "xgb", "name": "XGBoost", "val_accuracy": 0.47, "test_accuracy": 0.47},
        "nn": {"id": "nn", "name": "Neural network", "val_accuracy": 0.50,
               "test_accuracy": 0.44},
        "setup": {"test": 8763, "baseline": {"test_accuracy": 0.348}},
        "summary": {"best_val": "rf", "selection": {
            "rf": {"val_clean": True, "test_clean": True, "saw": None, "why": None},
            "xgb": {"val_clean": True, "test_clean": True, "saw": None, "why": None},
            "nn": {"val_clean": False, "test_clean": True, "saw": "validation",
                   "why": "early stopping watched the validation loss"}}},
        "uncertainty": {"level": 0.95, "alpha": 0.05, "reference": "rf", "models": {
            "rf": {"accuracy_ci": [0.48, 0.50]}, "xgb": {"accuracy_ci": [0.46, 0.48]},
            "nn": {"accuracy_ci": [0.43, 0.45]}},
            "paired": [
                {"model": "xgb", "difference": 0.02, "difference_ci": [0.01, 0.03], "p": 0.001,
                 "p_holm": 0.002, "significant": True},
                {"model": "nn", "difference": 0.05, "difference_ci": [0.04, 0.06], "p": 0.0001,
                 "p_holm": 0.0002, "significant": True}]},
        "study": {"rf_report_total": {"recall": 0.49}},
    }
    m.update(over)
    return m


def test_the_best_model_is_the_clean_pick_with_its_interval():
    c = cm.best(_models())
    assert "**Random forest**" in c.text and "48.0 % to 50.0 %" in c.text


def test_excluded_models_are_named_with_the_reason():
    c = cm.excluded(_models())
    assert c.holds and "Neural network" in c.text and "validation score flatters it" in c.text
    m = _models()
    m["summary"]["selection"]["nn"].update(val_clean=True, saw=None, why=None)
    assert cm.excluded(m).holds is False


def test_forest_beats_xgboost_only_when_the_test_supports_it():
    m = _models()
    c = cm.versus(m, "rf", "xgb")
    assert c.holds and "**Random forest** beats **XGBoost**" in c.text
    m["uncertainty"]["paired"][0].update(significant=False, p_holm=0.2)
    c = cm.versus(m, "rf", "xgb")
    assert c.holds is False and "beats" not in c.text and "do not say which is better" in c.text


def test_comparisons_separate_clear_leads_from_ties():
    assert cm.comparisons(_models()).holds is True
    m = _models()
    m["uncertainty"]["paired"][0].update(significant=False)
    c = cm.comparisons(m)
    assert c.holds is False and "cannot tell it apart from **XGBoost**" in c.text


def test_baseline_is_cleared_only_by_whole_intervals():
    assert cm.baseline(_models()).holds is True
    m = _models()
    m["uncertainty"]["models"]["nn"]["accuracy_ci"] = [0.34, 0.36]
    c = cm.baseline(m)
    assert c.holds is False and "2 of the 3" in c.text and "**Neural network** does not" in c.text


def test_rf_against_the_studys_figure():
    assert cm.rf_vs_study(_models()).holds is True
    m = _models(study={"rf_report_total": {"recall": 0.55}})
    assert cm.rf_vs_study(m).holds is False and "does not agree" in cm.rf_vs_study(m).text


def _search_rec(match=True, score=0.44, noise=False):
    return {"id": "logreg", "study_best": {"penalty": "l1", "C": 10}, "matches_study_best": match,
            "study_best_score": score, "study_best_gap": -0.001,
            "study_best_within_noise": noise}


def test_search_against_the_study():
    assert cm.search_vs_study(_search_rec()).holds is True
    assert "agrees" in cm.search_vs_study(_search_rec()).text
    c = cm.search_vs_study(_search_rec(match=False, noise=True))
    assert c.holds is False and "practically tied" in c.text
    c = cm.search_vs_study(_search_rec(match=False, score=None))
    assert "not among the candidates" in c.text


def _rf_search(means):
    return {"search": {"best_params": {"max_features": "sqrt"}, "candidates": [
        {"params": {"n_estimators": n, "max_features": "sqrt"}, "mean": v}
        for n, v in means.items()]}}


def test_accuracy_grows_with_trees_only_when_it_does():
    assert cm.rf_trees(_rf_search({1: 0.35, 1000: 0.47})).holds is True
    c = cm.rf_trees(_rf_search({1: 0.47, 1000: 0.46}))
    assert c.holds is False and "does not rise" in c.text


def _weighted(rf=0.49, norm=0.485, today=0.41):
    return {"rf": {"test_accuracy": rf, "balanced_accuracy": 0.30},
            "rf_weighted_norm": {"test_accuracy": norm, "balanced_accuracy": 0.34,
                                 "today_semantics": {"test_accuracy": today}}}


def test_weighting_changed_little_as_the_study_found_or_not():
    c = cm.weighting_effect(_weighted())
    assert c.holds and "as the study found" in c.text
    c = cm.weighting_effect(_weighted(norm=0.41))
    assert c.holds is False and "unlike the study" in c.text


def test_the_library_change_is_measured():
    c = cm.weighting_semantics(_weighted())
    assert c.holds and "-7.5 points" in c.text
    assert cm.weighting_semantics(_weighted(today=0.484)).holds is False


def _logreg(means):
    return {"search": {"candidates": [
        {"params": {"penalty": "l1", "C": 1.0, "warm_start": ws}, "mean": m}
        for ws, m in means]}}


def test_warm_start_ties_are_checked_not_assumed():
    assert cm.warm_start(_logreg([(True, 0.4), (False, 0.4)])).holds is True
    assert cm.warm_start(_logreg([(True, 0.4), (False, 0.41)])).holds is False
    assert cm.warm_start(_logreg([(False, 0.4)])).holds is None


def test_the_network_runs_identical_or_not():
    same = {"nn_comparison": {"identical": True, "epochs_study": 9}}
    assert cm.nn_runs(same).holds is False and "same model" in cm.nn_runs(same).text
    other = {"nn_comparison": {"identical": False, "epochs_study": 9, "epochs_honest": 12,
                               "test_gap": 0.004}}
    assert cm.nn_runs(other).holds is True and "+0.4 points" in cm.nn_runs(other).text


def test_the_alpha_range_is_read_from_the_search():
    c = cm.sgd_alpha({"alpha_range": [0.0001, 0.9999], "alpha_values": 9999})
    assert "9,999 values from 0.0001 to 0.9999" in c.text


def test_study_claims_are_marked_as_the_studys():
    c = cm.libraries({"study": {"libraries": [{"library": "scikit-learn", "version": "0.19"}]}},
                     {"scikit-learn": "1.9.1"})
    assert c.study and "scikit-learn 0.19" in c.text and "scikit-learn 1.9.1" in c.text


# --- audit ----------------------------------------------------------------------------------

def _audit():
    return {
        "duplicates": {"rows": 100, "track_rows": 10, "repeated_tracks": 5, "feature_rows": 12,
                       "repeated_vectors": 6, "twin_rows": 12, "twin_groups": 6,
                       "mixed_genre_tracks": 2, "mixed_genre_track_rows": 4,
                       "mixed_genre_vectors": 2, "mixed_genre_vector_rows": 4, "ceiling": 0.98},
        "split": {"test": 25, "by_track": 3, "by_features": 4, "either": 4, "share": 0.16},
        "twinned": [{"model": "rf", "name": "Random forest", "twinned": 0.74, "unseen": 0.45,
                     "gap": 0.29, "gap_ci": [0.26, 0.32], "echoes_twin": 0.97}],
        "grouped": {"groups_on_two_sides": 0, "models": [
            {"model": "rf", "name": "Random forest", "study_split": 0.49, "grouped": 0.45,
             "drop": 0.04, "drop_ci": [0.025, 0.055]},
            {"model": "logreg", "name": "Logistic regression", "study_split": 0.43,
             "grouped": 0.43, "drop": 0.0, "drop_ci": [-0.015, 0.015]}]},
        "leaks": [{"id": "twins", "title": "Twins across the split", "effect": 0.04,
                   "effect_ci": [0.025, 0.055]},
                  {"id": "nn_test_stopping", "title": "Early stopping on the test set",
                   "effect": 0.0, "effect_ci": [0.0, 0.0]}],
    }


def test_audit_claims_where_twins_matter():
    a = _audit()
    assert ca.duplicates(a).holds and "6 groups of twins" in ca.duplicates(a).text
    assert ca.split(a).holds and "4 of the 25 test songs" in ca.split(a).text
    assert ca.twinned(a).holds and "it remembers the twins" in ca.twinned(a).text
    g = ca.grouped(a)
    assert g.holds and "Random forest loses 4.0 points" in g.text
    assert "Logistic regression changes by less than chance explains" in g.text
    assert ca.leak(a["leaks"][0]).holds and ca.leak(a["leaks"][1]).holds is False
    v = ca.verdict(a)
    assert "twins across the split" in v.text and "upper bounds" in v.text


def test_audit_claims_where_nothing_leaks():
    a = _audit()
    a["duplicates"].update(twin_rows=0)
    a["split"].update(either=0)
    a["twinned"][0].update(gap=0.002, gap_ci=[-0.01, 0.014])
    a["grouped"]["models"][0].update(drop=0.002, drop_ci=[-0.01, 0.014])
    a["leaks"][0].update(effect=0.002, effect_ci=[-0.01, 0.014])
    assert ca.duplicates(a).holds is False and ca.split(a).holds is False
    assert ca.twinned(a).holds is False and "no clear difference" in ca.twinned(a).text
    assert ca.grouped(a).holds is False
    v = ca.verdict(a)
    assert v.holds is True and "as they stand" in v.text


def test_material_needs_size_and_an_interval_clear_of_zero():
    assert ca.material(0.02, [0.01, 0.03])
    assert not ca.material(0.02, [-0.01, 0.05])
    assert not ca.material(0.001, [0.0005, 0.0015])
    assert not ca.material(None, None)


# --- clustering -----------------------------------------------------------------------------

def _clustering():
    exp = {"number": 1, "features": ["tempo", "energy"], "n_clusters": 3,
           "forest": {"stratified": True,
                      "importances": [{"feature": "tempo", "importance": 0.8}]},
           "agreement": {"v_measure": 0.06, "ari": 0.02}, "chance": {"v_measure": 0.0, "ari": 0.0}}
    return {
        "experiment_ids": ["all_features"], "songs": 100,
        "feature_scales": {"tempo": {"std": 30.0}, "energy": {"std": 0.2},
                           "valence": {"std": 0.25}},
        "all_features": exp, "zero_to_one": {**exp, "number": 3,
                                             "features": ["energy", "valence"]},
        "scan": {"best_silhouette_k": 2, "best_silhouette": 0.2, "best_structure": "no"},
        "conclusion": {
            "dominance": [{"experiment": "all_features", "study_feature": "tempo",
                           "study_feature_importance": 0.8, "top_feature": "tempo",
                           "top_importance": 0.8, "outweighs_rest": True, "agrees": True}],
            "overlap": {"best_experiment": "all_features", "best_number": 1, "threshold": 0.3,
                        "best_v_measure": 0.06, "best_purity": 0.4, "agrees": True},
            "balance": {"study_genre": "pop", "study_share": 0.35, "tolerance": 0.02,
                        "majority_genre": "pop", "majority_share": 0.348, "smallest_genre": "x",
                        "smallest_share": 0.02, "ratio": 17.4, "agrees": True},
            "leaders": {"experiment": "zero_to_one", "study_besides_majority": ["classical",
                                                                               "dance"],
                        "build_besides_majority": ["classical"], "missing": ["dance"],
                        "extra": [], "agrees": False,
                        "clusters_led": [{"genre": "pop", "clusters": 2, "holds_majority": False,
                                          "best_share": 0.4},
                                         {"genre": "classical", "clusters": 1}]},
            "character": [{"genre": "classical", "clusters": 1, "checks": 2, "agrees": True,
                           "mismatches": [], "expected": [{"feature": "acousticness",
                                                           "high": True},
                                                          {"feature": "energy", "high": False}]},
                          {"genre": "dance", "clusters": 0, "checks": 0, "agrees": False,
                           "mismatches": [], "expected": [{"feature": "energy", "high": True}]}],
            "scaling": {"standardized_number": 4, "standardized_v_measure": 0.11,
                        "best_unscaled_v_measure": 0.08, "best_unscaled_number": 3,
                        "standardized_better": True},
        },
    }


def test_tempo_dominates_distances_only_when_its_spread_does():
    cl = _clustering()
    assert cc.scales(cl, "all_features").holds is True
    cl["feature_scales"]["tempo"]["std"] = 0.3
    c = cc.scales(cl, "all_features")
    assert c.holds is False and "no single feature" in c.text


def test_dominance_agrees_or_contradicts():
    cl = _clustering()
    study_said, found = cc.dominance(cl)
    assert study_said.study and found.holds and found.text.startswith("As in the study")
    cl["conclusion"]["dominance"][0].update(agrees=False, top_feature="loudness",
                                            top_importance=0.6)
    found = cc.dominance(cl)[1]
    assert found.holds is False and found.text.startswith("Unlike in the study")


def test_one_feature_decides_or_none_does():
    cl = _clustering()
    assert cc.no_single_feature(cl, "zero_to_one").holds is False
    cl["zero_to_one"]["forest"]["importances"][0]["importance"] = 0.25
    assert cc.no_single_feature(cl, "zero_to_one").holds is True


def test_scan_structure_reads_the_silhouette():
    cl = _clustering()
    assert cc.scan_structure(cl).holds is False and "one continuous cloud" in \
        cc.scan_structure(cl).text
    cl["scan"].update(best_silhouette=0.6, best_structure="reasonable")
    assert cc.scan_structure(cl).holds is True


def test_overlap_claim_follows_the_threshold():
    cl = _clustering()
    assert cc.overlap(cl).holds is True and "not the genres people name" in cc.overlap(cl).text
    cl["conclusion"]["overlap"]["agrees"] = False
    assert cc.overlap(cl).holds is False and "passes the V-measure" in cc.overlap(cl).text


def test_balance_agrees_or_not():
    cl = _clustering()
    said, found = cc.balance(cl)
    assert said.study and found.holds
    cl["conclusion"]["balance"].update(majority_share=0.5, agrees=False)
    assert "this report allows" in cc.balance(cl)[1].text


def test_leaders_and_character_from_the_data():
    cl = _clustering()
    said, found = cc.leaders(cl)
    assert "only classical and dance leading" in said.text and said.study
    assert found.holds is False and "The study's dance leads no cluster" in found.text
    character = cc.character(cl)
    assert character[0].study and "high in acousticness and low in energy" in character[0].text
    by_genre = {c.id.rsplit(".", 1)[1]: c for c in character[1:]}
    assert by_genre["classical"].holds and by_genre["dance"].holds is False


def test_scaling_and_summary():
    cl = _clustering()
    assert cc.scaling(cl).holds is True
    cl["conclusion"]["scaling"]["standardized_better"] = False
    assert cc.scaling(cl).holds is False
    s = cc.in_short(_clustering())
    assert s.holds and "classical lead clusters" in s.text and "without being the majority" in s.text


# --- separation, overlap and alerts (claims/eda.py) -------------------------------------------

def _sep(rows):
    """results["eda"]["separation"] from (feature, mutual information, epsilon² rank)."""
    return {"features": [{"feature": f, "mutual_info": mi, "epsilon_squared": 0.1,
                          "epsilon_squared_rank": rank} for f, mi, rank in rows]}


def _p(a, b, ba, overlapping=3, by="classifier"):
    return {"a": a, "b": b, "balanced_accuracy": ba, "measured_by": by,
            "features_overlapping": overlapping}


def _eda(pairs=None, **over):
    pairs = pairs if pairs is not None else [
        _p("pop", "rock", 0.58), _p("pop", "dance", 0.66), _p("dance", "rock", 0.8, 2),
        _p("classical", "pop", 0.93, 1), _p("classical", "rock", 0.91, 1),
        _p("classical", "dance", 0.95, 0)]
    e = {
        "features": ["acousticness", "energy", "tempo"],
        "shares": [{"genre": "pop", "share": 0.4}],
        "separation": _sep([("acousticness", 0.2, 1), ("energy", 0.15, 2), ("tempo", 0.05, 3)]),
        "overlap": {"pairs": pairs, "min_songs": 5, "high_overlap": 0.5, "exact_pairs": len(pairs),
                    "estimated_pairs": 0, "max_exact_pairs": 200,
                    "estimate_agreement": {"pairs": len(pairs), "mean_abs_diff": 0.01,
                                           "max_abs_diff": 0.04, "rank_correlation": 0.98},
                    "feature_overlap": [
                        {"feature": "acousticness", "median": 0.6, "share_high": 0.7},
                        {"feature": "tempo", "median": 0.9, "share_high": 1.0}]},
        "alerts": {
            "strong_correlations": {"threshold": 0.5, "pairs": [
                {"x": "energy", "y": "loudness", "pearson": 0.79, "spearman": 0.78}]},
            "imbalance": {"largest": {"genre": "pop", "count": 1200},
                          "smallest": {"genre": "gospel", "count": 50}, "ratio": 24.0,
                          "ratio_threshold": 10, "fired": True, "dominant_share": 0.8,
                          "categorical": [{"feature": "time_signature", "value": 4.0,
                                           "share": 0.89, "fired": True}]},
            "zeros": {"threshold": 0.1, "features": [
                {"feature": "instrumentalness", "count": 300, "share": 0.3}]},
            "constant": {"features": [], "within_genre": []},
            "duplicates": {"on": ["acousticness", "energy", "tempo", "target"], "groups": 20,
                           "rows_in_groups": 50, "extra_copies": 30, "rows": 1000}},
    }
    e.update(over)
    return e


def test_separation_top_names_the_features_and_checks_the_rank_measure():
    c = ce.separation_top(_eda())
    assert c.holds and c.text.startswith("On its own, **acousticness**") and "**tempo**" in c.text
    e = _eda(separation=_sep([("acousticness", 0.2, 2), ("energy", 0.15, 1), ("tempo", 0.05, 3)]))
    c = ce.separation_top(e)
    assert c.holds is False and "puts **energy** first instead" in c.text


def test_hardest_and_easiest_pairs_are_named_from_the_figures():
    hard = ce.overlap_hardest(_eda())
    assert hard.holds and "**pop** and **rock** (0.58)" in hard.text and "coin toss" in hard.text
    easy = ce.overlap_easiest(_eda())
    assert easy.holds and easy.text.startswith("The easiest to tell apart are **classical** and "
                                               "**dance** (0.95)")
    apart = _eda([_p("a", "b", 0.75), _p("a", "c", 0.85), _p("b", "c", 0.8)])
    assert ce.overlap_hardest(apart).holds is False and "even the hardest" in \
        ce.overlap_hardest(apart).text
    assert ce.overlap_easiest(apart).holds is False and "no pair reaches" in \
        ce.overlap_easiest(apart).text
    estimated = _eda([_p("a", "b", 0.6, by="estimate"), _p("a", "c", 0.8)])
    assert "**a** and **b** (0.60, estimated)" in ce.overlap_hardest(estimated).text


def test_overlap_spread_counts_hard_and_easy_pairs_and_the_unmeasured():
    c = ce.overlap_spread(_eda())
    assert c.holds and "2 are hard to tell apart" in c.text and "3 are told apart" in c.text
    e = _eda([_p("a", "b", 0.8), _p("a", "c", None)])
    c = ce.overlap_spread(e)
    assert c.holds is False and "1 pair involves a genre with fewer than 5" in c.text


def test_the_studys_overlap_is_measured_feature_by_feature():
    said = ce.overlap_study({"overlap": "Genres resemble each other on most features."})
    assert said.study and "resemble" in said.text
    assert ce.overlap_study({}).text == ""
    c = ce.overlap_verdict(_eda(), has_study=False)
    assert c.holds is None and "study" not in c.text
    c = ce.overlap_verdict(_eda())
    # pairs overlapping on more than 1.5 of the 3 features: pop/rock, pop/dance, dance/rock
    assert c.holds is False and "3 of the 6 pairs" in c.text and "unlike the study" in c.text
    e = _eda([_p("a", "b", 0.6, 3), _p("a", "c", 0.7, 2), _p("b", "c", 0.9, 0)])
    c = ce.overlap_verdict(e)
    assert c.holds and "2 of the 3 pairs" in c.text and "median pair is told apart" in c.text


def test_overlap_by_feature_finds_a_feature_that_separates_most_pairs():
    c = ce.overlap_by_feature(_eda())
    assert c.holds and "least on **acousticness**" in c.text and "On every feature" in c.text
    e = _eda()
    e["overlap"]["feature_overlap"][0]["share_high"] = 0.3
    c = ce.overlap_by_feature(e)
    assert c.holds is False and "On **acousticness**, most pairs are apart" in c.text


def test_overlap_method_says_when_pairs_carry_the_estimate():
    c = ce.overlap_method(_eda())
    assert c.holds is False and "ran on all 6 pairs" in c.text and "0.040" in c.text
    e = _eda()
    e["overlap"].update(exact_pairs=4, estimated_pairs=2)
    c = ce.overlap_method(e)
    assert c.holds and "ran on 4 of the 6 pairs" in c.text and "other 2 show the estimate" in c.text


def _joined(matrix, importances):
    labels = ["classical", "dance", "pop", "rock"]
    return {"eda": _eda(), "models": {
        "order": ["rf"], "summary": {"best_val": "rf"},
        "rf": {"name": "Random forest", "confusion": {"labels": labels, "matrix": matrix},
               "importances": [{"feature": f, "importance": v} for f, v in importances]}}}


def test_confusions_follow_the_overlap_or_not():
    # rows: true genre; pop and rock mixed up most, then pop and dance
    follows = _joined([[90, 4, 3, 3], [2, 70, 20, 8], [1, 15, 60, 24], [1, 9, 30, 60]],
                      [("acousticness", 0.5), ("energy", 0.3), ("tempo", 0.2)])
    c = ce.overlap_confusion(follows)
    assert c.holds and "**pop** and **rock** (27.0 %)" in c.text and "largely follow" in c.text
    assert "involve **pop**, the largest genre" in c.text
    # classical confused with everything; pop and rock never
    against = _joined([[40, 20, 20, 20], [20, 80, 0, 0], [20, 0, 80, 0], [20, 0, 0, 80]],
                      [("acousticness", 0.5), ("energy", 0.3), ("tempo", 0.2)])
    c = ce.overlap_confusion(against)
    assert c.holds is False and "do not follow" in c.text
    assert "All 2 involve **classical**" in c.text
    assert ce.overlap_confusion({"eda": _eda()}).text == ""


def test_importances_match_the_separation_or_not():
    same = _joined([[1, 0, 0, 0]] * 4, [("acousticness", 0.5), ("energy", 0.3), ("tempo", 0.2)])
    c = ce.separation_importance(same)
    assert c.holds and "much the same features" in c.text
    other = _joined([[1, 0, 0, 0]] * 4, [("acousticness", 0.1), ("energy", 0.3), ("tempo", 0.6)])
    c = ce.separation_importance(other)
    assert c.holds is False and "**Random forest** relies most on **tempo**" in c.text
    assert ce.separation_importance({"eda": _eda()}).text == ""


def test_alerts_fire_or_say_nothing_was_found():
    e = _eda()
    assert ce.alert_correlation(e).holds and "**energy** and **loudness**" in \
        ce.alert_correlation(e).text
    imb = ce.alert_imbalance(e)
    assert imb.holds and "24.0 times" in imb.text and "**time&#95;signature** is 4" in imb.text
    assert ce.alert_zeros(e).holds and "300 songs (30.0 %)" in ce.alert_zeros(e).text
    assert ce.alert_constant(e).holds is False
    dup = ce.alert_duplicates(e, None)
    assert dup.holds and "20 combinations of the 3 features" in dup.text and "audit" not in dup.text
    audit = {"duplicates": {"twin_rows": 60, "twin_groups": 25, "mixed_genre_vectors": 4,
                            "mixed_genre_vector_rows": 9}}
    assert "60 songs in 25 groups of twins" in ce.alert_duplicates(e, audit).text

    a = e["alerts"]
    a["strong_correlations"]["pairs"] = []
    a["imbalance"].update(ratio=2.0, fired=False)
    a["imbalance"]["categorical"][0]["fired"] = False
    a["zeros"]["features"] = []
    a["constant"] = {"features": ["same"], "within_genre": []}
    a["duplicates"]["groups"] = 0
    assert ce.alert_correlation(e).holds is False and ce.alert_imbalance(e).holds is False
    assert "below the 10 times" in ce.alert_imbalance(e).text
    assert ce.alert_zeros(e).holds is False and ce.alert_constant(e).holds
    assert ce.alert_duplicates(e, None).holds is False


# --- templates ------------------------------------------------------------------------------

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
FIGURE = re.compile(r"(?<![\w.#-])\d")  # a digit that starts a number (not l1, F1, sha256)


def test_templates_hold_no_typed_figures():
    """A figure typed into a template goes stale when the data change: every number on a page
    must come from results (ordered-list markers are the only digits allowed)."""
    found = []
    for path in sorted(Path(resources.templates_dir()).rglob("*.j2")):
        body = JINJA.sub("", path.read_text(encoding="utf-8"))
        for n, line in enumerate(body.splitlines(), start=1):
            line = re.sub(r"^\s*\d+\.\s", "", line)
            if FIGURE.search(line):
                found.append(f"{path.name}:{n}: {line.strip()}")
    assert found == []



# --- the remaining claims, each both ways -----------------------------------------------------

def test_too_small_genres_are_named_or_all_are_large_enough():
    c = cd.too_small({"too_small": {"min_songs": 10, "rows_dropped": 4, "dropped": [
        {"genre": "jazz", "songs": 3, "tracks": 3}, {"genre": "folk", "songs": 1, "tracks": 1}]}})
    assert c.holds and "2 genres have fewer than 10 songs" in c.text and "jazz (3)" in c.text
    c = cd.too_small({"too_small": {"min_songs": 10, "rows_dropped": 0, "dropped": []}})
    assert c.holds is False and "Every target genre has at least 10 songs" in c.text


def test_largest_genre_is_the_bar():
    c = cd.largest_genre({"shares": [{"genre": "pop", "share": 0.348}]})
    assert "**pop**" in c.text and "34.8 %" in c.text


def test_left_out_models_say_how_to_add_them():
    c = cm.left_out({"left_out": [{"models": ["nn_study", "nn"], "why": "no Keras",
                                    "how": "pip install 'genrereport[nn]'"}]})
    assert c.holds and "<code>nn</code>" in c.text and "genrereport&#91;nn&#93;" in c.text
    c = cm.left_out({"left_out": [{"models": ["rf_titles"], "why": "no titles", "how": None}]})
    assert c.holds and "add it" not in c.text
    assert cm.left_out({"left_out": []}).holds is False


def test_the_studys_epoch_and_weights_are_marked_as_the_studys():
    m = {"study": {"nn_stopped_near_epoch": 10,
                   "weights_source": {"norm": "test counts", "pred": "test predictions"}},
         "nn_study": {"epochs_run": 37}}
    c = cm.nn_epochs(m, {"keras": "3.15"})
    assert c.study and "about 10 epochs" in c.text and "after 37 epochs" in c.text
    del m["nn_study"]
    assert "37" not in cm.nn_epochs(m, {}).text
    assert cm.weights_source(m).study and "test counts" in cm.weights_source(m).text


def test_largest_weight_follows_the_pred_weights_or_not():
    m = {"rf_weighted_norm": {"largest_weight": {"genre": "gospel", "weight": 23.3, "count": 400}},
         "rf_weighted_pred": {"largest_weight": {"genre": "soul", "weight": 200.0, "count": 1}}}
    assert cm.largest_weight(m).holds and "1 validation song" in cm.largest_weight(m).text
    m["rf_weighted_pred"]["largest_weight"]["weight"] = 5.0
    assert cm.largest_weight(m).holds is False


def test_rf_is_not_compared_with_the_study_on_other_data():
    assert cm.rf_vs_study(_models(), study_data=False).text == ""


def test_audit_claims_in_the_other_directions():
    a = _audit()
    a["duplicates"].update(mixed_genre_vectors=0, mixed_genre_vector_rows=0, ceiling=1.0)
    assert "at best" not in ca.duplicates(a).text
    a["grouped"]["models"][1].update(drop=-0.03, drop_ci=[-0.045, -0.015])
    assert "Logistic regression gains 3.0 points" in ca.grouped(a).text
    a["leaks"][0].update(effect=-0.03, effect_ci=[-0.045, -0.015])
    v = ca.verdict(a)
    assert v.holds is False and "costs accuracy here rather than adding it" in v.text
    assert "flatter" not in v.text
    a["twinned"][0].update(gap=0.02, gap_ci=[-0.01, 0.05])
    assert "no clear difference" in ca.twinned(a).text


def test_clustering_conclusions_in_the_other_directions():
    cl = _clustering()
    cl["all_features"]["forest"]["stratified"] = False
    assert cc.stratified(cl, "all_features").holds is False
    assert "plain random splits" in cc.stratified(cl, "all_features").text
    assert cc.stratified(_clustering(), "all_features").text == ""
    said, found = cc.overlap_conclusion(cl, 0.49)
    assert said.study and found.holds and "49.0 %" in found.text
    cl["conclusion"]["leaders"].update(missing=[], extra=[], agrees=True)
    assert cc.leaders(cl)[1].holds is True
    cl["conclusion"]["character"][0].update(agrees=False, mismatches=[
        {"cluster": 4, "feature": "energy", "z": 0.8}])
    bad = cc.character(cl)[1]
    assert bad.holds is False and "cluster 4's energy is +0.80 standard deviations" in bad.text
    cl["conclusion"]["leaders"].update(build_besides_majority=[])
    cl["conclusion"]["leaders"]["clusters_led"][0].update(holds_majority=True, best_share=0.6)
    s = cc.in_short(cl)
    assert s.holds is False and "majority in at least one (60.0 % at most)" in s.text
    cl["conclusion"]["scaling"]["standardized_v_measure"] = 0.5
    assert "close to the genres" in cc.scaling(cl).text


def test_a_beatless_commonest_time_signature_is_not_called_a_meter():
    c = cd.time_signatures(_ts({1: 60, 4: 40}))
    assert "1/4" not in c.text and "a time signature of 1" in c.text


# --- two genres: one pair, one binary model ----------------------------------------------------

def test_one_pair_of_genres_is_described_as_one_pair_hard_or_not():
    hard = _eda([_p("country", "house", 0.62, 3)])
    c = ce.overlap_hardest(hard)
    assert c.holds is True and c.text.startswith("With two genres there is one pair: "
                                                 "**country** and **house**")
    assert "hard to tell apart" in c.text and "hardest" not in c.text
    c = ce.overlap_hardest(_eda([_p("country", "house", 0.93, 1)]))
    assert c.holds is False and "the audio features tell them apart" in c.text
    # Neither an "easiest" pair nor a spread or a median of one pair.
    assert ce.overlap_easiest(hard).text == "" and ce.overlap_spread(hard).text == ""
    assert "the one pair" in ce.overlap_method(hard).text


def test_the_verdict_on_one_pair_is_that_pairs_own():
    c = ce.overlap_verdict(_eda([_p("country", "house", 0.9, 2)]))
    assert c.holds is True and "on 2 of the 3 features" in c.text
    assert "the two genres look alike" in c.text and "median" not in c.text
    assert "balanced accuracy of 0.90" in c.text
    c = ce.overlap_verdict(_eda([_p("country", "house", 0.9, 1)]))
    assert c.holds is False and "distinct on most features" in c.text
    c = ce.overlap_by_feature(_eda([_p("country", "house", 0.9, 1)]))
    assert c.holds is True and "on 2 of the 2 features" in c.text and "pairs" not in c.text


def test_two_genres_have_one_binary_model_and_more_have_one_per_genre():
    two = _models(setup={"labels": [{"genre": "country"}, {"genre": "house"}]})
    c = cm.binary(two)
    assert c.holds is True and "**house** against **country**" in c.text
    three = _models(setup={"labels": [{"genre": g} for g in ("a", "b", "c")]})
    assert cm.binary(three).holds is False and cm.binary(three).text == ""


def test_the_audit_names_its_forest_by_size_beside_the_models_pages():
    a = _audit()
    a["grouped"]["models"][0]["trees"] = 1000
    m = {"rf": {"params": {"n_estimators": 5000}, "test_accuracy": 0.495}}
    v = ca.verdict(a, m)
    assert ("The 1,000-tree forest that the audit retrains (the Models page's 5,000-tree forest "
            "scores 49.5 %) scores 49.0 % on the study's split") in v.text
    assert "headline" not in v.text
    # One forest, one size: no second name.
    m["rf"]["params"]["n_estimators"] = 1000
    assert ca.verdict(a, m).text.split(". ")[1].startswith("The forest scores 49.0 %")


# --- what we found (claims/findings.py) --------------------------------------------------------

from genrereport.claims import findings as cf  # noqa: E402


def _found(accuracy=0.495, ci=(0.484, 0.506), baseline=0.348, drop=0.025,
           drop_ci=(0.01, 0.04), v=0.11, confusion=None):
    m = _models()
    m["rf"].update(test_accuracy=accuracy, params={"n_estimators": 5000},
                   importances=[{"feature": f, "importance": 0.1} for f in
                                ("loudness", "tempo", "energy", "key")],
                   confusion=confusion or {"labels": ["pop", "rock", "rap"],
                                           "matrix": [[50, 40, 10], [20, 70, 10], [5, 5, 90]]})
    m["setup"]["baseline"] = {"test_accuracy": baseline, "genre": "pop"}
    m["uncertainty"]["models"]["rf"]["accuracy_ci"] = list(ci)
    audit = {"grouped": {"models": [
        {"model": "rf", "name": "Random forest", "trees": 1000, "study_split": 0.49,
         "grouped": 0.49 - drop, "grouped_ci": [0.45, 0.48], "drop": drop,
         "drop_ci": list(drop_ci)}]}}
    clustering = {"conclusion": {"overlap": {"best_v_measure": v, "threshold": 0.3,
                                             "best_number": 2}}}
    return {"models": m, "audit": audit, "clustering": clustering, "binning": {}}


def test_the_classifier_finding_holds_only_when_its_interval_clears_the_baseline():
    c = cf.classifier(_found())
    assert c.holds is True and "**Random forest**, names the genre of 49.5 %" in c.text
    assert "95 % interval 48.4 % to 50.6 %" in c.text and "34.8 %" in c.text
    assert "+14.7 points" in c.text and "far from perfectly" in c.text
    c = cf.classifier(_found(accuracy=0.36, ci=(0.34, 0.38)))
    assert c.holds is False and "cannot be told apart from always answering" in c.text
    assert "predict the genre well" in cf.classifier(_found(0.95, (0.93, 0.97), 0.5)).text


def test_the_grouped_finding_names_the_forest_by_size_and_says_whether_it_drops():
    c = cf.grouped(_found())
    assert c.holds is True and "the 1,000-tree **Random forest** scores 46.5 %" in c.text
    assert "2.5 points below the same model on the study's split (49.0 %)" in c.text
    assert "flatters" in c.text
    c = cf.grouped(_found(drop=0.005, drop_ci=(-0.01, 0.02)))
    assert c.holds is False and "within what chance explains" in c.text


def test_confused_pairs_and_features_come_from_the_best_model():
    c = cf.confusions(_found())
    # pop/rock: (40/100 + 20/100) / 2 = 30 %, first
    assert c.text.startswith("The genres it confuses most: **pop** and **rock** (30.0 %)")
    two = _found(confusion={"labels": ["a", "b"], "matrix": [[9, 1], [3, 7]]})
    assert cf.confusions(two).text.startswith("It mixes up **a** and **b** on 20.0 % of their")
    f = cf.features(_found())
    assert f.text == ("By the model's own importance scores, the features it relies on most: "
                      "**loudness**, **tempo** and **energy**.")


def test_the_clusters_finding_reads_the_agreement_in_plain_words():
    c = cf.clusters(_found(v=0.11))
    assert c.holds is False and "V-measure of 0.11" in c.text and "do not recover" in c.text
    assert "only faintly" in cf.clusters(_found(v=0.2)).text
    c = cf.clusters(_found(v=0.45))
    assert c.holds is True and "above this report's bar of 0.30" in c.text
    # A build without models or clustering (a preview) says nothing rather than fail.
    assert [x.text for x in cf.claims({"binning": {}})] == [""] * 5


def test_permutation_importances_agree_with_the_models_own_or_not():
    rec = {"id": "rf", "name": "Random forest",
           "importances": [{"feature": f} for f in ("tempo", "loudness", "energy", "key")],
           "permutation": {"songs": 2000, "repeats": 5, "seconds": 12.0, "features": [
               {"feature": "loudness", "mean": 0.05, "low": 0.04, "high": 0.06, "rank": 1},
               {"feature": "tempo", "mean": 0.03, "low": 0.02, "high": 0.04, "rank": 2},
               {"feature": "energy", "mean": 0.02, "low": 0.01, "high": 0.03, "rank": 3},
               {"feature": "key", "mean": 0.0, "low": -0.001, "high": 0.001, "rank": 4}]}}
    c = cm.permutation(rec)
    assert c.holds is True and "**loudness** (+5.0 points)" in c.text
    assert "rank the same 3 first" in c.text and "Shuffling **key** costs it nothing" in c.text
    rec["importances"] = [{"feature": f} for f in ("key", "tempo", "loudness", "energy")]
    c = cm.permutation(rec)
    assert c.holds is False and "share 2 of these top 3 (**loudness** and **tempo**)" in c.text
    assert "disagree most on **key**: 1 by its own importances, 4 by shuffling" in c.text
    del rec["importances"]
    assert cm.permutation(rec).holds is None  # the logistic regression: nothing to compare


def test_the_features_finding_prefers_the_permutation_ranking():
    found = _found()
    found["models"]["rf"]["permutation"] = {"features": [{"feature": f} for f in
                                                         ("energy", "key", "tempo", "loudness")]}
    f = cf.features(found)
    assert f.text.startswith("The features whose shuffling on the test songs costs it most "
                             "accuracy: **energy**, **key** and **tempo**")
