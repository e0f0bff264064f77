"""Claims of the Models pages: which model is best and by how much, what the study found and
whether this build agrees."""

from __future__ import annotations

from genrereport.claims import Claim, join, plural, study
from genrereport.filters import code, number, pct, points, seconds, signed, text

# "Changed little": the study's reading of its weighted forests, taken as within this many
# accuracy points of the plain forest.
LITTLE = 0.01


def _name(m: dict, model_id: str) -> str:
    return f"**{text(m[model_id]['name'])}**"


def _ci(interval) -> str:
    return f"{pct(interval[0])} to {pct(interval[1])}" if interval else "–"


def _pts(interval) -> str:
    return f"{points(interval[0])} to {points(interval[1])}" if interval else "–"


def _setting(params: dict) -> str:
    return ", ".join(code(f"{k}={v}") for k, v in params.items())


def libraries(m: dict, packages: dict) -> Claim:
    """Which libraries the study ran, against this build's."""
    ours = join([f"{name} {text(packages.get(dist, '?'))}" for name, dist in
                 (("scikit-learn", "scikit-learn"), ("xgboost", "xgboost"),
                  ("Keras", "keras"), ("TensorFlow", "tensorflow-cpu"))])
    if not m["study"]["libraries"]:
        return Claim("models.libraries", f"The models follow the 2018 genre study's protocol; "
                     f"this build runs {ours}.", None)
    theirs = join([f"{text(r['library'])} {text(r['version'])}" for r in m["study"]["libraries"]])
    return study("models.libraries", f"The study ran {theirs}; this build runs {ours}.")


def best(m: dict) -> Claim:
    """The model picked the clean way, with its test interval."""
    u = m["uncertainty"]
    pick = m["summary"]["best_val"]
    r = m[pick]
    lo, hi = u["models"][pick]["accuracy_ci"]
    return Claim("models.best",
                 f"Picked by validation accuracy among the models whose scores are clean, the "
                 f"best model is {_name(m, pick)}: {pct(r['val_accuracy'])} on validation and "
                 f"{pct(r['test_accuracy'])} on test ({pct(u['level'], 0)} interval "
                 f"{pct(lo)} to {pct(hi)}), {points(r['vs_baseline'])} above the majority-class "
                 f"baseline.", None)


def excluded(m: dict) -> Claim:
    """Which models the pick leaves out, and why."""
    sel = m["summary"]["selection"]
    left = [i for i in m["order"] if not (sel[i]["val_clean"] and sel[i]["test_clean"])]
    if not left:
        return Claim("models.excluded", "Every model's scores are clean: none of them looked "
                     "at the validation or test songs while fitting.", False)
    parts = [f"{_name(m, i)} ({text(sel[i]['why'])}, so its {sel[i]['saw']} score flatters it)"
             for i in left]
    return Claim("models.excluded", f"Left out of the pick: {join(parts)}.", True)


def comparisons(m: dict) -> Claim:
    """Against which models the pick's lead is more than the test set's noise."""
    u = m["uncertainty"]
    pick = m["summary"]["best_val"]
    ahead = [t for t in u["paired"] if t["significant"] and t["difference"] > 0]
    behind = [t for t in u["paired"] if t["significant"] and t["difference"] < 0]
    tied = [t for t in u["paired"] if not t["significant"]]
    level = pct(1 - u["alpha"], 0)
    parts = []
    if ahead:
        parts.append(f"it is ahead of {join([_name(m, t['model']) for t in ahead])} by more "
                     f"than chance explains")
    if behind:
        parts.append(f"it is behind {join([_name(m, t['model']) for t in behind])}")
    if tied:
        parts.append(f"the test songs cannot tell it apart from "
                     f"{join([_name(m, t['model']) for t in tied])}")
    head = (f"On the same {m['setup']['test']:,} test songs (paired: McNemar's test at "
            f"{level} confidence, Holm-corrected for {plural(len(u['paired']), 'comparison')}), ")
    if not parts:
        return Claim("models.comparisons", f"{_name(m, pick)} is the only model.", None)
    return Claim("models.comparisons", head + "; ".join(parts) + ".", not tied)


def versus(m: dict, a: str, b: str) -> Claim:
    """Does model a beat model b on test, beyond chance? (Only said against the pick.)"""
    u = m["uncertainty"]
    pick = u["reference"]
    if pick not in (a, b):
        return Claim(f"models.versus.{a}.{b}", "", None)
    other = b if pick == a else a
    t = next(t for t in u["paired"] if t["model"] == other)
    lead = t["difference"] if pick == a else -t["difference"]
    if t["significant"]:
        winner, loser = (a, b) if lead > 0 else (b, a)
        return Claim(f"models.versus.{a}.{b}",
                     f"{_name(m, winner)} beats {_name(m, loser)} on the test songs by "
                     f"{points(abs(lead))[1:]} (interval of the difference "
                     f"{_pts(t['difference_ci'])}).", lead > 0)
    return Claim(f"models.versus.{a}.{b}",
                 f"{_name(m, a)} and {_name(m, b)} differ by {points(lead)} on the test songs, "
                 f"which is within what chance alone produces (p = {number(t['p_holm'], 3)} "
                 "after Holm's correction): the data do not say which is better.", False)


def baseline(m: dict) -> Claim:
    """How many models clear the majority-class baseline beyond the test set's noise."""
    base = m["setup"]["baseline"]["test_accuracy"]
    u = m["uncertainty"]["models"]
    clear = [i for i in m["order"] if u[i]["accuracy_ci"][0] > base]
    not_clear = [i for i in m["order"] if i not in clear]
    text_ = (f"{len(clear)} of the {len(m['order'])} models beat the baseline on test accuracy "
             "with their whole interval above it")
    if not_clear:
        text_ += f"; {join([_name(m, i) for i in not_clear])} {'does' if len(not_clear) == 1 else 'do'} not"
    return Claim("models.baseline", text_ + ".", not not_clear)


def search_vs_study(rec: dict) -> Claim:
    """Does this build's search pick what the study's did?"""
    cid = f"models.{rec['id']}.search_vs_study"
    if "study_best" not in rec:
        return Claim(cid, "", None)
    head = f"The study's search had found {_setting(rec['study_best'])};"
    if rec["matches_study_best"]:
        return Claim(cid, f"{head} this build's search agrees.", True)
    if rec["study_best_score"] is None:
        return Claim(cid, f"{head} this build's search prefers other settings; the study's "
                     "choice is not among the candidates sampled here.", False)
    tail = (", a difference smaller than the standard deviation of the best candidate's fold "
            "scores: the two are practically tied" if rec["study_best_within_noise"] else "")
    return Claim(cid, f"{head} this build's search prefers other settings. The study's choice is "
                 f"among the candidates here too: it scores {number(rec['study_best_score'], 4)}, "
                 f"{signed(rec['study_best_gap'], 4)} against the best{tail}.", False)


def rf_trees(rec: dict) -> Claim:
    """Does the search's accuracy grow with the number of trees?"""
    best = rec["search"]["best_params"]
    same = sorted((c for c in rec["search"]["candidates"]
                   if c["params"].get("max_features") == best.get("max_features")
                   and c["mean"] is not None), key=lambda c: c["params"]["n_estimators"])
    if len(same) < 2:
        return Claim("models.rf.trees", "The search tried only one number of trees with the "
                     "best max_features, so it says nothing about how accuracy grows with "
                     "trees.", None)
    lo, hi = same[0], same[-1]
    grows = hi["mean"] > lo["mean"]
    verb = "rises" if grows else "does not rise"
    return Claim("models.rf.trees",
                 f"With `max_features={text(best.get('max_features'))}`, the cross-validated "
                 f"accuracy {verb} from {pct(lo['mean'])} with "
                 f"{plural(lo['params']['n_estimators'], 'tree')} to {pct(hi['mean'])} with "
                 f"{plural(hi['params']['n_estimators'], 'tree')}.", grows)


def rf_vs_study(m: dict, study_data: bool = True) -> Claim:
    """Is the forest's test accuracy the study's, within the interval? (Only asked of the
    study's own pulls and rules: on other data the figures do not compare.)"""
    if not study_data or not m["study"].get("rf_report_total") or "rf" not in m:
        return Claim("models.rf.vs_study", "", None)
    r = m["rf"]
    theirs = m["study"]["rf_report_total"]["recall"]
    lo, hi = m["uncertainty"]["models"]["rf"]["accuracy_ci"]
    # The study printed two decimals: its accuracy lies within half a point of the figure.
    agrees = lo - 0.005 <= theirs <= hi + 0.005
    verdict = ("which agrees with the study's figure" if agrees
               else "which does not agree with the study's figure")
    return Claim("models.rf.vs_study",
                 f"This build's forest names the genre of {pct(r['test_accuracy'])} of the test "
                 f"songs (interval {pct(lo)} to {pct(hi)}), {verdict} of "
                 f"{pct(theirs, 0)} (printed to two decimals).", agrees)


def weights_source(m: dict) -> Claim:
    """Where the study's weights came from (the test set), and where this build's come from."""
    src = m["study"].get("weights_source")
    if not src:
        return Claim("models.weights.source", "The norm weights come from the training songs "
                     "and the pred weights from the plain forest's validation predictions, so "
                     "the test songs shape neither.", None)
    return study("models.weights.source",
                 f"The study read both sets of weights off the test set: norm from "
                 f"{text(src['norm'])}, pred from {text(src['pred'])}. That lets the test songs "
                 "shape the model that is then scored on them; here norm comes from the training "
                 "songs and pred from the validation predictions (the audit measures the "
                 "difference).")


def weighting_semantics(m: dict) -> Claim:
    """What scikit-learn 1.9's way of weighting does to the norm forest."""
    r = m["rf_weighted_norm"]
    today = r.get("today_semantics")
    if not today:
        return Claim("models.weights.semantics", "", None)
    gap = r["test_accuracy"] - today["test_accuracy"]
    return Claim("models.weights.semantics",
                 f"Grown the way scikit-learn grows weighted forests today (the bootstrap drawn "
                 f"in proportion to the weights), the norm forest names "
                 f"{pct(today['test_accuracy'])} of the test songs, against "
                 f"{pct(r['test_accuracy'])} the study's way: the library change alone moves it "
                 f"by {points(-gap)}.", abs(gap) > LITTLE)


def weighting_effect(m: dict, has_study: bool = True) -> Claim:
    """Did weighting change little, as the study found?"""
    rf, norm = m["rf"], m["rf_weighted_norm"]
    gap = norm["test_accuracy"] - rf["test_accuracy"]
    little = abs(gap) <= LITTLE
    head = (f"Norm weighting moves test accuracy by {points(gap)} (from {pct(rf['test_accuracy'])} "
            f"to {pct(norm['test_accuracy'])}) and balanced accuracy by "
            f"{points(norm['balanced_accuracy'] - rf['balanced_accuracy'])}")
    within = points(LITTLE)[1:]
    if not has_study:
        verdict = (f"within {within} of the plain forest: weighting changes little here"
                   if little else f"more than {within}")
        return Claim("models.weights.effect", f"{head}: {verdict}.", None)
    verdict = (f"within {within} of the plain forest, as the study found (it said the "
               "weighting did not have the effect it hoped for)" if little else
               f"more than {within}, unlike the study, which found that weighting changed "
               "little")
    return Claim("models.weights.effect", f"{head}: {verdict}.", little)


def largest_weight(m: dict) -> Claim:
    """The largest weight of each set, and whether pred's comes from a rarely predicted genre."""
    norm, pred = m["rf_weighted_norm"], m["rf_weighted_pred"]
    pw, nw = pred["largest_weight"], norm["largest_weight"]
    head = (f"The largest pred weight is {number(pw['weight'], 1)} ({text(pw['genre'])}), "
            f"against {number(nw['weight'], 1)} ({text(nw['genre'])}) for norm")
    if pw["weight"] > nw["weight"]:
        return Claim("models.weights.largest", f"{head}: pred weights follow what the plain "
                     f"forest predicts, so a genre it rarely predicts ({text(pw['genre'])}: "
                     f"{plural(pw['count'], 'validation song')} predicted) gets a larger weight "
                     "than its true size would give it.", True)
    return Claim("models.weights.largest", f"{head}.", False)


def warm_start(rec: dict) -> Claim:
    """Do candidates that differ only in warm_start score the same (liblinear ignores it)?"""
    cands = rec["search"]["candidates"]
    values = {c["params"].get("warm_start") for c in cands}
    if len(values) < 2:
        return Claim("models.logreg.warm_start", "The grid here tries a single value of "
                     "warm_start, so it cannot show whether warm_start matters.", None)
    groups: dict = {}
    for c in cands:
        key = tuple(sorted((k, str(v)) for k, v in c["params"].items() if k != "warm_start"))
        groups.setdefault(key, set()).add(c["mean"])
    tied = all(len(v) == 1 for v in groups.values())
    if tied:
        return Claim("models.logreg.warm_start", "warm_start only matters for solvers that can "
                     "restart from a previous fit; liblinear cannot, and indeed every pair of "
                     "candidates that differ only in warm_start scores the same here.", True)
    return Claim("models.logreg.warm_start", "Candidates that differ only in warm_start score "
                 "differently here, so warm_start is not ignored by this solver.", False)


def sgd_alpha(rec: dict) -> Claim:
    """The alpha values the SGD search drew from."""
    lo, hi = rec["alpha_range"]
    return Claim("models.sgd.alpha", f"loss, penalty and its strength alpha ({plural(rec['alpha_values'], 'value')} "
                 f"from {number(lo, 4)} to {number(hi, 4)})", None)


def left_out(m: dict) -> Claim:
    """Models this build could not run, and how to add them."""
    gone = m.get("left_out") or []
    if not gone:
        return Claim("models.left_out", "", False)
    parts = [f"{join([code(i) for i in g['models']])} ({text(g['why'])}"
             + (f"; add {'it' if len(g['models']) == 1 else 'them'} with {code(g['how'])} and "
                "build again)" if g.get("how") else ")") for g in gone]
    return Claim("models.left_out", f"Left out of this build: {join(parts)}.", True)


def nn_runs(m: dict) -> Claim:
    """Did watching the test set change the network?"""
    cmp = m["nn_comparison"]
    if cmp is None:
        return Claim("models.nn.runs", "", None)
    if cmp["identical"]:
        return Claim("models.nn.runs", f"In this build both runs trained for "
                     f"{plural(cmp['epochs_study'], 'epoch')} and ended as the same model with "
                     "the same scores: the leak did not change the outcome here, but nothing "
                     "guaranteed that in advance.", False)
    return Claim("models.nn.runs", f"The run that watched the test set trained for "
                 f"{plural(cmp['epochs_study'], 'epoch')}, the honest one for "
                 f"{plural(cmp['epochs_honest'], 'epoch')}. Their test accuracies differ by "
                 f"{points(cmp['test_gap'])} (the study's way minus the honest way). Only the "
                 "honest run's test score is a fair estimate of accuracy on new songs.", True)


def nn_epochs(m: dict, packages: dict) -> Claim:
    """The study's stopping epoch, against this build's."""
    theirs = m["study"]["nn_stopped_near_epoch"]
    if theirs is None:
        ran = m.get("nn_study", {}).get("epochs_run")
        return Claim("models.nn.epochs", f"The run that watched the test set stopped after "
                     f"{plural(ran, 'epoch')}." if ran else "", None)
    if "nn_study" not in m:
        return study("models.nn.epochs", f"The study's network stopped after about "
                     f"{plural(theirs, 'epoch')}.")
    ours = m["nn_study"]["epochs_run"]
    return study("models.nn.epochs",
                 f"The study's network stopped after about {plural(theirs, 'epoch')}; the same "
                 f"run here stopped after {plural(ours, 'epoch')}. Keras "
                 f"{text(packages.get('keras', '?'))} draws other random numbers than the "
                 "study's Keras did, so the epoch can differ.")


def permutation(rec: dict) -> Claim:
    """What shuffling each feature on the test songs costs the model, and where that ranking
    and the model's own importances disagree."""
    cid = f"models.{rec['id']}.permutation"
    perm = rec.get("permutation")
    if not perm:
        return Claim(cid, "", None)
    rows = perm["features"]
    top = [f"**{text(r['feature'])}** ({points(r['mean'])})" for r in rows[:3]]
    idle = [r["feature"] for r in rows if r["low"] <= 0 <= r["high"]]
    head = (f"Shuffling one feature at a time among {perm['songs']:,} test songs "
            f"({perm['repeats']} times each, {seconds(perm['seconds'])} in all) costs "
            f"{text(rec['name'])} most accuracy for {join(top)}.")
    if idle:
        head += (f" Shuffling {join([f'**{text(f)}**' for f in idle])} costs it nothing that "
                 f"the shuffles can tell from zero.")
    own = [r["feature"] for r in rec.get("importances") or []]
    if not own:
        return Claim(cid, head, None)
    by_perm = [r["feature"] for r in rows]
    n = min(3, len(own))
    shared = [f for f in by_perm[:n] if f in own[:n]]
    # Where they disagree most, among the features either ranking puts near the top (the
    # order of features whose shuffling costs nothing is noise).
    near_top = [f for f in own if f in own[:n] or f in by_perm[:n]]
    moved = max(near_top, key=lambda f: abs(own.index(f) - by_perm.index(f)))
    shift = (f" They disagree most on **{text(moved)}**: {own.index(moved) + 1} by its own "
             f"importances, {by_perm.index(moved) + 1} by shuffling.")
    agree = len(shared) == n
    verdict = (f" Its own importances rank the same {n} first." if agree else
               f" Its own importances share {len(shared)} of these top {n}"
               f"{' (' + join([f'**{text(f)}**' for f in shared]) + ')' if shared else ''}.")
    return Claim(cid, head + verdict + ("" if own.index(moved) == by_perm.index(moved)
                                          else shift), agree)


def binary(m: dict) -> Claim:
    """With two genres the linear models are one binary model each, not one per genre."""
    labels = [row["genre"] for row in m["setup"]["labels"]]
    if len(labels) != 2:
        return Claim("models.binary", "", False)
    return Claim("models.binary",
                 f"With two genres there is one binary model, not one per genre: "
                 f"**{text(labels[1])}** against **{text(labels[0])}** (positive values lean "
                 f"to {text(labels[1])}). Its coefficients and curves are shown once; "
                 f"{text(labels[0])}'s would be their mirror image.", True)


def claims(results: dict) -> list:
    """The claims of the Models pages."""
    m = results["models"]
    if "order" not in m or "uncertainty" not in m:
        return []
    packages = results["build"]["packages"]
    has_study = results.get("study", {}).get("has_reference", True)
    out = [libraries(m, packages), left_out(m), best(m), excluded(m), comparisons(m),
           baseline(m), rf_vs_study(m, results["build"].get("study_data", True)),
           weights_source(m), nn_epochs(m, packages)]
    if m.get("setup", {}).get("labels"):
        out.append(binary(m))
    if "rf_weighted_norm" in m and "rf" in m:
        out += [weighting_semantics(m), weighting_effect(m, has_study)]
    if "rf_weighted_norm" in m and "rf_weighted_pred" in m:
        out.append(largest_weight(m))
    if m.get("nn_comparison"):
        out.append(nn_runs(m))
    for model_id, claim in (("rf", rf_trees), ("logreg", warm_start), ("sgd", sgd_alpha)):
        if model_id in m:
            out.append(claim(m[model_id]))
    out += [search_vs_study(m[i]) for i in m["order"]]
    out += [permutation(m[i]) for i in m["order"] if m[i].get("permutation")]
    out += [versus(m, m["uncertainty"]["reference"], t["model"])
            for t in m["uncertainty"]["paired"]]
    return out
