"""Tables of the Data, Binning and Exploration pages."""

from __future__ import annotations

from genrereport.tables import Column, Table


def _too_small(results: dict) -> int:
    return (results["binning"].get("too_small") or {}).get("rows_dropped", 0)


def _data(results: dict) -> list[Table]:
    data = results["data"]
    files = Table("data-files", "Data files read", [
        Column("name", "file"), Column("rows", "rows", "int"), Column("registered", "in the study's registry"),
        Column("sha256", "sha256")],
        [{**f, "registered": "yes, hash checked" if f["registered"] else "no (own file)",
          "sha256": f["sha256"][:16] + "…"} for f in data["files"]])
    funnel = Table("data-funnel", "From rows read to clean songs", [
        Column("step", "step"), Column("rows", "rows", "int")], [
        {"step": "rows read", "rows": data["rows_pulled"]},
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
    if "overlap" in eda:
        out += _overlap_tables(eda)
    return out


# The pairs table lists every pair up to this many; beyond, the hardest and easiest half each
# (the chart's CSV download keeps every pair).
PAIR_TABLE_MAX = 100


def _value(v: float) -> str:
    return f"{v:g}"


def _values(items: list[dict]) -> str:
    """'0 (×11,390), 0.1 (×47)': values with their counts, in one cell."""
    return ", ".join(f"{_value(i['value'])} (×{i['count']:,})" for i in items)


def _overlap_tables(eda: dict) -> list[Table]:
    o = eda["overlap"]
    sep = Table("eda-separation", "How well each feature separates the genres on its own", [
        Column("feature", "feature"), Column("mutual_info", "mutual information (nats)", "float3"),
        Column("eta_squared", "eta² (ANOVA)", "float3"),
        Column("epsilon_squared", "epsilon² (Kruskal–Wallis)", "float3"),
        Column("f_statistic", "F", "float"), Column("kruskal_h", "H", "float")],
        eda["separation"]["features"])
    pairs = [p for p in o["pairs"] if p["balanced_accuracy"] is not None]
    title = "Every pair of genres, hardest to tell apart first"
    if len(pairs) > PAIR_TABLE_MAX:
        half = PAIR_TABLE_MAX // 2
        pairs = pairs[:half] + pairs[-half:]
        title = (f"The {half} hardest and the {half} easiest pairs of genres (every pair is in "
                 "the heatmap's data download)")
    n_features = len(eda["features"])
    pair_table = Table("eda-overlap-pairs", title, [
        Column("a", "genre"), Column("b", "genre"),
        Column("balanced_accuracy", "balanced accuracy", "float3"),
        Column("measured_by", "measured by"), Column("sampled", "songs used (each genre)"),
        Column("features_overlapping", f"features on which they overlap (of {n_features})", "int")],
        [{**p, "sampled": f"{p['sampled_a']:,} / {p['sampled_b']:,}"} for p in pairs])
    by_feature = Table("eda-overlap-features", "How much the genres overlap on each feature", [
        Column("feature", "feature"), Column("median", "overlap of the median pair", "float"),
        Column("share_high", "pairs that share more than half their distribution", "pct")],
        o["feature_overlap"])
    values = Table("eda-values", "Commonest, smallest and largest values of each feature", [
        Column("feature", "feature"), Column("distinct", "distinct values", "int"),
        Column("common", "commonest (songs)"), Column("smallest", "smallest (songs)"),
        Column("largest", "largest (songs)")],
        [{"feature": v["feature"], "distinct": v["distinct"], "common": _values(v["common"]),
          "smallest": _values(v["smallest"]), "largest": _values(v["largest"])}
         for v in eda["values"]])
    return [sep, pair_table, by_feature, values]


def tables(results: dict) -> list[Table]:
    out = _data(results) + _binning(results)
    if "eda" in results:
        out += _eda(results)
    return out
