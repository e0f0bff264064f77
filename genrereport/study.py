"""A study is a file: everything specific to one data set and its questions, read from TOML.

The 2018 capstone is the built-in study (data/studies/spotify-2018.toml). Any other
Spotify-features data set gets a study file of the same form (`genrereport init` writes one):
where the data are, which columns hold the track, title, artist and genre (a tags column binned by
ordered rules, or a label column used as it is), which features the models use, how duplicates
are handled, and which analyses run. Figures that only the 2018 study published (its reports, its
weights, its conclusions) live in its `[reference]` table; pages compare with them only where
they exist.

`load_study(path)` checks the file and returns a typed `Study`; every problem is a one-line
`StudyError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from genrereport import resources
from genrereport.errors import GenreReportError

BUILTIN = "spotify-2018"

# Every audio feature Spotify reports (and ReccoBeats estimates), with what a valid value is.
KNOWN_FEATURES = ("acousticness", "danceability", "energy", "instrumentalness", "key",
                  "liveness", "loudness", "mode", "speechiness", "tempo", "time_signature",
                  "valence", "duration_ms")
UNIT_FEATURES = ("acousticness", "danceability", "energy", "instrumentalness", "liveness",
                 "speechiness", "valence")
INTEGER_FEATURES = ("key", "mode", "time_signature", "duration_ms")
NON_NEGATIVE_FEATURES = ("tempo", "duration_ms")

TAGS_FORMATS = ("list", "text")
DEDUP_MODES = ("exact", "track_id")
MULTI_LABEL = ("first", "majority", "drop")
FEATURE_SETS = ("all", "unit")


class StudyError(GenreReportError):
    """A study file that cannot be used."""


@dataclass(frozen=True)
class Columns:
    """Which of the data's columns hold what. Exactly one of `tags` and `label` is set."""

    track_id: str | None = None
    title: str | None = None
    artist: str | None = None
    tags: str | None = None
    tags_format: str = "text"
    label: str | None = None

    def renames(self) -> dict[str, str]:
        """Data column → the name the pipeline uses for it."""
        pairs = ((self.track_id, "track_id"), (self.title, "track_name"),
                 (self.artist, "artist_name"), (self.tags, "genre"), (self.label, "label"))
        return {src: dst for src, dst in pairs if src}


@dataclass(frozen=True)
class ClusterSpec:
    """One k-means experiment: the features it clusters on and the views it gets."""

    id: str
    title: str
    features: str | tuple[str, ...] = "all"
    drop: tuple[str, ...] = ()
    standardize: bool = False
    intro: str = ""
    range_feature: str | None = None
    histogram_features: tuple[str, ...] = ()

    def resolve(self, model_features: tuple[str, ...]) -> tuple[str, ...]:
        """The features of this experiment among the build's model features."""
        if self.features == "all":
            chosen = model_features
        elif self.features == "unit":
            chosen = tuple(f for f in model_features if f in UNIT_FEATURES)
        else:
            chosen = tuple(f for f in self.features if f in model_features)
        return tuple(f for f in chosen if f not in self.drop)


DEFAULT_CLUSTERING = (
    ClusterSpec("all_features", "all {n} features", "all"),
    ClusterSpec("standardized", "all {n} features, standardised", "all", standardize=True,
                intro="Every feature is first rescaled to zero mean and unit standard deviation "
                      "(scikit-learn's `StandardScaler`), so that no feature weighs more for its "
                      "units alone."),
)
# Names the clustering results use for themselves: an experiment may not take them.
RESERVED_EXPERIMENT_IDS = ("experiment_ids", "scan", "conclusion", "genres", "metrics",
                           "feature_scales", "songs", "seed", "init", "n_init", "n_clusters",
                           "forest_trees", "hist_bins", "chance_repeats", "nmi_average_method",
                           "study_sklearn")


@dataclass(frozen=True)
class Study:
    """Everything specific to one study. Paths are absolute."""

    id: str
    title: str
    intro: str
    description: str = ""
    # Markdown shown above the rules on the Binning page (what the tags are, in this data).
    binning_intro: str = ""
    path: Path | None = None
    registry: Path | None = None
    data_paths: tuple[str, ...] = ()
    data_format: str = "auto"
    columns: Columns = field(default_factory=Columns)
    # Only these columns are kept (and compared by exact de-duplication); empty: all of them.
    keep_columns: tuple[str, ...] = ()
    rules_path: Path | None = None
    rules: tuple[tuple[str, str], ...] = ()
    features: tuple[str, ...] | None = None
    optional_features: tuple[str, ...] = ()
    extra_features: tuple[str, ...] = ()
    min_songs: int = 10
    dedup: str = "exact"
    multi_label: str = "first"
    models: tuple[str, ...] | None = None
    clustering: tuple[ClusterSpec, ...] = DEFAULT_CLUSTERING
    k: int | None = None
    # The exploration's views: features with histograms and ranges, pairs drawn as densities
    # (None: chosen from the data).
    histogram_features: tuple[str, ...] | None = None
    range_features: tuple[str, ...] | None = None
    scatter_pairs: tuple[tuple[str, str], ...] | None = None
    profiles: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)

    def model_features(self, columns) -> tuple[str, ...]:
        """The features the models use, among these columns (as the load stage found them)."""
        present = set(columns)
        wanted = self.features if self.features is not None else KNOWN_FEATURES
        return tuple(f for f in dict.fromkeys((*wanted, *self.extra_features)) if f in present)

    @property
    def builtin(self) -> bool:
        return self.id == BUILTIN and self.registry is not None

    @property
    def uses_rules(self) -> bool:
        return self.columns.tags is not None

    def part(self, name: str) -> dict:
        """The settings one stage depends on, for its cache key (presentation is left out, so
        a new title re-renders the site without recomputing anything)."""
        parts = {
            "load": {"columns": asdict(self.columns), "keep": self.keep_columns,
                     "format": self.data_format,
                     "features": self.features, "optional": self.optional_features,
                     "extra": self.extra_features},
            "clean": {"dedup": self.dedup, "multi_label": self.multi_label},
            "bin": {"tags_format": self.columns.tags_format, "label": self.columns.label,
                    "min_songs": self.min_songs},
            # One model's stage: the features it trains on and the figures it compares with.
            "model": {"features": self.features, "extra": self.extra_features,
                      "reference": self.reference},
            "models": {"models": self.models, "features": self.features,
                       "extra": self.extra_features, "reference": self.reference},
            "eda": {"features": self.features, "extra": self.extra_features,
                    "eda": [self.histogram_features, self.range_features, self.scatter_pairs],
                    "reference": self.reference},
            # One clustering experiment adds its own spec to this; the k scan reads this alone.
            "experiment": {"k": self.k, "features": self.features, "extra": self.extra_features},
            "clustering": {"k": self.k, "clustering": [asdict(c) for c in self.clustering],
                           "features": self.features, "extra": self.extra_features,
                           "reference": self.reference},
        }
        return parts[name]

    def for_results(self) -> dict:
        """What the pages show of the study itself."""
        return {"id": self.id, "title": self.title, "intro": self.intro,
                "description": self.description, "binning_intro": self.binning_intro,
                "builtin": self.builtin,
                "file": str(self.path) if self.path else None,
                "columns": asdict(self.columns), "dedup": self.dedup,
                "multi_label": self.multi_label, "min_songs": self.min_songs,
                "has_reference": bool(self.reference),
                # The study's own statements, in this project's words ([reference.said]).
                "said": dict(self.reference.get("said", {})),
                "libraries": dict(self.reference.get("libraries", {}))}

    @property
    def sha256(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def builtin_path() -> Path:
    """The 2018 study's file, shipped with the package."""
    return resources.data_dir() / "studies" / f"{BUILTIN}.toml"


def _get(doc: dict, section: str, key: str, kinds, path: Path, default=None):
    value = doc.get(section, {}).get(key, default)
    if value is not None and not isinstance(value, kinds):
        names = kinds.__name__ if isinstance(kinds, type) else " or ".join(k.__name__ for k in kinds)
        raise StudyError(f"{path}: [{section}] {key} must be a {names}, got {value!r}")
    return value


def _strings(value, path: Path, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise StudyError(f"{path}: {where} must be a list of names")
    return tuple(value)


def _choice(value, allowed, path: Path, where: str):
    if value not in allowed:
        raise StudyError(f"{path}: {where} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _clustering(items, path: Path) -> tuple[ClusterSpec, ...]:
    if items is None:
        return DEFAULT_CLUSTERING
    if not isinstance(items, list) or not items:
        raise StudyError(f"{path}: [[analyses.clustering]] must list at least one experiment")
    out, seen = [], set()
    for i, item in enumerate(items, start=1):
        where = f"[[analyses.clustering]] {i}"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise StudyError(f"{path}: {where} needs an id")
        if item["id"] in seen:
            raise StudyError(f"{path}: {where} repeats the id {item['id']!r}")
        if item["id"] in RESERVED_EXPERIMENT_IDS:
            raise StudyError(f"{path}: {where}: the id {item['id']!r} is taken; choose another")
        seen.add(item["id"])
        feats = item.get("features", "all")
        if isinstance(feats, str):
            _choice(feats, FEATURE_SETS, path, f"{where} features")
        else:
            feats = _strings(feats, path, f"{where} features")
        out.append(ClusterSpec(
            id=item["id"], title=str(item.get("title", item["id"])), features=feats,
            drop=_strings(item.get("drop"), path, f"{where} drop"),
            standardize=bool(item.get("standardize", False)),
            intro=str(item.get("intro", "")).strip(),
            range_feature=item.get("range_feature"),
            histogram_features=_strings(item.get("histogram_features"), path,
                                        f"{where} histogram_features")))
    return tuple(out)


def _pairs(value, path: Path) -> tuple[tuple[str, str], ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in value):
        raise StudyError(f"{path}: [analyses.eda] scatter_pairs must be a list of [x, y] names")
    return tuple((a, b) for a, b in value)


# The tables a study file may hold and the keys of each ("rules.rule" and
# "analyses.clustering" are arrays of tables). [reference] holds the study's published figures,
# in its own shape; [profile.NAME] tables hold the sizes of settings.Profile.
KEYS = {
    "": ("study", "columns", "data", "rules", "features", "dedup", "analyses", "genres",
         "profile", "reference"),
    "study": ("id", "title", "intro", "binning_intro"),
    "columns": ("track_id", "title", "artist", "tags", "label", "tags_format", "keep"),
    "data": ("registry", "paths", "description", "format"),
    "rules": ("file", "rule"),
    "rules.rule": ("target", "pattern"),
    "features": ("use", "optional", "extra"),
    "dedup": ("mode", "multi_label"),
    "analyses": ("k", "models", "clustering", "eda"),
    "analyses.eda": ("histogram_features", "range_features", "scatter_pairs"),
    "analyses.clustering": ("id", "title", "features", "drop", "standardize", "intro",
                            "range_feature", "histogram_features"),
    "genres": ("min_songs",),
}


def _known_keys(table, where: str, known, path: Path) -> None:
    # A key the study does not know would be ignored in silence (a typo, a table misnamed):
    # the first one is an error that names the nearest known key.
    import difflib

    if not isinstance(table, dict):
        return  # a value of the wrong kind is reported where it is read
    for key in table:
        if key in known:
            continue
        near = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {near[0]}?" if near else f" (known: {', '.join(known)})"
        what, kind = (f"[{where}] {key}", "key") if where else (f"[{key}]", "table")
        raise StudyError(f"{path}: {what}: no such {kind}{hint}")


def check_keys(doc: dict, path: Path) -> None:
    """Every table and key of a parsed study file is one the study reads (`KEYS`)."""
    from genrereport.settings import PROFILES, Profile

    for where, known in KEYS.items():
        value = doc
        for part in filter(None, where.split(".")):
            value = value.get(part) if isinstance(value, dict) else None
        for table in value if isinstance(value, list) else [value]:
            _known_keys(table, where, known, path)
    profiles = doc.get("profile")
    _known_keys(profiles, "profile", tuple(PROFILES), path)
    for name, table in (profiles or {}).items():
        _known_keys(table, f"profile.{name}", tuple(Profile.__dataclass_fields__), path)


def parse(doc: dict, path: Path) -> Study:
    """A `Study` from a parsed study file (paths resolved against the file's folder)."""
    check_keys(doc, path)
    base = path.parent
    study = doc.get("study", {})
    if not isinstance(study.get("title"), str) or not study["title"].strip():
        raise StudyError(f"{path}: [study] needs a title")
    cols = doc.get("columns", {})
    tags, label = cols.get("tags"), cols.get("label")
    if bool(tags) == bool(label):
        how = "not both" if tags else "it names neither"
        raise StudyError(f"{path}: [columns] needs either tags (binned by rules) or label (used as "
                         f"it is), {how}")
    columns = Columns(
        track_id=_get(doc, "columns", "track_id", str, path),
        title=_get(doc, "columns", "title", str, path),
        artist=_get(doc, "columns", "artist", str, path),
        tags=tags, label=label,
        tags_format=_choice(cols.get("tags_format", "text"), TAGS_FORMATS, path,
                            "[columns] tags_format"))
    data = doc.get("data", {})
    registry = data.get("registry")
    paths = data.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    paths = _strings(paths, path, "[data] paths")
    rules = doc.get("rules", {})
    inline = rules.get("rule", [])
    rules_file = rules.get("file")
    if tags and not (rules_file or inline):
        raise StudyError(f"{path}: a tags column needs rules: [rules] file = \"rules.toml\" or "
                         "[[rules.rule]] tables with target and pattern")
    feats = doc.get("features", {})
    use = feats.get("use", "known")
    features = None if use == "known" else _strings(use, path, "[features] use")
    dedup = doc.get("dedup", {})
    analyses = doc.get("analyses", {})
    k = analyses.get("k")
    if k is not None and (not isinstance(k, int) or k < 2):
        raise StudyError(f"{path}: [analyses] k must be a whole number of at least 2")
    min_songs = doc.get("genres", {}).get("min_songs", 10)
    if not isinstance(min_songs, int) or min_songs < 10:
        raise StudyError(f"{path}: [genres] min_songs must be a whole number of at least 10 (the "
                         "splits and folds need it)")
    return Study(
        id=str(study.get("id") or path.stem),
        title=study["title"].strip(),
        intro=str(study.get("intro", "")).strip(),
        description=str(data.get("description", "")).strip(),
        binning_intro=str(study.get("binning_intro", "")).strip(),
        path=path,
        registry=(base / registry).resolve() if registry else None,
        data_paths=paths,
        data_format=_choice(data.get("format", "auto"), ("auto", "csv", "parquet"), path,
                            "[data] format"),
        columns=columns,
        keep_columns=_strings(cols.get("keep"), path, "[columns] keep"),
        rules_path=(base / rules_file).resolve() if rules_file else None,
        rules=tuple((str(r.get("target", "")), str(r.get("pattern", ""))) for r in inline),
        features=features,
        optional_features=_strings(feats.get("optional"), path, "[features] optional"),
        extra_features=_strings(feats.get("extra"), path, "[features] extra"),
        min_songs=min_songs,
        dedup=_choice(dedup.get("mode", "exact"), DEDUP_MODES, path, "[dedup] mode"),
        multi_label=_choice(dedup.get("multi_label", "first"), MULTI_LABEL, path,
                            "[dedup] multi_label"),
        models=_strings(analyses.get("models"), path, "[analyses] models") or None,
        clustering=_clustering(analyses.get("clustering"), path),
        k=k,
        histogram_features=_strings(analyses.get("eda", {}).get("histogram_features"), path,
                                    "[analyses.eda] histogram_features") or None,
        range_features=_strings(analyses.get("eda", {}).get("range_features"), path,
                                "[analyses.eda] range_features") or None,
        scatter_pairs=_pairs(analyses.get("eda", {}).get("scatter_pairs"), path),
        profiles=doc.get("profile", {}),
        reference=doc.get("reference", {}),
    )


def load_study(path: Path | None = None) -> Study:
    """Read and check a study file (the built-in 2018 study without a path)."""
    path = Path(path).expanduser().resolve() if path else builtin_path()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StudyError(f"{path}: cannot read the study file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StudyError(f"{path}: not valid TOML ({exc})") from exc
    return parse(doc, path)
