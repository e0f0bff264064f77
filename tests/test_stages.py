"""One stage per model and per clustering experiment: changing or adding one reruns it alone,
and the results are those of the whole build."""

from __future__ import annotations

import dataclasses
import json

import pytest

from genrereport import pipeline
from genrereport.progress import Reporter
from genrereport.settings import PROFILES
from tests.conftest import quick_settings
from tests.pulls import varied_songs, write_pull

pytestmark = pytest.mark.slow

DATA_STAGES = ("load", "clean", "bin")


def _build(settings):
    reporter = Reporter(quiet=True)
    results = pipeline.run_build(settings, reporter)
    return results, {r.name: r.status for r in reporter.records if r.name not in DATA_STAGES}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stages")
    write_pull(tmp / "data" / "mine.csv", varied_songs(240))
    settings = quick_settings(tmp, tmp / "data")
    study = dataclasses.replace(settings.study, models=("rf", "logreg", "sgd"))
    settings = settings.with_(study=study)
    results, statuses = _build(settings)
    return settings, results, statuses


def test_the_summary_lists_each_model_and_experiment_stage(first):
    settings, results, statuses = first
    assert {"rf", "logreg", "sgd", "models", "audit", "eda", "clustering", "clustering.scan",
            "render"} <= set(statuses)
    assert {f"clustering.{e}" for e in results["clustering"]["experiment_ids"]} <= set(statuses)
    assert set(statuses.values()) == {"ran"}
    assert results["models"]["order"] == ["rf", "logreg", "sgd"]


def test_changing_one_models_setting_reruns_that_model_alone(first):
    settings, results, _ = first
    changed = settings.with_(profile=dataclasses.replace(PROFILES["quick"],
                                                         sgd_search_iter=2))
    again, statuses = _build(changed)
    ran = {name for name, status in statuses.items() if status == "ran"}
    assert ran == {"sgd", "models", "audit", "render"}
    for model in ("rf", "logreg"):  # the same records, read back from their stages
        assert _plain(again["models"][model]) == _plain(results["models"][model])
    assert again["models"]["sgd"]["search"] != results["models"]["sgd"]["search"]


def test_adding_a_model_trains_that_model_alone(first):
    settings, results, _ = first
    study = dataclasses.replace(settings.study, models=("rf", "logreg", "sgd", "ovr_logreg"))
    again, statuses = _build(settings.with_(study=study))
    ran = {name for name, status in statuses.items() if status == "ran"}
    assert ran == {"ovr_logreg", "models", "audit", "render"}
    assert again["models"]["order"] == ["rf", "logreg", "sgd", "ovr_logreg"]


def test_changing_one_experiment_reruns_that_experiment_alone(first):
    settings, results, _ = first
    study = settings.study
    first_id = study.clustering[0].id
    edited = dataclasses.replace(study.clustering[0], standardize=not study.clustering[0].standardize)
    study = dataclasses.replace(study, clustering=(edited, *study.clustering[1:]))
    again, statuses = _build(settings.with_(study=study))
    ran = {name for name, status in statuses.items() if status == "ran"}
    assert ran == {f"clustering.{first_id}", "clustering", "render"}
    assert (again["clustering"][first_id]["standardized"]
            != results["clustering"][first_id]["standardized"])


def _plain(obj):
    return json.loads(json.dumps(obj, default=str))
