"""Random forests in bounded memory (protocol §4.1): the default forest, the search, 5000 trees.

A fully grown tree on the training rows weighs about 2 MB, so 5000 of them would need about
10 GB. `grow_forest` never holds more than one chunk: it fits a chunk, adds the chunk's
probabilities and importances to running sums, and drops it. A tree's weight grows with the songs
and with the genres (each node keeps one value per genre: a tree of 114 genres on 68,000 songs
weighs tens of MB), so a chunk is also kept under `CHUNK_BYTES`, first by an upper bound on a
tree's size and then by the size the trees grown so far actually have (tree_memory.py, which
also says when forest stages may grow side by side).

The chunks draw their tree seeds from one shared `RandomState`, exactly as a single forest draws
them one tree after another, so the chunked forest has the very same trees as
`RandomForestClassifier(n_estimators=n, random_state=seed)` (scikit-learn's warm start relies on
the same property). A consequence the search uses: with one seed, a forest of 500 trees is the
first 500 trees of the forest of 1000.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import ParameterSampler, check_cv

from genrereport import treesum
from genrereport.models import metrics, permutation, study
from genrereport.models.context import Context, Jobs, Stopwatch, jobs_now
from genrereport.models.study_bootstrap import UniformBootstrapForest
from genrereport.models.tree_memory import CHUNK_BYTES, chunk_within_budget, tree_bytes_bound

# scikit-learn 0.19's defaults that the study relied on (see changes.py).
STUDY_DEFAULT_TREES = 10
STUDY_CV = 3
MAX_FEATURES_GRID = (None, "sqrt", "log2")
FINAL_MAX_FEATURES = "sqrt"


@dataclass
class Grown:
    """What is left of a forest after it has been discarded: its averaged outputs."""

    n_trees: int
    proba: dict[str, np.ndarray]
    importances: np.ndarray
    seconds: float
    checkpoint_seconds: dict[int, float] = field(default_factory=dict)
    # What the whole forest would weigh if it were kept (tree arrays only).
    forest_bytes: float = 0.0
    # The summed probabilities of its first `prefix` trees (grow_forest), when they were grown
    # in one chunk: the forest of that many trees, summed as that forest sums them.
    prefix: dict[str, np.ndarray] | None = None
    prefix_seconds: float = 0.0
    # Seconds spent on the eval matrices timed apart (left out of the times above).
    apart_seconds: dict[str, float] = field(default_factory=dict)

    def predict(self, name: str) -> np.ndarray:
        # A forest predicts the class with the highest mean probability (ties: the first).
        return self.proba[name].argmax(axis=1)


def _as_fit_matrix(X):
    # Trees fit on float32 (CSC when sparse); converting once spares a copy per chunk.
    if sp.issparse(X):
        return sp.csc_matrix(X, dtype=np.float32)
    return np.ascontiguousarray(X, dtype=np.float32)


def _as_eval_matrix(X):
    if sp.issparse(X):
        return sp.csr_matrix(X, dtype=np.float32)
    return np.ascontiguousarray(X, dtype=np.float32)


def _chunk(k: int, rng: np.random.RandomState, n_jobs: int, params: dict,
           study_class_weight: dict | None):
    # Both draw their tree seeds from `rng` one after the other, so chunks line up the same way.
    if study_class_weight is not None:
        return UniformBootstrapForest(k, rng, study_class_weight, n_jobs=n_jobs, **params)
    return RandomForestClassifier(n_estimators=k, random_state=rng, n_jobs=n_jobs, **params)


def grow_forest(X_fit, y_fit, evals: dict, n_trees: int, *, n_classes: int, seed: int,
                chunk: int, n_jobs: Jobs, params: dict | None = None, checkpoints=(),
                on_checkpoint: Callable[[int, dict], None] | None = None, bar=None,
                study_class_weight: dict | None = None, prefix: int = 0,
                apart: tuple[str, ...] = ()) -> Grown:
    """Grow `n_trees` trees `chunk` at a time; return mean probabilities on each eval matrix.

    `n_jobs` is a number of threads, or a function read before each chunk (the stage's share
    of the cores, `Context.jobs`): a long forest started beside other stages takes the cores
    they free as they end, instead of keeping its first share to the end.

    `on_checkpoint(n, proba)` is called when the first n trees are grown, for each n in
    `checkpoints` (proba: mean probabilities of those n trees). A `prefix` of n trees is read
    off the first chunk without changing its size (`Grown.prefix`): the same sums, bit for bit,
    as a forest of n trees with the same seed, if the first chunk holds them.

    The time spent on the eval matrices named in `apart` is left out of the forest's times
    and reported on its own (`Grown.apart_seconds`): the permutation importances' copies of
    the test songs are not part of what the forest costs to train.

    `study_class_weight` ({class code: weight}) weights the classes the way the study's
    scikit-learn did (see study_bootstrap.py); a `class_weight` in `params` instead gets today's
    scikit-learn semantics, which draw the bootstrap in proportion to the weights.
    """
    params = dict(params or {})
    rng = np.random.RandomState(seed)
    X_fit = _as_fit_matrix(X_fit)
    evals = {name: _as_eval_matrix(X) for name, X in evals.items()}
    sums = {name: np.zeros((X.shape[0], n_classes)) for name, X in evals.items()}
    imp_sum = np.zeros(X_fit.shape[1])
    imp_trees = 0
    nodes = 0
    bytes_per_node = None
    stops = sorted({int(c) for c in checkpoints if 0 < c <= n_trees} | {n_trees})
    watch = Stopwatch()
    at: dict[int, float] = {}
    done = 0
    held_bytes = 0.0  # what the trees grown so far weigh
    first: dict[str, np.ndarray] | None = None
    first_seconds = 0.0
    spent = {name: 0.0 for name in apart}

    def elapsed() -> float:
        return watch.elapsed() - sum(spent.values())
    for stop in stops:
        while done < stop:
            per_tree = held_bytes / done if done else tree_bytes_bound(X_fit.shape[0], n_classes)
            k = min(chunk_within_budget(chunk, per_tree), stop - done)
            jobs = jobs_now(n_jobs)
            part = _chunk(k, rng, jobs, params, study_class_weight).fit(X_fit, y_fit)
            for name, X in evals.items():
                started = time.perf_counter()
                # The chunk's sum over its trees, in a fixed order (see treesum.py).
                sums[name][:, part.classes_] += treesum.proba_sum(part, X, jobs)
                if name in spent:
                    spent[name] += time.perf_counter() - started
            if done == 0 and 0 < prefix <= k:
                head = treesum.Trees(part.estimators_[:prefix], part.classes_)
                first = {name: np.zeros((X.shape[0], n_classes)) for name, X in evals.items()}
                for name, X in evals.items():
                    first[name][:, part.classes_] = treesum.proba_sum(head, X, jobs)
                # Its trees' part of the chunk's time (trees of one forest take about as long
                # as each other), not the whole chunk's.
                first_seconds = elapsed() * prefix / k
            if bytes_per_node is None:
                bytes_per_node = _bytes_per_node(part.estimators_[0])
            for tree in part.estimators_:
                nodes += tree.tree_.node_count
                held_bytes += tree.tree_.node_count * bytes_per_node
                # scikit-learn leaves single-node trees out of the forest's importances.
                if tree.tree_.node_count > 1:
                    imp_sum += tree.feature_importances_
                    imp_trees += 1
            done += k
            del part
            if bar is not None:
                bar.update(k)
        at[stop] = elapsed()
        if on_checkpoint is not None and stop in checkpoints:
            on_checkpoint(stop, {name: s / done for name, s in sums.items()})
    total = imp_sum.sum()
    importances = imp_sum / total if imp_trees and total > 0 else np.zeros_like(imp_sum)
    return Grown(done, {name: s / done for name, s in sums.items()}, importances,
                 elapsed(), at, nodes * (bytes_per_node or 0.0), first, first_seconds, spent)


def _bytes_per_node(tree) -> float:
    # A node's record plus its per-class values: what a kept tree costs in memory.
    state = tree.tree_.__getstate__()
    return (state["nodes"].nbytes + state["values"].nbytes) / max(tree.tree_.node_count, 1)


def search_forest(X, y, *, distributions: dict, n_iter: int, cv: int, seed: int, n_classes: int,
                  chunk: int, n_jobs: Jobs, base_params: dict | None = None, bar=None) -> dict:
    """RandomizedSearchCV(RandomForestClassifier(random_state=seed), ...) in bounded memory.

    Same candidates (ParameterSampler with the search's seed), same folds (check_cv for a
    classifier), same fits: each candidate's forest is grown with the estimator's own seed. The
    candidates whose trees coincide (they differ only in n_estimators, or in a max_features
    that resolves to the same number) are scored from one growing forest, at each of their
    sizes. `n_jobs` is read before each chunk, as in `grow_forest`.
    """
    base_params = dict(base_params or {})
    candidates = list(ParameterSampler(distributions, n_iter, random_state=seed))
    folds = list(check_cv(cv, y, classifier=True).split(X, y))
    groups: dict[tuple, list[int]] = {}
    for i, params in enumerate(candidates):
        groups.setdefault(_same_trees(params, X.shape[1]), []).append(i)
    scores = [[np.nan] * len(folds) for _ in candidates]
    seconds = [[0.0] * len(folds) for _ in candidates]
    watch = Stopwatch()
    for f, (fit_rows, held_rows) in enumerate(folds):
        for members in groups.values():
            sizes = sorted({candidates[i]["n_estimators"] for i in members})
            params = {k: v for k, v in candidates[members[0]].items() if k != "n_estimators"}

            def score(n, proba, members=members, held_rows=held_rows, f=f):
                acc = accuracy_score(y[held_rows], proba["held"].argmax(axis=1))
                for i in members:
                    if candidates[i]["n_estimators"] == n:
                        scores[i][f] = acc

            grown = grow_forest(X[fit_rows], y[fit_rows], {"held": X[held_rows]}, sizes[-1],
                                n_classes=n_classes, seed=seed, chunk=chunk, n_jobs=n_jobs,
                                params={**base_params, **params}, checkpoints=sizes,
                                on_checkpoint=score, bar=bar)
            for i in members:
                # the time to grow this candidate's trees (shared with the smaller ones)
                seconds[i][f] = grown.checkpoint_seconds[candidates[i]["n_estimators"]]
    rows = [{"params": c, "scores": scores[i], "fit_seconds": float(np.mean(seconds[i]))}
            for i, c in enumerate(candidates)]
    return metrics.search_table("randomized", cv, rows, watch.elapsed(), n_iter)


def resolved_max_features(value, n_features: int) -> int:
    """The number of features a tree draws at each split for `max_features` (scikit-learn's
    rule; tests/test_models_units.py checks it against the library's own trees)."""
    if value is None:
        return n_features
    if value == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if value == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(value, float):
        return max(1, int(value * n_features))
    return int(value)


def _same_trees(params: dict, n_features: int) -> tuple:
    # Candidates that grow the same trees, whatever their n_estimators: a tree knows only the
    # number of features its max_features resolves to ("sqrt" and "log2" of 11 are both 3).
    return tuple(sorted((k, repr(resolved_max_features(v, n_features)) if k == "max_features"
                         else repr(v)) for k, v in params.items() if k != "n_estimators"))


def search_trees(distributions: dict, n_iter: int, seed: int, n_features: int,
                 cv: int = STUDY_CV) -> int:
    """How many trees `search_forest` grows (for its progress bar)."""
    candidates = list(ParameterSampler(distributions, n_iter, random_state=seed))
    largest: dict[tuple, int] = {}
    for params in candidates:
        rest = _same_trees(params, n_features)
        largest[rest] = max(largest.get(rest, 0), params["n_estimators"])
    return cv * sum(largest.values())


def run(ctx: Context) -> tuple[dict, np.ndarray]:
    """The study's three forests; returns the record and the final forest's validation labels."""
    s, p = ctx.splits, ctx.profile
    k = len(s.classes)
    clock = Stopwatch()

    distributions = {"n_estimators": list(p.rf_search_estimators),
                     "max_features": list(MAX_FEATURES_GRID)}
    n_search = search_trees(distributions, p.rf_search_iter, ctx.seed, s.X.shape[1])
    with ctx.reporter.bar(n_search, "forest search (trees)") as bar:
        search = search_forest(s.X_train, s.y_train, distributions=distributions,
                               n_iter=p.rf_search_iter, cv=STUDY_CV, seed=ctx.seed, n_classes=k,
                               chunk=p.rf_chunk_trees, n_jobs=ctx.jobs, bar=bar)

    params = {"n_estimators": p.rf_final_trees, "max_features": FINAL_MAX_FEATURES}
    # The first `audit_rf_trees` trees are a forest of their own (same seed): the audit compares
    # it with the same-sized forest trained on a split without shared tracks.
    smaller = min(p.audit_rf_trees, p.rf_final_trees)
    at: dict = {}
    # Permutation importance: the forest sums its trees on shuffled copies of sampled test
    # songs as it does on the test songs (permutation.py).
    sets, perm_y = permutation.shuffled_sets(s.X_test, s.y_test, ctx.seed)
    grown = final_forest(ctx, p.rf_final_trees, checkpoints=(smaller,),
                         on_checkpoint=lambda n, proba: at.update(
                             {n: {name: pr.argmax(axis=1) for name, pr in proba.items()
                                  if name != "perm"}}),
                         prefix=STUDY_DEFAULT_TREES, extra={"perm": permutation.stacked(sets)})
    perm = permutation.summarise(s.features, permutation.unstacked(sets, grown.predict("perm")),
                                 perm_y, grown.apart_seconds["perm"])
    # The study's default forest (scikit-learn 0.19's 10 trees, max_features "sqrt") is the
    # first 10 trees of the final one: the same seed draws the same trees.
    if grown.prefix is not None:
        default_val, default_seconds = grown.prefix["val"].argmax(axis=1), grown.prefix_seconds
    else:  # trees so large that the first chunk holds fewer: grown on their own
        with clock.time():
            default = RandomForestClassifier(n_estimators=STUDY_DEFAULT_TREES,
                                             random_state=ctx.seed, n_jobs=ctx.n_jobs)
            default_val = treesum.predict(default.fit(s.X_train, s.y_train), s.X_val, ctx.n_jobs)
        default_seconds = clock.last
    steps = [metrics.step("default", {"n_estimators": STUDY_DEFAULT_TREES,
                                      "max_features": "sqrt"}, s.y_val, default_val,
                          default_seconds)]
    pred_val = grown.predict("val")
    rec = metrics.record(
        "rf", "Random forest", classes=s.classes, y_val=s.y_val, pred_val=pred_val,
        y_test=s.y_test, pred_test=grown.predict("test"), baseline_test=ctx.baseline_test,
        params={**params, "random_state": ctx.seed}, fit_seconds=grown.seconds,
        total_seconds=clock.elapsed(), search=search, steps=steps,
        importances=metrics.importances(s.features, grown.importances),
        chunk_trees=p.rf_chunk_trees, tree_megabytes=grown.forest_bytes / grown.n_trees / 1e6,
        forest_gigabytes=grown.forest_bytes / 1e9, permutation=perm,
        **study.compare_best("rf", search, ctx.settings.study.reference))
    rec[metrics.PREDICTIONS]["trees"] = {str(smaller): at[smaller]}
    return rec, pred_val


def final_forest(ctx: Context, n_trees: int, checkpoints=(), on_checkpoint=None,
                 prefix: int = 0, extra: dict | None = None) -> Grown:
    """The study's final forest (max_features sqrt, the build's seed) on the context's training
    rows, with mean probabilities on its validation and test rows (and on `extra` matrices)."""
    s, p = ctx.splits, ctx.profile
    with ctx.reporter.bar(n_trees, f"forest of {n_trees} trees") as bar:
        return grow_forest(s.X_train, s.y_train,
                           {"val": s.X_val, "test": s.X_test, **(extra or {})}, n_trees,
                           n_classes=len(s.classes), seed=ctx.seed, chunk=p.rf_chunk_trees,
                           n_jobs=ctx.jobs, params={"max_features": FINAL_MAX_FEATURES},
                           checkpoints=checkpoints, on_checkpoint=on_checkpoint, bar=bar,
                           prefix=prefix, apart=tuple(extra or ()))
