"""The one typed settings object that every stage receives explicitly.

Nothing here reads the environment at import time: `Settings.from_cli` is the only place that
looks at environment variables, and it is called by the CLI.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from genrereport import resources

DATA_DIR_ENV = "GENREREPORT_DATA_DIR"
CACHE_DIR_ENV = "GENREREPORT_CACHE_DIR"


@dataclass(frozen=True)
class Profile:
    """Sizes of the expensive steps. `full` is the study's; `quick` runs the same code smaller."""

    name: str
    # random forest (protocol §4.1)
    rf_search_iter: int
    rf_search_estimators: tuple[int, ...]
    rf_final_trees: int
    rf_weighted_trees: int
    # trees grown at a time: a big forest is never held whole (its size does not change results)
    rf_chunk_trees: int
    # other searches and models (§4.3-4.8)
    logreg_c_grid: tuple[float, ...]
    logreg_warm_start_grid: tuple[bool, ...]
    sgd_search_iter: int
    xgb_rounds: int
    xgb_search_iter: int
    xgb_search_rounds: int
    nn_max_epochs: int
    title_trees: int
    # the audit: forests retrained to measure leaks (compared with same-sized forests)
    audit_rf_trees: int
    # clustering (§5)
    cluster_rf_trees: int
    scan_k_max: int
    silhouette_sample: int

    def to_dict(self) -> dict:
        return asdict(self)


PROFILES: dict[str, Profile] = {
    "full": Profile(
        name="full",
        rf_search_iter=10,
        rf_search_estimators=(1, 10, 25, 50, 100, 500, 1000),
        rf_final_trees=5000,
        rf_weighted_trees=1000,
        rf_chunk_trees=100,
        logreg_c_grid=(0.1, 1.0, 10.0),
        logreg_warm_start_grid=(True, False),
        sgd_search_iter=10,
        xgb_rounds=1000,
        xgb_search_iter=10,
        xgb_search_rounds=100,
        nn_max_epochs=100,
        title_trees=200,
        audit_rf_trees=1000,
        cluster_rf_trees=100,
        scan_k_max=20,
        silhouette_sample=5000,
    ),
    "quick": Profile(
        name="quick",
        rf_search_iter=3,
        rf_search_estimators=(1, 10, 25),
        rf_final_trees=60,
        rf_weighted_trees=30,
        rf_chunk_trees=20,
        logreg_c_grid=(1.0,),
        logreg_warm_start_grid=(False,),
        sgd_search_iter=3,
        xgb_rounds=40,
        xgb_search_iter=2,
        xgb_search_rounds=20,
        nn_max_epochs=8,
        title_trees=10,
        audit_rf_trees=30,
        cluster_rf_trees=20,
        scan_k_max=12,
        silhouette_sample=2000,
    ),
}


def default_cache_dir() -> Path:
    """The user cache for downloads and stage results (pooch picks the platform's folder)."""
    import pooch

    return Path(pooch.os_cache("genrereport"))


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and `taskset`
    narrow), not the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _builtin_study():
    from genrereport.study import load_study

    return load_study()


def study_profile(name: str, study) -> Profile:
    """A profile with the study's own sizes, where its file sets any ([profile.NAME])."""
    overrides = (study.profiles or {}).get(name, {}) if study is not None else {}
    if not overrides:
        return PROFILES[name]
    unknown = set(overrides) - set(Profile.__dataclass_fields__)
    if unknown:
        from genrereport.study import StudyError

        raise StudyError(f"{study.path}: [profile.{name}] has no setting "
                         f"{', '.join(sorted(unknown))}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
    return replace(PROFILES[name], **values)


@dataclass(frozen=True)
class Settings:
    """Everything a build depends on besides the data and the code itself."""

    out_dir: Path = Path("site_src")
    data_dir: Path | None = None
    # A rules file that replaces the study's own (--rules); None: the study's rules.
    rules_path: Path | None = None
    profile: Profile = PROFILES["full"]
    cache_dir: Path = field(default_factory=default_cache_dir)
    # How large the cache may grow, in bytes, before the entries used longest ago are evicted
    # (eviction.py); pinned entries stay whatever their size.
    cache_budget: int = 5 * 1024**3
    force: bool = False
    # The cores the build may use (--jobs): stages side by side, and the workers inside them.
    n_jobs: int = 2
    seed: int = 24
    # The study: the 2018 capstone unless a study file (or --label / --tags) says otherwise.
    study: object = field(default_factory=_builtin_study)
    # Where the stages run: "local" (processes of their own on this machine) or "dask" (a Dask
    # cluster at `scheduler`, or a local one when it is None).
    backend: str = "local"
    scheduler: str | None = None
    # In a stage's process: how many workers it may start now, its share of the build's cores
    # (processes.Share); None elsewhere, where a stage has all `n_jobs`.
    cores: Callable[[], int] | None = field(default=None, compare=False, repr=False)

    def jobs_now(self) -> int:
        """How many workers a stage may start now: its share of the cores while other stages
        run beside it (read just before each parallel step), else all of them."""
        return self.share()()

    def share(self) -> Callable[[], int]:
        """The running stage's share of the cores, for a long step to read again and again."""
        return self.cores if self.cores is not None else lambda: self.n_jobs

    @classmethod
    def from_cli(
        cls,
        *,
        out_dir: str | None = None,
        data_dir: str | None = None,
        rules: str | None = None,
        profile: str = "full",
        cache_dir: str | None = None,
        cache_budget: str | None = None,
        force: bool = False,
        environ: dict | None = None,
        study=None,
        jobs: int | None = None,
        backend: str = "local",
        scheduler: str | None = None,
    ) -> "Settings":
        """Build settings from command-line values, falling back to the environment."""
        from genrereport import eviction

        env = os.environ if environ is None else environ
        study = study if study is not None else _builtin_study()
        # The environment's folder stands in for a study's own download (the 2018 pulls'
        # mirror); a study file that names its data is read from there unless --data says else.
        data = data_dir or (None if study.data_paths else env.get(DATA_DIR_ENV)) or None
        cache = cache_dir or env.get(CACHE_DIR_ENV) or None
        kwargs: dict = {
            "out_dir": Path(out_dir or "site_src"),
            "data_dir": Path(data).expanduser() if data else None,
            "profile": study_profile(profile, study),
            "force": force,
            "n_jobs": jobs or available_cores(),
            "study": study,
            "backend": backend,
            "scheduler": scheduler,
        }
        if rules:
            kwargs["rules_path"] = Path(rules).expanduser()
        if cache:
            kwargs["cache_dir"] = Path(cache).expanduser()
        budget = cache_budget or env.get(eviction.BUDGET_ENV)
        if budget:
            kwargs["cache_budget"] = eviction.parse_size(
                budget, "--cache-budget" if cache_budget else eviction.BUDGET_ENV)
        return cls(**kwargs)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
