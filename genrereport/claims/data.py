"""Claims of the Home, Data, Binning and Exploration pages."""

from __future__ import annotations

from genrereport.claims import Claim, join, plural
from genrereport.filters import code, pct, text

# A time signature below this has no musical meaning: Spotify reports 0 or 1 when it finds no
# beat (its audio-features documentation gives 3 to 7 as the range of real meters).
NO_BEAT_BELOW = 3


def pulls(data: dict) -> Claim:
    """Whose pulls these are: the study's registry files, the user's own, or a mix."""
    files = data["files"]
    ours = [f for f in files if f["registered"]]
    own = len(files) - len(ours)
    if files and not own:
        return Claim("data.pulls", f"These are the study's {plural(len(files), 'pull')}, each "
                     "checked against the hash in the project's registry; this build read them "
                     "in the study's order and checked every row.", True)
    if not ours:
        return Claim("data.pulls", f"This build read {plural(len(files), 'data file')} and "
                     "checked every row.", False)
    return Claim("data.pulls", f"This build read {plural(len(files), 'data file')}: "
                 f"{len(ours):,} of the study's, checked against the project's registry, and "
                 f"{own:,} given to it; it checked every row.", False)


ROLES = (("track_id", "track ids"), ("title", "titles"), ("artist", "artists"),
         ("tags", "genre tags"), ("label", "genres"))


def columns(data: dict) -> Claim:
    """Which column of the data plays which part, and the features the models use."""
    cols = data.get("columns") or {}
    features = data.get("features") or []
    if not cols:
        return Claim("data.columns", "", None)
    parts = [f"{what} from {code(cols[role])}" for role, what in ROLES if cols.get(role)]
    text_ = f"The build read {join(parts)}"
    text_ += (f", and {plural(len(features), 'feature')}: "
              f"{join([code(f) for f in features])}." if features else ".")
    missing = data.get("missing_features") or []
    if missing:
        text_ += (f" Not in this data, and so left out: {join([code(f) for f in missing])}.")
    return Claim("data.columns", text_, not missing)


def validation(data: dict, study: dict) -> Claim:
    """What the checks of every row were, for this data's columns."""
    from genrereport.study import INTEGER_FEATURES, NON_NEGATIVE_FEATURES, UNIT_FEATURES

    features = data.get("numeric_columns") or data.get("features") or []
    checks = ["every feature is a number"]
    unit = [f for f in features if f in UNIT_FEATURES]
    if unit:
        checks.append("the zero-to-one features lie between zero and one")
    nonneg = [f for f in features if f in NON_NEGATIVE_FEATURES]
    if nonneg:
        checks.append(f"{join([code(f) for f in nonneg])} "
                      f"{'is' if len(nonneg) == 1 else 'are'} not negative")
    whole = [f for f in features if f in INTEGER_FEATURES]
    if whole:
        checks.append(f"{join([code(f) for f in whole])} "
                      f"{'is a whole number' if len(whole) == 1 else 'are whole numbers'}")
    columns = study.get("columns", {})
    if columns.get("tags") and columns.get("tags_format") == "list":
        checks.append("the genre tags are a readable list")
    return Claim("data.validation", f"Validation checks that {join(checks)}.", None)


def dedup(data: dict) -> Claim:
    """How duplicates were dropped, and how many."""
    d = data.get("dedup") or {"mode": "exact"}
    removed, left = data["duplicates_dropped"], data["rows_after_dedup"]
    if d.get("mode") == "track_id":
        head = "Rows of the same track id count as duplicates; the first of each is kept"
        if d.get("multi_label") and d.get("multi_label_tracks"):
            rule = {"first": "its first row decides its genre",
                    "majority": "its commonest genre is kept",
                    "drop": "it is left out"}[d["multi_label"]]
            head += (f". {plural(d['multi_label_tracks'], 'track')} carried more than one genre: "
                     f"{rule}")
    else:
        head = "Two rows count as duplicates only when every column is equal; the first of each "
        head += "group is kept"
    notes = " ".join(n[0].upper() + n[1:] + "." for n in d.get("notes") or [])
    return Claim("data.dedup", f"{head}. That removes {removed:,} rows and leaves {left:,}, with "
                 f"{data['null_cells']:,} empty cells. {notes}".strip(), bool(removed))


def binning_summary(binning: dict) -> Claim:
    """One line for the Home page's list of pages."""
    n = len(binning["counts"])
    if binning.get("mode") == "label":
        return Claim("binning.summary", f"the {plural(n, 'genre')} of the data, and how many "
                     "songs each has.", None)
    return Claim("binning.summary", f"how each song's genre tags become one of {n} target "
                 "genres, and how much the rule order matters.", None)


def time_signature_note(data: dict) -> Claim:
    """Why the time signature is missing, if it is."""
    if data["has_time_signature"]:
        return Claim("data.time_signature", "", True)
    source = str(data.get("feature_source") or "")
    why = (" (the ReccoBeats feature source does not report it)"
           if "reccobeats" in source.lower() else "")
    return Claim("data.time_signature", f"This data set has no `time_signature` column{why}, so "
                 "that feature is left out of the models and charts.", False)


# How the scraper names the places genres came from (genre_source in the pulls' manifest).
GENRE_SOURCES = {"spotify": "Spotify", "musicbrainz": "MusicBrainz",
                 "musicbrainz-tags": "MusicBrainz tags", "file": "the scraper's genres file"}


def genre_source(data: dict) -> Claim:
    """Where the artists' genres came from, when a scrape manifest says so."""
    sources = data.get("genre_source") or {}
    if not sources:
        return Claim("data.genre_source", "", None)
    parts = [f"**{text(GENRE_SOURCES.get(k, k))}** ({plural(n, 'row')})"
             for k, n in sorted(sources.items(), key=lambda kv: -kv[1])]
    return Claim("data.genre_source", f"Genres came from: {join(parts)}.",
                 set(sources) != {"spotify"})


def order_example(binning: dict) -> Claim:
    """An example, from this build's songs, of a song whose genre the rule order decided."""
    examples = binning.get("order_examples") or []
    if not examples:
        return Claim("binning.order_example", "No song matched more than one rule, so here the "
                     "order of the rules decided nothing.", False)
    e = examples[0]
    return Claim(
        "binning.order_example",
        f"The order is a judgement call. The commonest case here: {e['songs']:,} songs match "
        f"both the **{text(e['winner'])}** rule and the **{text(e['other'])}** rule and land in "
        f"{text(e['winner'])}, because its rule is tried first; one of them is tagged "
        f"{code(e['example'])}.", True)


def multi_match(binning: dict) -> Claim:
    """How many songs more than one rule matched (where the order chose)."""
    n, rows = binning["multi_match"], binning["rows"]
    if not n:
        return Claim("binning.multi_match", "No song matched more than one rule.", False)
    return Claim("binning.multi_match", f"{plural(n, 'song')} ({pct(n / rows)}) matched more "
                 "than one rule, so for them the order of the rules chose the genre.", True)


def too_small(binning: dict) -> Claim:
    """Which genres are too small to analyse, if any."""
    small = binning.get("too_small") or {"dropped": [], "min_songs": None}
    dropped = small["dropped"]
    if not dropped:
        return Claim("binning.too_small", (f"Every target genre has at least "
                                            f"{plural(small['min_songs'], 'song')}, enough for "
                                            "the splits and folds of the analyses.")
                     if small["min_songs"] else "", False)
    names = join([f"{text(d['genre'])} ({d['songs']:,})" for d in dropped])
    return Claim("binning.too_small",
                 f"{plural(len(dropped), 'genre')} {'has' if len(dropped) == 1 else 'have'} "
                 f"fewer than {plural(small['min_songs'], 'song')}, too few to appear in every "
                 f"split and fold of the analyses, and {'is' if len(dropped) == 1 else 'are'} "
                 f"left out: {names}.", True)


def time_signatures(eda: dict) -> Claim:
    """The commonest time signature and its share, and the songs with no beat found."""
    counts = eda.get("time_signature_counts")
    if not counts:
        return Claim("eda.time_signature", "", None)
    total = sum(r["count"] for r in counts)
    top = max(counts, key=lambda r: r["count"])
    share = top["count"] / total
    meter = (f"{top['time_signature']}/4" if top["time_signature"] >= NO_BEAT_BELOW else
             f"a time signature of {top['time_signature']}")
    lead = (f"Most songs ({pct(share)}) are in {meter}" if share > 0.5 else
            f"The commonest, {meter}, covers only {pct(share)} of the songs")
    odd = [r for r in counts if r["time_signature"] < NO_BEAT_BELOW]
    n_odd = sum(r["count"] for r in odd)
    if n_odd:
        values = join(sorted(str(r["time_signature"]) for r in odd), "or")
        lead += (f". {plural(n_odd, 'song')} {'has' if n_odd == 1 else 'have'} a time "
                 f"signature of {values}, which is not a meter: Spotify's analysis found no beat "
                 "in them.")
    else:
        lead += "."
    return Claim("eda.time_signature", lead, share > 0.5)


def tempo_zero(eda: dict) -> Claim:
    """How many songs have tempo 0 and where they sit."""
    n = eda["tempo_zero_count"]
    if not n:
        return Claim("eda.tempo_zero", "No song has a tempo of 0.", False)
    by_genre = sorted(eda["tempo_zero_by_genre"], key=lambda r: (-r["count"], r["genre"]))
    top = by_genre[0]
    share = top["count"] / n
    head = f"{plural(n, 'song')} {'has' if n == 1 else 'have'} a tempo of 0: no beat was found"
    if share > 0.5:
        return Claim("eda.tempo_zero", f"{head}, and most of them ({pct(share)}) are "
                     f"{text(top['genre'])}.", True)
    return Claim("eda.tempo_zero", f"{head}. They are spread over "
                 f"{plural(len(by_genre), 'genre')}; the most, {top['count']:,}, are "
                 f"{text(top['genre'])}.", False)


def largest_genre(eda: dict) -> Claim:
    """The largest genre, whose share is the bar a classifier must clear."""
    top = eda["shares"][0]
    return Claim("eda.largest_genre",
                 f"The largest genre, **{text(top['genre'])}**, holds {pct(top['share'])} of the "
                 f"songs: a model that always answers \"{text(top['genre'])}\" is right that "
                 "often, so that is the bar every classifier has to clear.", None)


def claims(results: dict) -> list:
    """The claims of the data pages."""
    out = [pulls(results["data"]), columns(results["data"]), genre_source(results["data"]),
           validation(results["data"], results.get("study", {})), dedup(results["data"]),
           binning_summary(results["binning"]),
           time_signature_note(results["data"]),
           order_example(results["binning"]), too_small(results["binning"]),
           multi_match(results["binning"])]
    if "eda" in results:
        eda = results["eda"]
        out += [time_signatures(eda), tempo_zero(eda), largest_genre(eda)]
    return out

