"""How tight the audit's side checks stay when the forests they compare are smaller.

    .venv/bin/python benchmarks/bench_side_checks.py [--data DIR] [--which weights titles]

Each side check (the weighted forests with weights from the test set, the title-word forest with
its vocabulary from the training titles) compares two forests of equal size on the same test
songs: the paired effect and its 95 % interval (audit/leaks.py). This grows both forests of each
check once, at the full profile's sizes and the build's seed, and reads the effect and interval at
smaller checkpoints of the same trees (a forest of n trees is the first n trees of a larger one
with the same seed). A check could be resized only if its interval at the smaller size is as
tight as at the full one. Figures go to benchmarks/out/side-checks.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

OUT = HERE / "out"
WEIGHT_CHECKPOINTS = (250, 500, 750, 1000)
TITLE_CHECKPOINTS = (50, 100, 150, 200)


def binned_songs(settings):
    """The 2018 study's binned songs, through the build's own data stages."""
    from genrereport import datastages, pipeline, sources
    from genrereport.progress import Reporter

    quiet = Reporter(quiet=True)
    files = sources.resolve(settings, progress=False)
    loaded = datastages.load(settings=settings, reporter=quiet, files=tuple(files))
    cleaned = datastages.clean(loaded, settings=settings, reporter=quiet)
    clusters = pipeline._clusters_needed(pipeline.analyses(settings), settings.study)
    return datastages.bin_songs(cleaned, settings=settings, reporter=quiet,
                                rules=pipeline.study_rules(settings), clusters=clusters)[0]


def test_labels_at(X, y, X_test, n_trees, checkpoints, settings, n_classes, **kw) -> dict:
    """{n: the test songs' labels by the forest of its first n trees} for each checkpoint."""
    from genrereport.models import forest

    at: dict = {}
    forest.grow_forest(X, y, {"test": X_test}, n_trees, n_classes=n_classes, seed=settings.seed,
                       chunk=settings.profile.rf_chunk_trees, n_jobs=settings.n_jobs,
                       checkpoints=checkpoints,
                       on_checkpoint=lambda n, proba: at.update({n: proba["test"].argmax(1)}),
                       **kw)
    return at


def weight_checks(frame, settings) -> dict:
    """weights_norm and weights_pred: the build's weighted forest against the one whose class
    weights come from the test songs, at each checkpoint."""
    from genrereport.audit import leaks
    from genrereport.audit.reruns import splits_for
    from genrereport.models import forest, weights

    cut = splits_for(frame, settings).study
    k, p = len(cut.classes), settings.profile
    rf = forest.grow_forest(cut.X_train, cut.y_train, {"val": cut.X_val, "test": cut.X_test},
                            p.rf_final_trees, n_classes=k, seed=settings.seed,
                            chunk=p.rf_chunk_trees, n_jobs=settings.n_jobs,
                            params={"max_features": forest.FINAL_MAX_FEATURES})
    pairs = {"weights_norm": (weights.norm_weights(cut.y_train, k),
                              weights.norm_weights(cut.y_test, k)),
             "weights_pred": (weights.pred_weights(rf.predict("val"), k),
                              weights.pred_weights(rf.predict("test"), k))}
    out = {}
    for name, (build_w, test_w) in pairs.items():
        grown = [test_labels_at(cut.X_train, cut.y_train, cut.X_test, p.rf_weighted_trees,
                                WEIGHT_CHECKPOINTS, settings, k,
                                params={"max_features": weights.WEIGHTED_MAX_FEATURES},
                                study_class_weight={i: float(v) for i, v in enumerate(w)})
                 for w in (test_w, build_w)]
        out[name] = {n: leaks.paired(cut.y_test, grown[0][n], grown[1][n], settings.seed)
                     for n in WEIGHT_CHECKPOINTS}
    return out


def title_checks(frame, settings) -> dict:
    """titles: the vocabulary from every title against the vocabulary from training titles."""
    from genrereport.audit import leaks
    from genrereport.audit.reruns import splits_for
    from genrereport.models import titles

    cut = splits_for(frame, settings).study
    grown = []
    for rows in (None, cut.train):
        matrix = titles.title_matrix(frame, cut.features, rows)[0]
        grown.append(test_labels_at(matrix[cut.train], cut.y_train, matrix[cut.test],
                                    settings.profile.title_trees, TITLE_CHECKPOINTS, settings,
                                    len(cut.classes),
                                    params={"max_features": titles.MAX_FEATURES}))
    return {"titles": {n: leaks.paired(cut.y_test, grown[0][n], grown[1][n], settings.seed)
                       for n in TITLE_CHECKPOINTS}}


def markdown(results: dict, seconds: float) -> str:
    lines = ["# The audit's side checks at smaller sizes", "",
             "| check | trees | effect | 95 % interval | width |", "|---|---:|---:|---|---:|"]
    for name, rows in results.items():
        for n, r in rows.items():
            lo, hi = r["effect_ci"]
            lines.append(f"| {name} | {n} | {r['effect']:+.4f} | [{lo:+.4f}, {hi:+.4f}] | "
                         f"{hi - lo:.4f} |")
    lines += ["", f"{seconds:.0f} s"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    from genrereport.settings import Settings

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=None, help="the pulls (default: GENREREPORT_DATA_DIR)")
    p.add_argument("--which", nargs="+", choices=("weights", "titles"),
                   default=["weights", "titles"])
    args = p.parse_args(argv)
    settings = Settings.from_cli(data_dir=args.data, profile="full")
    start = time.perf_counter()
    frame = binned_songs(settings)
    results: dict = {}
    if "weights" in args.which:
        results.update(weight_checks(frame, settings))
    if "titles" in args.which:
        results.update(title_checks(frame, settings))
    seconds = time.perf_counter() - start
    OUT.mkdir(exist_ok=True)
    (OUT / "side-checks.json").write_text(json.dumps(results, indent=1, default=list))
    text = markdown(results, seconds)
    (OUT / "side-checks.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
