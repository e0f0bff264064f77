"""Each analysis is keyed on the profile fields it reads. Which fields those are is measured
here by running every analysis with a profile that records what is read, not copied from the
declaration; and the keys are checked to follow exactly those fields."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from genrereport import binning, pipeline, sources
from genrereport.progress import Reporter
from genrereport.settings import PROFILES
from tests.conftest import quick_settings
from tests.pulls import varied_songs, write_pull


class RecordingProfile:
    """A profile that remembers which of its fields were read."""

    def __init__(self, profile):
        self._profile = profile
        self.read: set[str] = set()

    def __getattr__(self, name):
        if name in {f.name for f in dataclasses.fields(self._profile)}:
            self.read.add(name)
        return getattr(self._profile, name)


def _declared(spec) -> set[str]:
    if spec.uses_profile is True:
        return {f.name for f in dataclasses.fields(PROFILES["quick"])}
    return set(spec.uses_profile or ())


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("profile-fields")
    write_pull(tmp / "data" / "mine.csv", varied_songs(240))
    settings = quick_settings(tmp, tmp / "data")
    rules = pipeline.study_rules(settings)
    files = sources.resolve(settings, progress=False)
    build = pipeline.define_stages(settings, Reporter(quiet=True), files, rules)
    return build.get("bin")[0], settings, files, rules


def _run(spec, frame, upstream, settings):
    function = getattr(importlib.import_module(spec.module), spec.function)
    return function(frame, *upstream, settings=settings, reporter=Reporter(quiet=True),
                    **dict(spec.options))


@pytest.mark.slow
def test_each_analysis_declares_exactly_the_fields_it_reads(small):
    frame, settings, _, _ = small
    outputs = {}
    for spec in pipeline.analyses(settings):
        recorder = RecordingProfile(PROFILES["quick"])
        upstream = [outputs[name] for name in spec.after]
        outputs[spec.name] = _run(spec, frame, upstream, settings.with_(profile=recorder))
        assert recorder.read == _declared(spec), spec.name


def test_every_model_field_is_read_by_some_model_stage():
    from genrereport import models

    assert set(models.PROFILE_FIELDS) == set(models.ASSEMBLY_FIELDS).union(
        *(s.profile for s in models.STAGES))


def _keys(settings, files, rules) -> dict:
    build = pipeline.define_stages(settings, Reporter(quiet=True), files, rules)
    return {name: stage.key for name, stage in build.stages.items()}


def _reads(specs: dict, name: str, field: str) -> bool:
    """Whether the stage, or any stage upstream of it, reads the field."""
    spec = specs[name]
    return field in _declared(spec) or any(_reads(specs, up, field) for up in spec.after)


def test_a_field_an_analysis_does_not_read_keeps_its_key(small):
    _, settings, files, rules = small
    specs = {spec.name: spec for spec in pipeline.analyses(settings)}
    before = _keys(settings, files, rules)
    quick = PROFILES["quick"]
    for field in dataclasses.fields(quick):
        value = getattr(quick, field.name)
        changed = (value + 1 if isinstance(value, int) else
                   value + (value[-1],) if isinstance(value, tuple) else value + "-changed")
        after = _keys(settings.with_(profile=dataclasses.replace(quick, **{field.name: changed})),
                      files, rules)
        for name in specs:
            assert (after[name] != before[name]) == _reads(specs, name, field.name), (
                name, field.name)
        assert after["bin"] == before["bin"]  # the data stages read no profile at all


def test_one_models_setting_changes_that_models_stage_alone(small):
    _, settings, files, rules = small
    before = _keys(settings, files, rules)
    after = _keys(settings.with_(profile=dataclasses.replace(PROFILES["quick"], xgb_rounds=41)),
                  files, rules)
    changed = {name for name in before if after[name] != before[name]}
    # xgb, and what reads its record: the models' summary and the audit (which refits it).
    assert changed == {"xgb", "audit.xgb", "models", "audit"}
