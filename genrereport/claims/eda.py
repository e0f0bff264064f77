"""Claims of the Exploration and Genre overlap pages: which features separate the genres, which
pairs of genres overlap, whether the models confuse the pairs that overlap and use the features
that separate, and the data alerts. (The older Exploration sentences are in claims/data.py.)"""

from __future__ import annotations

import statistics

from genrereport import links
from genrereport.claims import Claim, join, plural, study
from genrereport.filters import number, pct, text

# Pairs below this balanced accuracy are "hard to tell apart" (a wrong call on about a third of
# songs or more); at or above EASY, the features tell them apart nine times out of ten.
HARD = 0.7
EASY = 0.9
# How many pairs or features a sentence names.
NAMED = 3
# Rank correlations at least this large (in size) are called strong, and at least MODERATE
# moderate.
STRONG = 0.5
MODERATE = 0.3

def _b(value) -> str:
    return f"**{text(value)}**"


def _pair(p: dict) -> str:
    return f"{_b(p['a'])} and {_b(p['b'])}"


def _ba(p: dict) -> str:
    est = ", estimated" if p.get("measured_by") == "estimate" else ""
    return f"{number(p['balanced_accuracy'], 2)}{est}"


def _measured(eda: dict) -> list[dict]:
    return [p for p in eda["overlap"]["pairs"] if p["balanced_accuracy"] is not None]


def _strength(r: float) -> str:
    size = abs(r)
    return "strong" if size >= STRONG else "moderate" if size >= MODERATE else "weak"


# --- each feature on its own -------------------------------------------------------------------

def separation_top(eda: dict) -> Claim:
    """The features that separate the genres most and least on their own, and whether the
    rank-based measure agrees on the first."""
    rows = [r for r in eda["separation"]["features"] if r["mutual_info"] is not None]
    if len(rows) < 2:
        return Claim("eda.separation.top", "There are too few genres or songs to measure how "
                     "well each feature separates the genres.", None)
    by_mi = [r["feature"] for r in rows]
    ranked_eps = sorted((r for r in rows if r["epsilon_squared"] is not None),
                        key=lambda r: r["epsilon_squared_rank"])
    top = rows[0]
    head = (f"On its own, {_b(top['feature'])} tells the genres apart best (mutual information "
            f"{number(top['mutual_info'], 3)} nats), then {join([_b(f) for f in by_mi[1:NAMED]])}; "
            f"{_b(by_mi[-1])} tells them apart least ({number(rows[-1]['mutual_info'], 3)}).")
    if not ranked_eps:
        return Claim("eda.separation.top", head, None)
    first = ranked_eps[0]["feature"]
    agrees = first == top["feature"]
    tail = (f" The rank-based Kruskal–Wallis effect size also puts {_b(first)} first."
            if agrees else
            f" The rank-based Kruskal–Wallis effect size puts {_b(first)} first instead: the "
            "two measures weigh differences of shape and of typical value differently.")
    return Claim("eda.separation.top", head + tail, agrees)


# --- each pair of genres ----------------------------------------------------------------------

def overlap_hardest(eda: dict) -> Claim:
    """The pairs the features tell apart worst."""
    pairs = sorted(_measured(eda), key=lambda p: p["balanced_accuracy"])[:NAMED]
    if not pairs:
        return Claim("eda.overlap.hardest", "No pair of genres has enough songs to measure.", None)
    hard = pairs[0]["balanced_accuracy"] < HARD
    if len(eda["overlap"]["pairs"]) == 1:  # two genres: one pair, neither hardest nor easiest
        verdict = ("so from the audio features alone they are hard to tell apart" if hard
                   else f"so the audio features tell them apart (the bar is {number(HARD, 2)})")
        return Claim("eda.overlap.hardest", f"With two genres there is one pair: "
                     f"{_pair(pairs[0])} are told apart with a balanced accuracy of "
                     f"{_ba(pairs[0])} (0.5 is a coin toss, 1 always right), {verdict}.", hard)
    parts = [f"{_pair(p)} ({_ba(p)})" for p in pairs]
    verdict = ("where 0.5 is a coin toss: from the audio features alone these genres are hard "
               "to tell apart" if hard else
               f"yet even the hardest pair is told apart at least {number(HARD, 2)} of the time")
    return Claim("eda.overlap.hardest", f"The hardest genres to tell apart (balanced accuracy "
                 f"of a two-genre classifier) are {join(parts)}, {verdict}.", hard)


def overlap_easiest(eda: dict) -> Claim:
    """The pairs the features tell apart best."""
    pairs = sorted(_measured(eda), key=lambda p: -p["balanced_accuracy"])[:NAMED]
    if not pairs or len(eda["overlap"]["pairs"]) == 1:  # one pair: overlap_hardest says it
        return Claim("eda.overlap.easiest", "", None)
    parts = [f"{_pair(p)} ({_ba(p)})" for p in pairs]
    easy = pairs[0]["balanced_accuracy"] >= EASY
    verdict = (f"each told apart at least {pct(EASY, 0)} of the time" if easy else
               f"but no pair reaches {number(EASY, 2)}: every pair overlaps noticeably")
    return Claim("eda.overlap.easiest", f"The easiest to tell apart are {join(parts)}, "
                 f"{verdict}.", easy)


def overlap_spread(eda: dict) -> Claim:
    """How the pairs spread between hard and easy."""
    pairs = _measured(eda)
    total = len(eda["overlap"]["pairs"])
    if not pairs or total == 1:  # one pair has no spread
        return Claim("eda.overlap.spread", "", None)
    values = [p["balanced_accuracy"] for p in pairs]
    hard = sum(v < HARD for v in values)
    easy = sum(v >= EASY for v in values)
    missing = total - len(pairs)
    left = (f" {plural(missing, 'pair')} {'involves' if missing == 1 else 'involve'} a genre with "
            f"fewer than {eda['overlap']['min_songs']} distinct songs and "
            f"{'is' if missing == 1 else 'are'} not measured." if missing else "")
    return Claim("eda.overlap.spread",
                 f"Of the {plural(len(pairs), 'pair')} of genres measured, {hard:,} "
                 f"{'is' if hard == 1 else 'are'} hard to tell apart (balanced accuracy below "
                 f"{number(HARD, 2)}) and {easy:,} {'is' if easy == 1 else 'are'} told apart at "
                 f"least {pct(EASY, 0)} of the time; the median pair scores "
                 f"{number(statistics.median(values), 2)}.{left}", hard > 0)


def overlap_study(said: dict) -> Claim:
    """The study's conclusion about overlap, which it drew from charts (from its study file's
    [reference.said], in this project's words)."""
    if not said.get("overlap"):
        return Claim("eda.overlap.study", "", None)
    return study("eda.overlap.study", text(said["overlap"]))


def overlap_verdict(eda: dict, has_study: bool = True) -> Claim:
    """The study's conclusion, measured: do most pairs overlap on most features?"""
    o = eda["overlap"]
    pairs = o["pairs"]
    n_features = len(eda["features"])
    if not pairs or not n_features:
        return Claim("eda.overlap.verdict", "There is no pair of genres to compare.", None)
    many = [p for p in pairs if p["features_overlapping"] > n_features / 2]
    if len(pairs) == 1:
        return _verdict_of_one_pair(pairs[0], n_features, o, bool(many))
    share = len(many) / len(pairs)
    median = statistics.median(p["features_overlapping"] for p in pairs)
    holds = share > 0.5
    head = (f"Measured feature by feature, {len(many):,} of the {plural(len(pairs), 'pair')} of "
            f"genres ({pct(share, 0)}) share more than half of their distribution (overlap "
            f"coefficient at least {number(o['high_overlap'], 1)}) on more than half of the "
            f"{n_features} features; the median pair does on "
            f"{'all of them' if median == n_features else number(median, 0)}.")
    measured = _measured(eda)
    if holds:
        tail = (" So the study's reading holds: one feature at a time, most genres look alike."
                if has_study else " So one feature at a time, most genres look alike.")
        if measured:
            median_ba = statistics.median(p["balanced_accuracy"] for p in measured)
            tail += (" Taken together the features do better: the median pair is told apart "
                     f"with a balanced accuracy of {number(median_ba, 2)}.")
    else:
        tail = (" So most pairs of genres are distinct on most features"
                + (", unlike the study's reading." if has_study else "."))
    return Claim("eda.overlap.verdict", head + tail, holds if has_study else None)


def _verdict_of_one_pair(pair: dict, n_features: int, o: dict, alike: bool) -> Claim:
    # Two genres: the verdict on "most pairs" is the verdict on the one pair.
    overlapping = pair["features_overlapping"]
    head = (f"Measured feature by feature, {_pair(pair)} share more than half of their "
            f"distribution (overlap coefficient at least {number(o['high_overlap'], 1)}) on "
            f"{'all' if overlapping == n_features else f'{overlapping:,} of the'} "
            f"{n_features} features.")
    tail = (" So one feature at a time, the two genres look alike." if alike else
            " So the two genres are distinct on most features.")
    if pair["balanced_accuracy"] is not None:
        tail += (f" Taken together the features tell them apart with a balanced accuracy of "
                 f"{_ba(pair)}.")
    return Claim("eda.overlap.verdict", head + tail, alike)


def overlap_by_feature(eda: dict) -> Claim:
    """The features on which the genres overlap least and most."""
    rows = [r for r in eda["overlap"]["feature_overlap"] if r["median"] is not None]
    if not rows:
        return Claim("eda.overlap.by_feature", "", None)
    least, most = rows[0], rows[-1]
    if len(eda["overlap"]["pairs"]) == 1:  # two genres: each feature's overlap is the pair's
        high = eda["overlap"]["high_overlap"]
        alike = [r for r in rows if r["median"] >= high]
        return Claim("eda.overlap.by_feature",
                     f"The two genres overlap least on {_b(least['feature'])} (overlap "
                     f"{number(least['median'], 2)}) and most on {_b(most['feature'])} "
                     f"({number(most['median'], 2)}); they share more than half of their "
                     f"distribution on {len(alike):,} of the {len(rows)} features.",
                     len(alike) * 2 > len(rows))
    apart = [r for r in rows if r["share_high"] < 0.5]
    head = (f"The genres overlap least on {_b(least['feature'])} (median overlap "
            f"{number(least['median'], 2)}; {pct(least['share_high'], 0)} of the pairs share more "
            f"than half their distribution) and most on {_b(most['feature'])} "
            f"({number(most['median'], 2)}; {pct(most['share_high'], 0)} of the pairs).")
    if apart:
        names = join([_b(r["feature"]) for r in apart])
        return Claim("eda.overlap.by_feature", f"{head} On {names}, most pairs are apart.", False)
    return Claim("eda.overlap.by_feature", head + " On every feature, most pairs overlap by more "
                 "than half.", True)


def overlap_method(eda: dict) -> Claim:
    """Which pairs the classifier measured and how far the cheap estimate is from it."""
    o = eda["overlap"]
    total = len(o["pairs"])
    agree = o["estimate_agreement"]
    if not agree["pairs"]:
        return Claim("eda.overlap.method", "", None)
    check = (f"the two differ by {number(agree['mean_abs_diff'], 3)} on average (at most "
             f"{number(agree['max_abs_diff'], 3)}")
    check += (f"; rank correlation {number(agree['rank_correlation'], 2)})"
              if agree["rank_correlation"] is not None else ")")
    if o["estimated_pairs"]:
        return Claim("eda.overlap.method",
                     f"The classifier ran on {o['exact_pairs']:,} of the {plural(total, 'pair')}: "
                     f"the ones the Gaussian estimate finds hardest to separate. The other "
                     f"{o['estimated_pairs']:,} show the estimate (marked \"estimated\"); on the "
                     f"{agree['pairs']:,} pairs that have both, {check}.", True)
    ran = "the one pair" if total == 1 else f"all {plural(total, 'pair')}"
    return Claim("eda.overlap.method",
                 f"The classifier ran on {ran}. A closed-form estimate (the "
                 "accuracy of the best linear rule if both genres were Gaussian) stands in for it "
                 f"when a data set has more than {plural(o['max_exact_pairs'], 'pair')}; here "
                 f"{check}.",
                 False)


# --- joined with the models ------------------------------------------------------------------

def overlap_confusion(results: dict) -> Claim:
    """Do the pairs the model confuses most match the pairs that overlap most?"""
    m = results.get("models", {})
    model = m.get("summary", {}).get("best_val")
    if not model or "confusion" not in m.get(model, {}):
        return Claim("eda.overlap.confusion", "", None)
    largest = results["eda"]["shares"][0]["genre"]
    c = links.confusion_vs_overlap(results["eda"]["overlap"], m[model]["confusion"],
                                   leave_out=largest)
    if not c["top"] or c["rank_correlation"] is None:
        return Claim("eda.overlap.confusion", "", None)
    name = _b(m[model]["name"])
    shared = len(c["shared"])
    matches = shared * 2 > c["top"]
    confused = [f"{_pair(p)} ({pct(p['confusion'])})" for p in c["most_confused"][:NAMED]]
    head = (f"The pairs {name} mixes up most on the test songs are {join(confused)} (the mean "
            f"share of each genre's songs it gives to the other). {shared} of its "
            f"{c['top']} most confused pairs are among the {c['top']} hardest to separate "
            f"here, and over all {plural(len(c['pairs']), 'pair')} the rank correlation "
            f"between confusion and separability is {number(c['rank_correlation'], 2)} "
            f"({_strength(c['rank_correlation'])}; negative means: the harder to separate, the "
            "more confused).")
    if matches:
        head += " The confusions largely follow the overlap."
    else:
        head += " The confusions do not follow the overlap closely."
    # A genre in most of the top confusions is usually the largest one that the model leans to.
    counts: dict = {}
    for p in c["most_confused"]:
        for g in (p["a"], p["b"]):
            counts[g] = counts.get(g, 0) + 1
    n = max(counts.values(), default=0)
    tied = sorted(g for g, k in counts.items() if k == n)
    # Among genres in equally many top pairs, the largest is the one that explains them.
    hub = largest if largest in tied else (tied[0] if len(tied) == 1 else None)
    if hub is not None and n * 2 > c["top"]:
        count = f"All {c['top']}" if n == c["top"] else f"{n} of the {c['top']}"
        if hub == largest:
            head += (f" {count} involve {_b(hub)}, the largest genre, which a model leans "
                     "towards when in doubt")
            without = c["rank_correlation_without"]
            head += (f"; without its pairs the rank correlation is {number(without, 2)}."
                     if without is not None else ".")
        else:
            head += f" {count} involve {_b(hub)}."
    return Claim("eda.overlap.confusion", head, matches)


def separation_importance(results: dict) -> Claim:
    """Are the features that separate the genres on their own the ones the model relies on?"""
    model = links.reference_model(results)
    if model is None:
        return Claim("eda.separation.importance", "", None)
    m = results["models"][model]
    j = links.importance_vs_separation(results["eda"]["separation"], m["importances"])
    if j["rank_correlation"] is None:
        return Claim("eda.separation.importance", "", None)
    r = j["rank_correlation"]
    holds = r >= STRONG
    shared = j["shared_top"]
    verb = "is" if len(shared) == 1 else "are"
    same = (f"{len(shared)} of them ({join([_b(f) for f in shared])}) {verb} among its top "
            f"{j['top']}" if shared else f"none of them is among its top {j['top']}")
    verdict = ("the model relies on much the same features that separate the genres on their "
               "own" if holds else
               "the model's ranking differs from what the features do on their own: it draws on "
               "features in combination")
    return Claim("eda.separation.importance",
                 f"The {j['top']} features that separate the genres most on their own are "
                 f"{join([_b(f) for f in j['top_separating']])}; {_b(m['name'])} relies most on "
                 f"{join([_b(f) for f in j['top_important']])}, so {same}. Over all "
                 f"{j['features']} features the rank correlation between mutual information and "
                 f"its importances is {number(r, 2)}: {verdict}.", holds)


# --- data alerts ------------------------------------------------------------------------------

def alert_correlation(eda: dict) -> Claim:
    """Pairs of features that move together strongly."""
    a = eda["alerts"]["strong_correlations"]
    pairs = a["pairs"]
    if not pairs:
        return Claim("eda.alert.correlation", f"No two features correlate at "
                     f"{number(a['threshold'], 1)} or more (Pearson or Spearman, all songs).",
                     False)
    parts = [f"{_b(p['x'])} and {_b(p['y'])} (Pearson {number(p['pearson'], 2)}, Spearman "
             f"{number(p['spearman'], 2)})" for p in pairs]
    return Claim("eda.alert.correlation",
                 f"Strongly correlated (either coefficient at least {number(a['threshold'], 1)} "
                 "in size, over all songs): "
                 f"{join(parts)}. Such features carry partly the same information, so a model's "
                 "importances spread between them.", True)


def alert_imbalance(eda: dict) -> Claim:
    """Unequal genres, and categorical features that one value dominates."""
    a = eda["alerts"]["imbalance"]
    head = (f"The largest genre, {_b(a['largest']['genre'])}, has "
            f"{number(a['ratio'], 1)} times the songs of the smallest, "
            f"{_b(a['smallest']['genre'])} ({a['largest']['count']:,} against "
            f"{a['smallest']['count']:,})")
    head += (f": imbalanced (the alert fires from {a['ratio_threshold']} times)." if a["fired"]
             else f", below the {a['ratio_threshold']} times at which this alert fires.")
    dominated = [c for c in a["categorical"] if c["fired"]]
    if dominated:
        parts = [f"{_b(c['feature'])} is {number(c['value'], 0)} for {pct(c['share'])} of the songs"
                 for c in dominated]
        head += f" One value dominates: {join(parts)}."
    return Claim("eda.alert.imbalance", head, a["fired"] or bool(dominated))


def alert_zeros(eda: dict) -> Claim:
    """Features that are often exactly 0."""
    a = eda["alerts"]["zeros"]
    if not a["features"]:
        return Claim("eda.alert.zeros", f"No feature is exactly 0 for {pct(a['threshold'], 0)} "
                     "of the songs or more.", False)
    parts = [f"{_b(r['feature'])} is exactly 0 for {plural(r['count'], 'song')} "
             f"({pct(r['share'])})" for r in a["features"]]
    return Claim("eda.alert.zeros", f"Many zeros: {join(parts)}. A spike at 0 means \"none "
                 "detected\" rather than a measured small value, so its histogram has a tall "
                 "first bar.", True)


def alert_constant(eda: dict) -> Claim:
    """Features with a single value, overall or within a genre."""
    a = eda["alerts"]["constant"]
    if a["features"]:
        return Claim("eda.alert.constant", f"Constant over all songs (no information): "
                     f"{join([_b(f) for f in a['features']])}.", True)
    if a["within_genre"]:
        parts = [f"{_b(r['feature'])} in {_b(r['genre'])}" for r in a["within_genre"][:NAMED]]
        more = len(a["within_genre"]) - NAMED
        tail = f" and {more:,} more" if more > 0 else ""
        return Claim("eda.alert.constant", f"No feature is constant over all songs, but some are "
                     f"within a genre: {join(parts)}{tail}.", True)
    return Claim("eda.alert.constant", "No feature is constant, over all songs or within any "
                 "genre.", False)


def alert_duplicates(eda: dict, audit: dict | None) -> Claim:
    """Songs repeated on the features plus the genre, and the audit's wider count of twins."""
    d = eda["alerts"]["duplicates"]
    n_features = len(d["on"]) - 1
    if not d["groups"]:
        head = (f"No two songs share all {n_features} features and the genre.")
    else:
        head = (f"{plural(d['groups'], 'combination')} of the {n_features} features and the genre "
                f"occur more than once: {d['rows_in_groups']:,} songs "
                f"({pct(d['rows_in_groups'] / max(d['rows'], 1))}) share features and genre with "
                f"another song, {d['extra_copies']:,} of them copies beyond the first. (A profiler "
                f"counts the {d['groups']:,} combinations; rows equal in every column were "
                "already dropped on the Data page.)")
    if audit and audit.get("duplicates"):
        a = audit["duplicates"]
        head += (f" Counting rows that share a track id as well, the [audit](audit.md) finds "
                 f"{a['twin_rows']:,} songs in {plural(a['twin_groups'], 'group')} of twins, and "
                 f"{plural(a['mixed_genre_vectors'], 'feature vector')} carrying more than one "
                 f"genre ({a['mixed_genre_vector_rows']:,} songs), which no model can all get "
                 "right.")
    return Claim("eda.alert.duplicates", head, bool(d["groups"]))


def claims(results: dict) -> list:
    """The claims of the Exploration and Genre overlap pages (and the joins on Models)."""
    eda = results["eda"]
    if "overlap" not in eda:
        return []
    said = results.get("study", {}).get("said", {})
    return [separation_top(eda), overlap_hardest(eda), overlap_easiest(eda), overlap_spread(eda),
            overlap_study(said), overlap_verdict(eda, bool(said.get("overlap"))),
            overlap_by_feature(eda), overlap_method(eda),
            overlap_confusion(results), separation_importance(results),
            alert_correlation(eda), alert_imbalance(eda), alert_zeros(eda), alert_constant(eda),
            alert_duplicates(eda, results.get("audit"))]
