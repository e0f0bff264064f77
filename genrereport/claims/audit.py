"""Claims of the Audit page: what leaked, by how much, and how far to trust the figures."""

from __future__ import annotations

from genrereport.claims import Claim, join, plural
from genrereport.filters import pct, points, text

# A leak "matters" when its effect is at least this many accuracy points and its interval
# excludes zero: smaller effects are below what a reader would act on.
MATERIAL = 0.005


def _points(x: float) -> str:
    """0.038 → '3.8 points' (a size, without its sign)."""
    return points(abs(x))[1:]


def _ci(interval) -> str:
    return f"{points(interval[0])} to {points(interval[1])}" if interval else "–"


def material(effect: float | None, interval) -> bool:
    """Is a measured effect both large enough to matter and clear of zero?"""
    if effect is None or interval is None:
        return False
    return abs(effect) >= MATERIAL and (interval[0] > 0 or interval[1] < 0)


def duplicates(a: dict) -> Claim:
    """Rows beyond exact duplicates that repeat a track or a feature vector."""
    d = a["duplicates"]
    if not d["twin_rows"]:
        return Claim("audit.duplicates", f"No two of the {d['rows']:,} songs share a track id "
                     "or all their model features: there are no twins.", False)
    text_ = (f"Of the {d['rows']:,} songs, {d['track_rows']:,} share their track id with "
             f"another row ({plural(d['repeated_tracks'], 'track')} pulled more than once) "
             f"and {d['feature_rows']:,} are identical to another row on every model feature. "
             f"Joined, these make {plural(d['twin_groups'], 'group')} of twins holding "
             f"{d['twin_rows']:,} songs.")
    if d["mixed_genre_vectors"]:
        text_ += (f" {plural(d['mixed_genre_vectors'], 'feature vector')} "
                  f"({d['mixed_genre_vector_rows']:,} rows) carry more than one genre, so no "
                  f"model of these features can be right about every song: at best "
                  f"{pct(d['ceiling'])}.")
    return Claim("audit.duplicates", text_, True)


def split(a: dict) -> Claim:
    """Test songs with a twin among the training songs."""
    s = a["split"]
    if not s["either"]:
        return Claim("audit.split", "No test song has a twin among the training songs.", False)
    return Claim("audit.split",
                 f"With the study's split, {s['either']:,} of the {s['test']:,} test songs "
                 f"({pct(s['share'])}) have a twin among the training songs: {s['by_track']:,} "
                 f"share a track id with one, {s['by_features']:,} are identical to one on every "
                 "feature (most are both).", True)


def twinned(a: dict, model_id: str = "rf") -> Claim:
    """How much better a model does on twinned test songs than on unseen ones."""
    row = next((r for r in a["twinned"] if r["model"] == model_id), None)
    if row is None or row["twinned"] is None or row["unseen"] is None:
        return Claim("audit.twinned", "", None)
    big = material(row["gap"], row["gap_ci"])
    if big and row["gap"] > 0:
        verdict = "it remembers the twins"
    elif big:
        verdict = "it does worse on twins than on unseen songs"
    else:
        verdict = "no clear difference between twins and unseen songs"
    return Claim("audit.twinned",
                 f"{text(row['name'])} names the genre of {pct(row['twinned'])} of the twinned "
                 f"test songs but {pct(row['unseen'])} of the unseen ones (difference "
                 f"{points(row['gap'])}, interval {_ci(row['gap_ci'])}); on twinned songs it "
                 f"gives the twin's training genre {pct(row['echoes_twin'])} of the time: "
                 f"{verdict}.", big and row["gap"] > 0)


def grouped(a: dict) -> Claim:
    """The honest rerun: which models lose (or gain) accuracy without twins across the split."""
    g = a["grouped"]
    drops = [m for m in g["models"] if material(m["drop"], m["drop_ci"]) and m["drop"] > 0]
    gains = [m for m in g["models"] if material(m["drop"], m["drop_ci"]) and m["drop"] < 0]
    steady = [m for m in g["models"] if m not in drops and m not in gains]
    parts = []
    if drops:
        parts.append(join([f"{text(m['name'])} loses {_points(m['drop'])}" for m in drops]))
    if gains:
        parts.append(join([f"{text(m['name'])} gains {_points(m['drop'])}" for m in gains]))
    if steady:
        parts.append(f"{join([text(m['name']) for m in steady])} "
                     f"{'changes' if len(steady) == 1 else 'change'} by less than chance explains")
    how = ("stratified by each group's commonest genre" if g.get("stratified", True)
           else "not stratified: some genres had too few groups")
    return Claim("audit.grouped",
                 f"Retrained on a split that keeps every twin group on one side ({how}; "
                 f"{g['groups_on_two_sides']} groups on two sides), "
                 + "; ".join(parts) + ".", bool(drops))


def leak(entry: dict) -> Claim:
    """One leak and whether its measured effect matters."""
    effect, ci = entry["effect"], entry["effect_ci"]
    cid = f"audit.leak.{entry['id']}"
    if effect is None:
        return Claim(cid, "Not measured in this build.", None)
    if material(effect, ci):
        direction = "flatters" if effect > 0 else "understates"
        return Claim(cid, f"Measured effect: {points(effect)} (interval {_ci(ci)}); the study's "
                     f"way {direction} the test score by {_points(effect)}.", True)
    return Claim(cid, f"Measured effect: {points(effect)} (interval {_ci(ci)}), too small or "
                 "too uncertain to matter.", False)


def forest_name(row: dict, m: dict) -> str:
    """The audit's forest by its size, with the Models page's forest beside it when the two
    differ: one name per number."""
    trees = row.get("trees")
    rf = m.get("rf", {})
    shown = rf.get("params", {}).get("n_estimators")
    if trees is None or shown is None or trees == shown:
        return "The forest"
    return (f"The {trees:,}-tree forest that the audit retrains (the Models page's "
            f"{shown:,}-tree forest scores {pct(rf['test_accuracy'])})")


def verdict(a: dict, m: dict | None = None) -> Claim:
    """How far to trust the headline figures, in plain words."""
    flatter = [e for e in a["leaks"] if material(e["effect"], e["effect_ci"]) and e["effect"] > 0]
    understate = [e for e in a["leaks"]
                  if material(e["effect"], e["effect_ci"]) and e["effect"] < 0]
    rf = next((m for m in a["grouped"]["models"] if m["model"] == "rf"), None)
    parts = []
    if not flatter and not understate:
        return Claim("audit.verdict", "None of the leaks measured here moves a test score by "
                     "more than chance explains: the figures on the Models pages can be read as "
                     "they stand, within their intervals.", True)
    if flatter:
        parts.append(f"The leaks that flatter the scores here: "
                     f"{join([text(e['title']).lower() for e in flatter])}.")
        if rf is not None and material(rf["drop"], rf["drop_ci"]) and rf["drop"] > 0:
            parts.append(f"{forest_name(rf, m or {})} scores {pct(rf['study_split'])} on the "
                         f"study's split, an optimistic figure: on songs whose track it has "
                         f"never seen it scores {pct(rf['grouped'])}, {_points(rf['drop'])} "
                         f"lower. Read the study's "
                         "figures as upper bounds, and the grouped rerun's as what to expect on "
                         "new songs.")
        else:
            parts.append("Read the affected scores with the measured effects in mind.")
    if understate:
        parts.append(f"The study's way costs accuracy here rather than adding it: "
                     f"{join([text(e['title']).lower() for e in understate])}.")
    return Claim("audit.verdict", " ".join(parts), False)


def twins_why(said: dict) -> Claim:
    """Why the data hold the same track more than once (the study's reason, where it gave one)."""
    generic = ("The same track can be in the data more than once, under two artists or two "
               "genres. Dropping exact duplicates (every column equal) does not remove such "
               "rows when any other column differs.")
    if said.get("twins"):
        return Claim("audit.twins_why", f"{text(said['twins'])} {generic}", None, True)
    return Claim("audit.twins_why", generic, None)


def claims(results: dict) -> list:
    """The claims of the Audit page."""
    a = results["audit"]
    said = results.get("study", {}).get("said", {})
    return ([duplicates(a), split(a), twinned(a), grouped(a),
             verdict(a, results.get("models", {})), twins_why(said)]
            + [leak(e) for e in a["leaks"]])
