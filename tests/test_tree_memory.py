"""Forest stages run in processes of their own: the build starts one only when the trees of its
chunk fit beside those of the forest stages already running, so that together they stay within
one budget (each forest alone keeps its chunks under it)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.datasets import make_classification

from genrereport import pipeline
from genrereport.models import forest, tree_memory
from genrereport.progress import Reporter
from tests.conftest import quick_settings
from tests.pulls import varied_songs, write_pull


@pytest.mark.parametrize("classes", [3, 12])
def test_the_estimate_of_a_chunk_covers_the_trees_it_grows(classes):
    # Noisy labels grow trees as large as trees get: one leaf for nearly every distinct row.
    n_songs = 4000
    X, y = make_classification(n_samples=n_songs, n_features=10, n_informative=6,
                               n_classes=classes, n_clusters_per_class=1, flip_y=0.5,
                               random_state=0)
    train = int(n_songs * 0.75 * 0.75)  # the rows the models train on (splitting.py)
    grown = forest.grow_forest(X[:train], y[:train], {"x": X[:10]}, 10, n_classes=classes,
                               seed=0, chunk=10, n_jobs=2, params={"max_features": "sqrt"})
    estimate = tree_memory.stage_bytes(n_songs, classes, chunk_trees=10)
    # An estimate, not a bound: above what the trees weigh, and not absurdly so.
    assert grown.forest_bytes <= estimate <= 4 * grown.forest_bytes


def test_an_estimate_never_exceeds_what_one_forest_may_hold():
    assert tree_memory.stage_bytes(114_000, 114, 100) == tree_memory.CHUNK_BYTES
    assert tree_memory.stage_bytes(36_000, 12, 100) < tree_memory.CHUNK_BYTES / 2


@pytest.mark.slow
def test_a_build_never_runs_forest_stages_beyond_the_budget(tmp_path, monkeypatch):
    """With room for one forest's trees, forest stages run one after the other, while the
    other stages run beside them."""
    monkeypatch.setattr(tree_memory, "BUDGET", 1.0)
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(240))
    settings = quick_settings(tmp_path, tmp_path / "data", n_jobs=3)
    settings = settings.with_(study=dataclasses.replace(settings.study,
                                                        models=("rf", "rf_titles", "sgd")))
    reporter = Reporter(quiet=True)
    pipeline.run_build(settings, reporter)
    spans = {r.name: (r.started, r.started + r.seconds) for r in reporter.records
             if r.status == "ran"}
    forests = {"rf", "rf_titles", "audit.rf", "audit.titles"}
    assert forests <= set(spans)

    def overlap(a, b):
        return spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]

    for a in forests:
        for b in forests - {a}:
            assert not overlap(a, b), f"{a} and {b} grew their trees at once"
    others = set(spans) - forests - {"load", "clean", "bin", "render"}
    assert any(overlap(f, o) for f in forests for o in others)


def test_a_forest_stages_estimate_reads_the_binning_report_once(tmp_path, monkeypatch):
    """The scheduler asks a waiting forest stage for its estimate at every turn (twice a
    second); reading the binning report from the cache each time checks its files again."""
    from genrereport import cache, pipeline
    from genrereport.progress import Reporter
    from genrereport.settings import Settings

    settings = Settings(cache_dir=tmp_path / "cache")
    b = pipeline.Build(settings, Reporter(quiet=True), cache.StageCache(settings.cache_dir))
    report = {"rows": 1000, "counts": {"rock": 500, "pop": 500},
              "too_small": {"rows_dropped": 0, "dropped": []}}
    reads = []
    monkeypatch.setattr(b, "get", lambda name, part=None: reads.append(name) or report)
    estimate = pipeline._tree_bytes(b, settings)
    assert estimate() == estimate() > 0
    assert reads == ["bin"]
