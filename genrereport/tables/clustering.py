"""Tables of the Clustering, Bins-vs-clusters and Conclusion pages, from results["clustering"]."""

from __future__ import annotations

from genrereport.charts.clustering import METRIC_LABELS, experiment_label, many_cells
from genrereport.tables import Column, Table

LEAD = "gr-lead"


def _sizes(exp: dict, majority: str) -> Table:
    lead = {r["cluster"]: r for r in exp["leaders"]}
    rows = [{"cluster": s["cluster"], "size": s["size"], "share": s["share"],
             "leader": lead[s["cluster"]]["genre"], "leader_share": lead[s["cluster"]]["share"],
             "runner_up": lead[s["cluster"]]["runner_up"],
             "runner_up_share": lead[s["cluster"]]["runner_up_share"]} for s in exp["sizes"]]
    # Highlight the clusters that the largest genre does not lead: the interesting ones.
    highlight = {i: LEAD for i, r in enumerate(rows) if r["leader"] not in (None, majority)}
    return Table(f"clustering-{exp['id']}-sizes", f"{experiment_label(exp)}: clusters and their "
                 "leading genres (highlighted: led by a genre other than the largest)", [
                     Column("cluster", "cluster", "int"), Column("size", "songs", "int"),
                     Column("share", "share of songs", "pct"), Column("leader", "leading genre"),
                     Column("leader_share", "its share of the cluster", "pct"),
                     Column("runner_up", "runner-up"),
                     Column("runner_up_share", "runner-up's share", "pct")], rows, highlight)


def _report(exp: dict) -> Table:
    f = exp["forest"]
    rows = list(f["report"]) + [{"cluster": name.replace("_", " "), **vals}
                                for name, vals in f["report_summary"].items()]
    return Table(f"clustering-{exp['id']}-report",
                 f"{experiment_label(exp)}: the forest's classification report on the test songs", [
                     Column("cluster", "cluster"), Column("precision", "precision", "float3"),
                     Column("recall", "recall", "float3"), Column("f1", "F1", "float3"),
                     Column("support", "test songs", "int")], rows)


def _ranges(exp: dict) -> Table:
    feature = exp["range_feature"]
    size = {s["cluster"]: s["size"] for s in exp["sizes"]}
    rows = [{**r, "size": size[r["cluster"]]} for r in exp["ranges"] if r["feature"] == feature]
    return Table(f"clustering-{exp['id']}-ranges",
                 f"{experiment_label(exp)}: {feature} range of each cluster", [
                     Column("cluster", "cluster", "int"), Column("size", "songs", "int"),
                     Column("min", "lowest", "float"), Column("median", "median", "float"),
                     Column("max", "highest", "float")], rows)


def _forests(cl: dict) -> Table:
    rows = []
    for eid in cl["experiment_ids"]:
        exp = cl[eid]
        f = exp["forest"]
        top = f["importances"][0] if f["importances"] else {"feature": None, "importance": None}
        rows.append({"experiment": experiment_label(exp), "features": len(exp["features"]),
                     "baseline": exp["baseline"], "val": f["val_accuracy"], "test": f["test_accuracy"],
                     "top": top["feature"], "top_importance": top["importance"]})
    return Table("clustering-forests", "Predicting the cluster: a forest per experiment against "
                 "always guessing the largest cluster", [
                     Column("experiment", "experiment"),
                     Column("baseline", "largest cluster (baseline)", "pct"),
                     Column("val", "validation accuracy", "pct"),
                     Column("test", "test accuracy", "pct"),
                     Column("top", "most important feature"),
                     Column("top_importance", "its importance", "float3")], rows)


def _agreement(cl: dict) -> Table:
    rows = []
    for eid in cl["experiment_ids"]:
        exp = cl[eid]
        rows.append({"experiment": experiment_label(exp), **exp["agreement"],
                     "purity": exp["purity"]})
    chance = {m: sum(cl[e]["chance"][m] for e in cl["experiment_ids"]) / len(cl["experiment_ids"])
              for m in cl["metrics"]}
    rows.append({"experiment": "shuffled clusters (mean)", **chance,
                 "purity": None})
    best = max(range(len(rows) - 1), key=lambda i: rows[i]["v_measure"])
    return Table("clustering-agreement", "Clusters against genre bins, per experiment "
                 "(highlighted: highest V-measure)",
                 [Column("experiment", "experiment")]
                 + [Column(m, METRIC_LABELS[m], "float3") for m in cl["metrics"]]
                 + [Column("purity", "songs in a cluster their genre leads", "pct")],
                 rows, {best: LEAD})


def _crosstab(exp: dict, genres: list[str]) -> Table:
    """Songs of each genre in each cluster: a column per cluster, or, with many clusters or
    genres, one cell per genre naming the clusters that hold its songs (a row of hundreds of
    zeros shows nothing)."""
    led = {g["genre"] for g in exp["leading_genres"]}
    k = exp["n_clusters"]
    title = f"{experiment_label(exp)}: songs of each genre in each cluster"
    if many_cells(exp, genres):
        held: dict[str, list[dict]] = {g: [] for g in genres}
        for r in exp["crosstab"]:
            held[r["genre"]].append(r)
        rows = [{"genre": g, "total": sum(r["count"] for r in held[g]),
                 "clusters": len(held[g]),
                 "cells": ", ".join(f"{r['cluster']} ({r['count']:,})" for r in sorted(
                     held[g], key=lambda r: (-r["count"], r["cluster"])))} for g in genres]
        columns = [Column("genre", "genre"), Column("total", "songs", "int"),
                   Column("clusters", "clusters", "int"),
                   Column("cells", "clusters holding its songs (songs), most first")]
    else:
        counts = {(r["cluster"], r["genre"]): r["count"] for r in exp["crosstab"]}
        rows = []
        for g in genres:
            row = {"genre": g, **{f"c{c}": counts.get((c, g), 0) for c in range(k)}}
            row["total"] = sum(row[f"c{c}"] for c in range(k))
            rows.append(row)
        columns = ([Column("genre", "genre")] + [Column(f"c{c}", str(c), "int") for c in range(k)]
                   + [Column("total", "all", "int")])
    highlight = {i: LEAD for i, r in enumerate(rows) if r["genre"] in led}
    return Table(f"clustering-{exp['id']}-crosstab",
                 f"{title} (highlighted: genres that lead at least one cluster)", columns, rows,
                 highlight)


def _scan(cl: dict) -> Table:
    scan = cl["scan"]
    rows = scan["rows"]
    highlight = {i: LEAD for i, r in enumerate(rows) if r["k"] == scan["best_silhouette_k"]}
    return Table("clustering-scan", f"k-means on the standardised features for k = "
                 f"{scan['k_min']}…{scan['k_max']} (highlighted: best silhouette)", [
                     Column("k", "k", "int"), Column("inertia", "inertia (all songs)", "float"),
                     Column("silhouette", f"silhouette ({scan['silhouette_sample']:,} songs)",
                            "float3"), Column("structure", "structure")], rows, highlight)


def _minority_led(cl: dict) -> Table:
    con = cl["conclusion"]
    feats = con["describe_features"]
    exp = cl[con["leaders"]["experiment"]]
    return Table("clustering-minority-led", f"{experiment_label(exp)}: clusters led by a genre "
                 "other than the largest, with mean feature values (sd: standard deviations from "
                 "the mean of all songs)",
                 [Column("cluster", "cluster", "int"), Column("genre", "leading genre"),
                  Column("size", "songs", "int"),
                  Column("share", "its share of the cluster", "pct")]
                 + [c for f in feats for c in (Column(f, f"{f} (mean)", "float3"),
                                               Column(f"{f}_z", "in sd", "signed"))],
                 con["minority_led"])


def _leaders_claim(cl: dict) -> Table:
    claim = cl["conclusion"]["leaders"]
    rows = [{"genre": g["genre"], "clusters": g["clusters"], "songs": g["songs"],
             "ids": ", ".join(str(i) for i in g["cluster_ids"]),
             "study": "yes" if g["genre"] in claim["study_genres"] else "no"}
            for g in claim["clusters_led"]]
    rows += [{"genre": g, "clusters": 0, "songs": 0, "ids": "", "study": "yes"}
             for g in claim["missing"]]
    highlight = {i: LEAD for i, r in enumerate(rows) if r["study"] == "no" or r["clusters"] == 0}
    exp = cl[claim["experiment"]]
    return Table("clustering-leaders-claim", f"{experiment_label(exp)}: genres that lead a cluster, "
                 "beside the study's finding (highlighted: where this build differs)", [
                     Column("genre", "genre"), Column("clusters", "clusters led", "int"),
                     Column("ids", "which"), Column("songs", "songs in them", "int"),
                     Column("study", "led one in the study")], rows, highlight)


def tables(results: dict) -> list[Table]:
    """Every clustering table, keyed by id in the page templates."""
    cl = results["clustering"]
    majority = cl["conclusion"]["balance"]["majority_genre"]
    out = []
    for eid in cl["experiment_ids"]:
        exp = cl[eid]
        out += [_sizes(exp, majority), _report(exp), _crosstab(exp, cl["genres"])]
        if exp["range_feature"]:
            out.append(_ranges(exp))
    out += [_forests(cl), _agreement(cl), _scan(cl)]
    if cl["conclusion"]["leaders"] is not None:
        out += [_minority_led(cl), _leaders_claim(cl)]
    return out
