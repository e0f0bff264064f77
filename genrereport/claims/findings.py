"""What we found: the study's two questions answered in a few sentences, for the Home page's
first screen and the Conclusion's "In short". Each sentence is computed from results, names the
model (and its size where it differs from the Models page) and the split behind its number."""

from __future__ import annotations

from genrereport.claims import Claim, join
from genrereport.filters import number, pct, points, text

# How many confused pairs and features the summary names.
NAMED = 3
# A test accuracy from which "predicts the genre well" rather than "far from perfectly".
WELL = 0.8


def _b(value) -> str:
    return f"**{text(value)}**"


def _best(results: dict) -> tuple[dict, str] | None:
    m = results.get("models", {})
    pick = m.get("summary", {}).get("best_val")
    return (m, pick) if pick and pick in m and "uncertainty" in m else None


def classifier(results: dict) -> Claim:
    """The best clean model's test accuracy with its interval, against the majority baseline."""
    found = _best(results)
    if found is None:
        return Claim("findings.classifier", "", None)
    m, pick = found
    r, base = m[pick], m["setup"]["baseline"]
    lo, hi = m["uncertainty"]["models"][pick]["accuracy_ci"]
    level = pct(m["uncertainty"]["level"], 0)
    clears = lo > base["test_accuracy"]
    verdict = ("so the audio features do predict the genre, far from perfectly"
               if clears and r["test_accuracy"] < WELL else
               "so the audio features predict the genre well" if clears else
               "so it cannot be told apart from always answering the largest genre")
    return Claim("findings.classifier",
                 f"**Can audio features predict the genre?** The best model (picked on "
                 f"validation), {_b(r['name'])}, names the genre of {pct(r['test_accuracy'])} "
                 f"of the test songs ({level} interval {pct(lo)} to {pct(hi)}), against "
                 f"{pct(base['test_accuracy'])} for always answering the training songs' "
                 f"commonest genre, {text(base['genre'])}: "
                 f"{points(r['test_accuracy'] - base['test_accuracy'])}, "
                 f"{verdict}.", clears)


def grouped(results: dict) -> Claim:
    """What the best model (or the forest) scores on songs whose track it has never seen."""
    found = _best(results)
    rows = results.get("audit", {}).get("grouped", {}).get("models", [])
    if found is None or not rows:
        return Claim("findings.grouped", "", None)
    m, pick = found
    row = next((r for r in rows if r["model"] == pick), rows[0])
    name = _sized(row, m)
    lower = row["drop"] is not None and row["drop_ci"] and row["drop_ci"][0] > 0
    size = points(abs(row["drop"]))[1:]
    change = (f"{size} {'below' if row['drop'] >= 0 else 'above'} the same model on the "
              f"study's split ({pct(row['study_split'])})")
    tail = ("; the study's split flatters it" if lower else
            "; the difference is within what chance explains")
    return Claim("findings.grouped",
                 f"On songs whose track it never saw in training (the Audit's grouped split), "
                 f"{name} scores {pct(row['grouped'])} (interval {pct(row['grouped_ci'][0])} to "
                 f"{pct(row['grouped_ci'][1])}), {change}{tail}.", bool(lower))


def _sized(row: dict, m: dict) -> str:
    """The model of an audit row by name, with its size where it differs from the Models
    page's model ("the 1,000-tree Random forest")."""
    trees = row.get("trees")
    shown = m.get(row["model"], {}).get("params", {}).get("n_estimators")
    if trees is not None and trees != shown:
        return f"the {trees:,}-tree {_b(row['name'])}"
    return _b(row["name"])


def confusions(results: dict) -> Claim:
    """The pairs of genres the best model mixes up most on the test songs."""
    found = _best(results)
    if found is None or "confusion" not in found[0][found[1]]:
        return Claim("findings.confusions", "", None)
    m, pick = found
    pairs = confused_pairs(m[pick]["confusion"])[:NAMED]
    if not pairs:
        return Claim("findings.confusions", "", None)
    if len(confused_pairs(m[pick]["confusion"])) == 1:
        a, b, share = pairs[0]
        return Claim("findings.confusions",
                     f"It mixes up {_b(a)} and {_b(b)} on {pct(share)} of their test songs (the "
                     f"mean of the two genres' shares).", None)
    named = [f"{_b(a)} and {_b(b)} ({pct(share)})" for a, b, share in pairs]
    return Claim("findings.confusions",
                 f"The genres it confuses most: {join(named)} (the mean share of each genre's "
                 f"test songs it gives to the other).", None)


def confused_pairs(confusion: dict) -> list[tuple[str, str, float]]:
    """Every pair of genres with the mean share of each one's test songs given to the other,
    most confused first (rows are the true genres)."""
    labels, matrix = confusion["labels"], confusion["matrix"]
    totals = [sum(row) for row in matrix]
    out = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            if totals[i] and totals[j]:
                share = (matrix[i][j] / totals[i] + matrix[j][i] / totals[j]) / 2
                out.append((labels[i], labels[j], share))
    return sorted(out, key=lambda p: -p[2])


def features(results: dict) -> Claim:
    """The features that matter most: by permutation on the test songs where measured, else the
    model's own importances, named as such."""
    found = _best(results)
    if found is None:
        return Claim("findings.features", "", None)
    m, pick = found
    perm = m[pick].get("permutation")
    if perm:
        top = [r["feature"] for r in perm["features"][:NAMED]]
        how = "the features whose shuffling on the test songs costs it most accuracy"
    elif m[pick].get("importances"):
        top = [r["feature"] for r in m[pick]["importances"][:NAMED]]
        how = "by the model's own importance scores, the features it relies on most"
    else:
        return Claim("findings.features", "", None)
    return Claim("findings.features", f"{how[0].upper()}{how[1:]}: {join([_b(f) for f in top])}.",
                 None)


def clusters(results: dict) -> Claim:
    """Do the k-means clusters recover the genres? The best agreement, in plain words."""
    o = results.get("clustering", {}).get("conclusion", {}).get("overlap")
    if not o:
        return Claim("findings.clusters", "", None)
    v, bar = o["best_v_measure"], o["threshold"]
    recovers = v >= bar
    reading = ("they recover the genres in good part" if recovers else
               "they do not recover the genres" if v < bar / 2 else
               "they recover the genres only faintly")
    side = "above" if recovers else "below"
    return Claim("findings.clusters",
                 f"**Do k-means clusters find the genres?** The closest match between clusters "
                 f"and genres (experiment {o['best_number']}) has a V-measure of {number(v, 2)} "
                 f"(1 means the same grouping, 0 nothing in common), {side} this report's bar "
                 f"of {number(bar, 2)}: {reading}.", recovers)


def claims(results: dict) -> list:
    """The findings, in the order the Home page gives them."""
    return [classifier(results), grouped(results), confusions(results), features(results),
            clusters(results)]
