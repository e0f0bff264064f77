"""Tables of the Data, Binning and Exploration pages."""

from __future__ import annotations

from genrereport.tables import Column, Table


def _too_small(results: dict) -> int:
    return (results["binning"].get("too_small") or {}).get("rows_dropped", 0)


def _data(results: dict) -> list[Table]:
    data = results["data"]
    files = Table("data-files", "Pulls read", [
        Column("name", "file"), Column("rows", "rows", "int"), Column("registered", "registry file"),
        Column("sha256", "sha256")],
        [{**f, "registered": "yes, hash checked" if f["registered"] else "no (own pull)",
          "sha256": f["sha256"][:16] + "…"} for f in data["files"]])
    funnel = Table("data-funnel", "From pulled rows to clean songs", [
        Column("step", "step"), Column("rows", "rows", "int")], [
        {"step": "rows pulled", "rows": data["rows_pulled"]},
        {"step": "rejected by validation", "rows": data["rows_rejected"]},
        {"step": "exact duplicates dropped", "rows": data["duplicates_dropped"]},
        {"step": "rows after de-duplication", "rows": data["rows_after_dedup"]},
        {"step": "unbinned (no rule matched)", "rows": results["binning"]["unbinned"]},
        {"step": "in genres too small to analyse", "rows": _too_small(results)},
        {"step": "songs in the analyses", "rows": results["binning"]["rows"] - _too_small(results)},
    ])
    rejects = Table("data-rejects", "Rejected rows by reason", [
        Column("reason", "reason"), Column("count", "rows", "int")],
        [{"reason": k, "count": v} for k, v in data["rejected_by_reason"].items()])
    examples = Table("data-reject-examples", "First rejected rows", [
        Column("file", "file"), Column("line", "line", "int"), Column("reason", "reason")],
        data["reject_examples"])
    return [files, funnel, rejects, examples]


def _binning(results: dict) -> list[Table]:
    b = results["binning"]
    rules = Table("binning-rules", "The rules, in the order they are tried", [
        Column("order", "order", "int"), Column("target", "target"), Column("pattern", "regex", "code")],
        [{"order": i, **r} for i, r in enumerate(b["rules"], start=1)])
    total = b["rows"] or 1
    counts = Table("binning-counts", "Songs per target genre", [
        Column("target", "target"), Column("count", "songs", "int"), Column("share", "share", "pct"),
        Column("matched", "songs the rule matched", "int"),
        Column("multi", "of its songs, also matched by another rule", "int")],
        [{"target": t, "count": n, "share": n / total, "matched": b["matches_by_rule"].get(t, 0),
          "multi": b["multi_match_by_target"].get(t, 0)} for t, n in b["counts"].items()])
    return [rules, counts]


def _eda(results: dict) -> list[Table]:
    eda = results["eda"]
    out = []
    if eda.get("time_signature_counts") is not None:
        out.append(Table("eda-time-signature", "Songs per time signature", [
            Column("time_signature", "time signature", "int"), Column("count", "songs", "int")],
            eda["time_signature_counts"]))
    out.append(Table("eda-mode", "Songs per mode (1 major, 0 minor)", [
        Column("mode", "mode", "int"), Column("count", "songs", "int")], eda["mode_counts"]))
    out.append(Table("eda-tempo-zero-genres", "Songs with tempo 0, by genre", [
        Column("genre", "genre"), Column("count", "songs", "int")], eda["tempo_zero_by_genre"]))
    out.append(Table("eda-tempo-zero", "Songs with tempo 0", [
        Column("track_name", "track"), Column("artist_name", "artist"), Column("target", "genre"),
        Column("genre", "Spotify genres")], eda["tempo_zero_tracks"]))
    out.append(Table("eda-summary", "Summary of the model features", [
        Column("feature", "feature"), Column("mean", "mean", "float3"), Column("std", "std", "float3"),
        Column("min", "min", "float3"), Column("50%", "median", "float3"),
        Column("max", "max", "float3")], eda["feature_summary"]))
    return out


def tables(results: dict) -> list[Table]:
    out = _data(results) + _binning(results)
    if "eda" in results:
        out += _eda(results)
    return out
