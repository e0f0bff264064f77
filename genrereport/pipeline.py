"""The build as a one-way DAG: sources → load → clean → bin → analyses → results → site.

Each stage has a content key (see cache.py). Keys are computed from upstream *keys*, not values,
so a fully cached build never reads the data: it loads the analysis outputs and, if the site is
already up to date, stops there.

Every stage runs in a process of its own (stagejob.py; processes.py, or a Dask worker:
backends.py), which reads its inputs from the stage cache by key and writes its result there.
The build's own process orders the stages and reads what the results need: the data stages'
reports and the analyses' outputs, never the songs themselves.
"""

from __future__ import annotations

import functools
import platform
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

# The analysis packages' __init__ modules are light: they import their heavy parts inside run().
from genrereport import (audit, backends, cache, clustering, costs, dropped, eviction, models,
                         resources, scheduler, sources, stagejob)
from genrereport.errors import GenreReportError
from genrereport.progress import Reporter
from genrereport.rules import Rules, inline_rules, load_rules
from genrereport.settings import Settings

DATA_LIBS = ("pandas", "numpy")
# A stage that grows forests in chunks reads this profile field: the build admits it beside
# other forest stages by its chunk's estimated weight (models/tree_memory.py).
CHUNK_FIELD = "rf_chunk_trees"


@dataclass(frozen=True)
class Analysis:
    """An analysis stage: `module.function(frame, *upstream, settings=, reporter=, **options)`
    returns a JSON-able dict; `upstream` are the outputs of the analyses named in `after`.

    Its cache key holds the study's settings it reads (`study_part`, plus `inputs`), the profile
    fields it reads (`uses_profile`), and its code: every module of this package that `module`
    and `code` import, followed transitively (cache.closure_version)."""

    name: str
    module: str
    # The part of the study file it reads (Study.part): its key changes with that part alone.
    study_part: str
    function: str = "run"
    options: tuple[tuple[str, Any], ...] = ()
    # Modules it runs that `module` imports by name (a model's module), for its key.
    code: tuple[str, ...] = ()
    libraries: tuple[str, ...] = DATA_LIBS
    # The profile fields the analysis reads (True: all of them), so that changing a model size
    # does not rerun an analysis that never looks at it.
    uses_profile: bool | tuple[str, ...] = False
    after: tuple[str, ...] = ()
    inputs: tuple[tuple[str, Any], ...] = ()
    # Rough seconds of a full build, only to start long chains first (scheduler.ranks).
    cost: float = 1.0

    @property
    def grows_forests(self) -> bool:
        return isinstance(self.uses_profile, tuple) and CHUNK_FIELD in self.uses_profile


MODEL_LIBS = DATA_LIBS + ("scikit-learn", "xgboost", "keras", "tensorflow-cpu")


def analyses(settings: Settings) -> tuple[Analysis, ...]:
    """Every analysis stage of this study: exploration, one stage per model and the models'
    summary, one stage per audit retraining and the audit, one stage per clustering
    experiment, the k scan and their summary."""
    study = settings.study
    out = [Analysis("eda", "genrereport.eda", libraries=DATA_LIBS + ("scikit-learn", "scipy"),
                    study_part="eda", cost=costs.STAGES["eda"])]
    chosen = models.stages_for(study.models or models.ORDER)
    for stage in chosen:
        out.append(Analysis(
            stage.id, "genrereport.models.stage", options=(("stage", stage.id),),
            code=(stage.module,), libraries=MODEL_LIBS, uses_profile=stage.profile,
            after=stage.after, study_part="model",
            cost=costs.STAGES.get(stage.id, costs.OTHER_STAGE)))
    out.append(Analysis("models", "genrereport.models.assemble", libraries=MODEL_LIBS,
                        uses_profile=models.ASSEMBLY_FIELDS, study_part="models",
                        after=tuple(s.id for s in chosen)))
    # The audit's retrainings, each a stage that starts once its own inputs exist.
    produced = [m for s in chosen if s.id != "nn" or models.nn_available() for m in s.produces]
    reruns = audit.reruns_for(produced)
    for rerun in reruns:
        out.append(Analysis(
            f"{AUDIT_PREFIX}{rerun.id}", "genrereport.audit.reruns",
            options=(("rerun", rerun.id),),
            code=rerun.code, libraries=MODEL_LIBS, uses_profile=rerun.profile, after=rerun.after,
            study_part="model", cost=costs.AUDIT_RERUNS.get(rerun.id, costs.OTHER_STAGE)))
    out.append(Analysis("audit", "genrereport.audit", libraries=MODEL_LIBS,
                        uses_profile=audit.PROFILE_FIELDS,
                        after=("models",) + tuple(f"{AUDIT_PREFIX}{r.id}" for r in reruns),
                        study_part="models", cost=costs.AUDIT))
    runs = []
    for spec in study.clustering:
        name = f"{CLUSTERING_PREFIX}{spec.id}"
        runs.append(name)
        out.append(Analysis(name, "genrereport.clustering.stage", function="experiment",
                            options=(("experiment", spec.id),),
                            libraries=DATA_LIBS + ("scikit-learn",),
                            uses_profile=clustering.EXPERIMENT_FIELDS, study_part="experiment",
                            inputs=(("spec", asdict(spec)),), cost=costs.CLUSTERING_EXPERIMENT))
    out.append(Analysis(f"{CLUSTERING_PREFIX}scan", "genrereport.clustering.stage",
                        function="k_scan", libraries=DATA_LIBS + ("scikit-learn",),
                        uses_profile=clustering.SCAN_FIELDS, study_part="experiment",
                        cost=costs.CLUSTERING_SCAN))
    out.append(Analysis("clustering", "genrereport.clustering.stage", function="assemble",
                        libraries=DATA_LIBS + ("scikit-learn",),
                        uses_profile=clustering.EXPERIMENT_FIELDS, study_part="clustering",
                        after=(*runs, f"{CLUSTERING_PREFIX}scan")))
    return tuple(out)


# Clustering stages are named "clustering.<experiment id>" and "clustering.scan": an experiment
# id from a study file cannot clash with a model's. The audit's retrainings: "audit.<id>".
CLUSTERING_PREFIX = "clustering."
AUDIT_PREFIX = "audit."
# The analyses whose outputs are sections of results.json.
SECTIONS = ("eda", "models", "audit", "clustering")


@dataclass(frozen=True)
class Job:
    """What a stage's process runs: `module.function`, with `options`; an analysis (`analysis`)
    gets the binned songs' frame first, a data stage its inputs as they are (stagejob.py)."""

    module: str
    function: str
    options: tuple[tuple[str, Any], ...] = ()
    analysis: bool = True
    # A stage that reads files of this machine (the data) runs here under any backend.
    here: bool = False


@dataclass
class _Stage:
    key: str
    deps: tuple[str, ...]
    job: Job
    cost: float = 1.0
    # For an analysis that grows forests: the bytes its trees may take at once (scheduler.py).
    tree_bytes: Callable[[], float] | None = None


@dataclass
class Build:
    """Cached evaluation of the stages of one build. Every stage runs in a process of its own
    and leaves its result in the cache; the build's own process reads what it needs from there
    when it needs it (a data stage's report, never its songs)."""

    settings: Settings
    reporter: Reporter
    store: cache.StageCache
    stages: dict[str, _Stage] = field(default_factory=dict)
    # Stages whose values are in the cache, checked: computed by this build or found there.
    done: set[str] = field(default_factory=set)
    # Values the cache could not take (a read-only or full cache), kept here instead.
    values: dict[str, Any] = field(default_factory=dict)

    def define(self, name: str, deps: tuple[str, ...], job: Job, *, inputs: Any = None,
               code: tuple[str, ...] = (), libraries: tuple[str, ...] = (), cost: float = 1.0,
               tree_bytes: Callable[[], float] | None = None) -> str:
        """Declare a stage and the `job` its process runs. Its key holds its upstream stages'
        keys, its `inputs`, and the code it runs: the modules `code` imports (transitively)
        and the libraries' versions."""
        key = cache.digest({
            "stage": name,
            "deps": [self.stages[d].key for d in deps],  # deps must be defined first: a DAG
            "inputs": inputs,
            "code": cache.closure_version(code, libraries),
        })
        self.stages[name] = _Stage(key, deps, job, cost, tree_bytes)
        return key

    def get(self, name: str, part: int | None = None) -> Any:
        """The stage's value (or item `part` of it: a data stage's report is its item 1),
        computed first if needed."""
        for _ in range(2):
            if name not in self.done and name not in self.values:
                self.compute([name])
            if name in self.values:
                value = self.values[name]
                return value if part is None else value[part]
            try:
                return self.store.load(name, self.stages[name].key, part)
            except cache.CacheMiss as miss:  # damaged since it was checked: computed again
                self.reporter.say(f"▸ {name}: the cached result is unreadable ({miss}); "
                                  "computing it again")
                self.done.discard(name)
        raise cache.CacheMiss(f"{name}: computed, but its result cannot be read back")

    def compute(self, targets) -> None:
        """Make the values of `targets` available, running the stages that are not cached:
        side by side within the settings' cores, longest chains first."""
        to_run: list[str] = []

        def plan(name: str) -> None:
            # A cached stage is used as it is (its upstream need not be); a missing one needs
            # its upstream stages, cached or computed first.
            if name in self.done or name in self.values or name in to_run:
                return
            if self._cached(name):
                self.done.add(name)
                return
            for dep in self.stages[name].deps:
                plan(dep)
            to_run.append(name)

        for target in targets:
            plan(target)
        if not to_run:
            return
        tasks = {n: scheduler.Task(n, self.stages[n].deps, self.stages[n].cost,
                                   self.stages[n].tree_bytes or 0.0) for n in to_run}
        from genrereport.models import tree_memory

        with self.reporter.listening() as inbox, \
                backends.runner(self.settings, self.store) as runner:
            started: dict[str, Any] = {}

            def launch(task: scheduler.Task, rank: float) -> None:
                runner.start(self._job(task.name, inbox), self._given(task.name), rank)
                started[task.name] = self.reporter.started(task.name)

            def collect(timeout: float) -> list[str]:
                names = []
                for outcome in runner.wait(timeout):
                    if inbox is not None:
                        inbox.drain(outcome.name)
                    record = started.pop(outcome.name)
                    if outcome.error is not None:
                        self.reporter.finished(record, "failed")
                        stagejob.raise_error(outcome)
                    if outcome.in_cache:
                        self.done.add(outcome.name)
                    else:
                        self.values[outcome.name] = outcome.value
                    self.reporter.finished(record, cpu_seconds=outcome.cpu_seconds,
                                           peak_mb=outcome.peak_mb, where=outcome.where)
                    names.append(outcome.name)
                return names

            jobs = getattr(runner, "jobs", self.settings.n_jobs)
            scheduler.run_tasks(tasks, jobs, launch, collect, tree_budget=tree_memory.BUDGET)

    def _job(self, name: str, inbox) -> stagejob.StageJob:
        stage = self.stages[name]
        return stagejob.StageJob(
            name, stage.key, stage.job.module, stage.job.function, stage.job.options,
            inputs=tuple((d, self.stages[d].key) for d in stage.deps),
            settings=self.settings, analysis=stage.job.analysis, here=stage.job.here,
            reports=(inbox.address, inbox.authkey) if inbox is not None else None)

    def _given(self, name: str) -> dict[str, Any]:
        # Inputs the cache could not take travel with the job.
        return {d: self.values[d] for d in self.stages[name].deps if d in self.values}

    def keys(self) -> list[tuple[str, str]]:
        """(stage, key) of every stage of this build."""
        return [(name, stage.key) for name, stage in self.stages.items()]

    def ready(self, name: str) -> bool:
        """Whether the stage's value is at hand without computing it (in memory or cached)."""
        return name in self.done or name in self.values or (
            not self.settings.force and self.store.has(name, self.stages[name].key))

    def _cached(self, name: str) -> bool:
        if self.settings.force or not self.store.has(name, self.stages[name].key):
            return False
        start = time.perf_counter()
        try:
            self.store.verify(name, self.stages[name].key)
        except cache.CacheMiss as miss:
            self.reporter.say(f"▸ {name}: the cached result is unreadable ({miss}); "
                              "computing it again")
            return False
        self.reporter.cached(name, time.perf_counter() - start)
        return True


def _clusters_needed(specs: tuple[Analysis, ...], study) -> list:
    # k-means' need for songs, checked with the others after binning, if clustering runs
    # (k None: as many clusters as genres).
    if not any(spec.name == "clustering" for spec in specs):
        return [0, 0]
    return [study.k, clustering.SONGS_PER_CLUSTER]


def study_rules(settings: Settings) -> Rules | None:
    """The binning rules of this build (None for a label column): --rules, else the study's
    inline rules or rules file."""
    study = settings.study
    if not study.uses_rules:
        return None
    if settings.rules_path is not None:
        return load_rules(settings.rules_path)
    if study.rules:
        return inline_rules(study.rules, f"{study.path} [[rules.rule]]")
    return load_rules(study.rules_path or resources.default_rules_path())


def define_stages(settings: Settings, reporter: Reporter, files: list[sources.SourceFile],
                  rules: Rules | None) -> Build:
    """Declare every stage of the build with its inputs; nothing is computed yet."""
    b = Build(settings, reporter, cache.StageCache(settings.cache_dir))
    study = settings.study
    specs = analyses(settings)
    data_sha = sources.combined_sha256(files)
    # The data stages read their files and rules as given; their keys hold the files' hashes.
    spine = "genrereport.datastages"
    b.define("load", (), Job(spine, "load", (("files", tuple(files)),), analysis=False,
                             here=True),
             inputs={"data": data_sha, "study": study.part("load")},
             code=(spine, "genrereport.load"), libraries=DATA_LIBS + ("pyarrow",))
    b.define("clean", ("load",), Job(spine, "clean", analysis=False),
             inputs={"study": study.part("clean")}, code=(spine, "genrereport.clean"),
             libraries=DATA_LIBS)
    clusters = _clusters_needed(specs, study)
    b.define("bin", ("clean",),
             Job(spine, "bin_songs", (("rules", rules), ("clusters", clusters)), analysis=False),
             inputs={"rules": rules.sha256 if rules else None, "clusters": clusters,
                     "study": study.part("bin")},
             code=(spine, "genrereport.binning", "genrereport.minimums"),
             libraries=DATA_LIBS + ("pyarrow",))
    for spec in specs:
        inputs = {"seed": settings.seed, "study": study.part(spec.study_part),
                  **dict(spec.inputs)}
        if spec.uses_profile is True:
            inputs["profile"] = settings.profile.to_dict()
        elif spec.uses_profile:
            inputs["profile"] = {f: getattr(settings.profile, f) for f in spec.uses_profile}
        b.define(spec.name, ("bin",) + spec.after, Job(spec.module, spec.function, spec.options),
                 inputs=inputs, code=(spec.module,) + spec.code, libraries=spec.libraries,
                 cost=spec.cost,
                 tree_bytes=_tree_bytes(b, settings) if spec.grows_forests else None)
    return b


def _tree_bytes(b: Build, settings: Settings) -> Callable[[], float]:
    # Read when the stage is ready, once the songs are binned: from the binning report, once
    # (the scheduler asks a waiting stage again at every turn).
    @functools.cache
    def estimate() -> float:
        from genrereport.models import tree_memory

        report = b.get("bin", 1)
        small = report["too_small"]
        return tree_memory.stage_bytes(report["rows"] - small["rows_dropped"],
                                       len(report["counts"]) - len(small["dropped"]),
                                       settings.profile.rf_chunk_trees)

    return estimate


PACKAGES = ("genrereport", "pandas", "numpy", "scikit-learn", "xgboost", "keras", "tensorflow-cpu",
            "altair", "vl-convert-python", "mkdocs", "mkdocs-material", "jinja2")


def assemble_results(b: Build, files: list[sources.SourceFile],
                     rules: Rules | None, sections=SECTIONS) -> dict:
    """Every figure the site shows, as one JSON-able dict (written as results.json); a preview
    asks for some `sections` only."""
    load_report = b.get("load", 1)
    clean_report = b.get("clean", 1)
    bin_report = b.get("bin", 1)
    data = {
        "rows_pulled": load_report["rows_pulled"],
        "rows_rejected": load_report["rows_rejected"],
        "rejected_by_reason": load_report["rejected_by_reason"],
        "reject_examples": load_report["reject_examples"],
        "rows_valid": clean_report["rows_in"],
        "duplicates_dropped": clean_report["duplicates_dropped"],
        "rows_after_dedup": clean_report["rows_after_dedup"],
        "null_cells": clean_report["null_cells"],
        "files": load_report["files"],
        "empty_files": load_report["empty_files"],
        "has_time_signature": load_report["has_time_signature"],
        "feature_source": load_report["feature_source"],
        "genre_source": load_report.get("genre_source"),
        "features": load_report.get("features"),
        "numeric_columns": load_report.get("numeric_columns"),
        "missing_features": load_report.get("missing_features"),
        "columns": load_report.get("columns"),
        "dedup": {k: clean_report.get(k) for k in ("mode", "multi_label", "multi_label_tracks",
                                                   "multi_label_rows_dropped", "notes")},
    }
    study = b.settings.study
    default_rules = sources.file_sha256(resources.default_rules_path())
    results: dict[str, Any] = {
        "build": {
            "profile": b.settings.profile.name,
            "profile_settings": b.settings.profile.to_dict(),
            "seed": b.settings.seed,
            "data_sha256": sources.combined_sha256(files),
            "rules_sha256": rules.sha256 if rules else None,
            "rules_file": rules.source if rules else None,
            # The study's own pulls and rules: only then do its published per-genre figures
            # compare like with like.
            "study_data": bool(files) and all(f.registered for f in files)
            and rules is not None and rules.sha256 == default_rules,
            "python": platform.python_version(),
            "packages": {p: cache.library_version(p) for p in PACKAGES},
            "stage_keys": {name: s.key for name, s in b.stages.items()},
        },
        "study": study.for_results(),
        "data": data,
        "binning": bin_report,
    }
    for name in sections:
        if name in b.stages:
            results[name] = public(b.get(name))
    return results


def public(output: dict) -> dict:
    """An analysis output without its internal parts (keys starting with "_", such as the
    models' predictions), which later stages read but results.json does not hold."""
    return {k: v for k, v in output.items() if not str(k).startswith("_")}


def _prepare(settings: Settings, reporter: Reporter):
    from genrereport import outdir

    # Before any data is read or model trained: a bad --out is an error now, not in ten minutes.
    outdir.check(settings.out_dir, cache_dir=settings.cache_dir, data_dir=settings.data_dir)
    if settings.cache_dir.exists() and not settings.cache_dir.is_dir():
        raise GenreReportError(f"--cache-dir {settings.cache_dir}: is a file, not a folder")
    rules = study_rules(settings)
    if rules is not None and not settings.study.builtin and \
            rules.source == str(resources.default_rules_path()):
        reporter.say(f"▸ rules: the tags are binned by the built-in study's rules "
                     f"({rules.source}); --rules FILE bins them by yours")
    if not models.nn_available():
        reporter.say(f"▸ the neural network is left out: Keras and TensorFlow are not installed "
                     f"({models.NN_INSTALL} adds them)")
    start = time.perf_counter()
    files = sources.resolve(settings, progress=not reporter.quiet)
    sha = sources.combined_sha256(files)[:12]
    reporter.say(f"▸ sources: {len(files)} files, data sha256 {sha}… "
                 f"({time.perf_counter() - start:.1f}s)")
    return files, rules


def run_build(settings: Settings, reporter: Reporter) -> dict:
    """Run (or reuse) every stage and write the site; returns the results."""
    from genrereport import render

    files, rules = _prepare(settings, reporter)
    b = define_stages(settings, reporter, files, rules)
    with eviction.running(settings.cache_dir, b.keys()):
        # What the checks dropped is said as soon as it is known: before the binning's own
        # error, which dropped rows may have caused, and long before the models end.
        b.compute(["load", "clean"])
        for line in dropped.lines(b.get("load", 1), b.get("clean", 1), {}):
            reporter.say(f"▸ {line}")
        b.compute(["bin"])
        for line in dropped.lines({}, {}, b.get("bin", 1)):
            reporter.say(f"▸ {line}")
        b.compute([n for n in SECTIONS if n in b.stages])
        results = assemble_results(b, files, rules)
        render.render_site(results, settings, reporter)
        keep(b, settings, complete=True)
    return results


def keep(b: Build, settings: Settings, *, complete: bool) -> None:
    """After a site is written: pin its entries (and, for a complete build, the study's), then
    evict what the cache holds beyond its budget, used longest ago first."""
    try:
        eviction.keep_site(settings.cache_dir, settings.out_dir, b.keys())
        if complete:
            eviction.keep_study(settings.cache_dir, settings, b.keys())
        evicted = eviction.prune(settings.cache_dir, settings.cache_budget)
    except OSError as exc:  # a read-only cache: it keeps what it has
        b.reporter.say(f"▸ cache: not pruned ({exc})")
        return
    if evicted:
        size = eviction.format_size(sum(e.size for e in evicted))
        b.reporter.say(f"▸ cache: {len(evicted)} entries used longest ago ({size}) evicted to "
                       f"keep within {eviction.format_size(settings.cache_budget)}")


def build(settings: Settings, reporter: Reporter | None = None) -> int:
    """`genrereport build`: returns the process exit code."""
    reporter = reporter or Reporter()
    run_build(settings, reporter)
    reporter.say(reporter.summary())
    reporter.say(f"site written to {settings.out_dir}/ — run `{serve_command(settings.out_dir)}` "
                 "to read it")
    return 0


def serve_command(out_dir) -> str:
    """The command that serves the site in `out_dir`, run from the current folder."""
    import os
    from pathlib import Path

    from genrereport import render

    config = render.mkdocs_config(out_dir)
    if config.resolve() == (Path.cwd() / "mkdocs.yml").resolve():
        return "mkdocs serve"
    return f"mkdocs serve -f {os.path.relpath(config)}"


def fetch(settings: Settings, reporter: Reporter | None = None) -> int:
    """`genrereport fetch`: download (or check) the pulls and report where they are."""
    reporter = reporter or Reporter()
    files = sources.resolve(settings, progress=not reporter.quiet)
    where = settings.data_dir or (settings.cache_dir / "pulls")
    reporter.say(f"{len(files)} pulls ready in {where}, all hashes verified")
    return 0
