"""Tables of the Audit page, built from results["audit"] only."""

from __future__ import annotations

from genrereport.tables import Column, Table


def _ci(interval) -> str:
    return "–" if not interval else f"{100 * interval[0]:+.1f} to {100 * interval[1]:+.1f} points"


def _range(interval) -> str:
    return "–" if not interval else f"{100 * interval[0]:.1f} % to {100 * interval[1]:.1f} %"


def _duplicates(a: dict) -> Table:
    d = a["duplicates"]
    rows = [
        {"what": "songs after exact duplicates were dropped", "rows": d["rows"], "groups": None},
        {"what": "rows sharing a track id with another row", "rows": d["track_rows"],
         "groups": d["repeated_tracks"]},
        {"what": "rows identical to another on every model feature", "rows": d["feature_rows"],
         "groups": d["repeated_vectors"]},
        {"what": "twins (either, joined transitively)", "rows": d["twin_rows"],
         "groups": d["twin_groups"]},
        {"what": "rows of a track that carries more than one genre",
         "rows": d["mixed_genre_track_rows"], "groups": d["mixed_genre_tracks"]},
        {"what": "rows of a feature vector that carries more than one genre",
         "rows": d["mixed_genre_vector_rows"], "groups": d["mixed_genre_vectors"]},
    ]
    return Table("audit-duplicates", "Duplicates beyond exact rows", [
        Column("what", "what"), Column("rows", "rows", "int"),
        Column("groups", "tracks or groups", "int")], rows)


def _split(a: dict) -> Table:
    s = a["split"]
    rows = [{"what": "test songs", "songs": s["test"], "share": 1.0},
            {"what": "with a training song of the same track id", "songs": s["by_track"],
             "share": s["by_track"] / s["test"]},
            {"what": "with a training song identical on every model feature",
             "songs": s["by_features"], "share": s["by_features"] / s["test"]},
            {"what": "with either: twinned", "songs": s["either"], "share": s["share"]}]
    return Table("audit-split", "Test songs with a twin in training (the study's split)", [
        Column("what", "test songs"), Column("songs", "songs", "int"),
        Column("share", "share", "pct")], rows)


def _twinned(a: dict) -> Table:
    rows = [{**r, "twinned_range": _range(r["twinned_ci"]),
             "unseen_range": _range(r["unseen_ci"]), "gap_range": _ci(r["gap_ci"])}
            for r in a["twinned"]]
    return Table("audit-twinned", "Each model's test accuracy on twinned and unseen songs", [
        Column("name", "model"), Column("twinned", "twinned", "pct"),
        Column("twinned_range", "interval"), Column("unseen", "unseen", "pct"),
        Column("unseen_range", "interval"), Column("gap", "difference", "points"),
        Column("gap_range", "interval of the difference"),
        Column("echoes_twin", "answers its twin's genre", "pct")], rows)


def _grouped(a: dict) -> Table:
    rows = [{**r, "study_range": _range(r["study_split_ci"]),
             "grouped_range": _range(r["grouped_ci"]), "drop_range": _ci(r["drop_ci"]),
             "note": r["note"] or ""} for r in a["grouped"]["models"]]
    return Table("audit-grouped", "The honest rerun: test accuracy without twins across the "
                 "split", [
                     Column("name", "model"), Column("study_split", "study's split", "pct"),
                     Column("study_range", "interval"),
                     Column("grouped", "without shared twins", "pct"),
                     Column("grouped_range", "interval"), Column("drop", "drop", "points"),
                     Column("drop_range", "interval of the drop"), Column("note", "note")],
                 rows)


def _leaks(a: dict) -> Table:
    rows = [{"title": e["title"], "study": e["study"], "here": e["here"], "effect": e["effect"],
             "range": _ci(e["effect_ci"])} for e in a["leaks"]]
    return Table("audit-leaks", "Every leak, with its measured effect on test accuracy", [
        Column("title", "leak"), Column("study", "what the study did"),
        Column("here", "what this rerun does"), Column("effect", "effect", "points"),
        Column("range", "interval")], rows)


def _weights(a: dict) -> list[Table]:
    entry = next((e for e in a["leaks"] if e["id"] == "weights_from_test"), None)
    if entry is None:
        return []
    rows = [{**f, "range": _ci(f["effect_ci"])} for f in entry["figures"]["forests"]]
    return [Table("audit-weights", "Weighted forests with the study's test-derived weights", [
        Column("name", "forest"), Column("study_way", "weights from test", "pct"),
        Column("here", "weights from training / validation", "pct"),
        Column("effect", "difference", "points"), Column("range", "interval")], rows)]


def tables(results: dict) -> list[Table]:
    """Every table of the Audit page."""
    a = results["audit"]
    return [_duplicates(a), _split(a), _twinned(a), _grouped(a), _leaks(a)] + _weights(a)
