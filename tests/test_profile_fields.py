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


@pytest.mark.slow
def test_each_analysis_declares_exactly_the_fields_it_reads(small):
    frame, settings, _, _ = small
    outputs = {}
    for spec in pipeline.ANALYSES:
        recorder = RecordingProfile(PROFILES["quick"])
        run = importlib.import_module(spec.module).run
        upstream = [outputs[name] for name in spec.after]
        outputs[spec.name] = run(frame, *upstream, settings.with_(profile=recorder),
                                 Reporter(quiet=True))
        assert recorder.read == _declared(spec), spec.name


def _keys(settings, files, rules) -> dict:
    build = pipeline.define_stages(settings, Reporter(quiet=True), files, rules)
    return {name: stage.key for name, stage in build.stages.items()}


def test_a_field_an_analysis_does_not_read_keeps_its_key(small):
    _, settings, files, rules = small
    before = _keys(settings, files, rules)
    quick = PROFILES["quick"]
    for field in dataclasses.fields(quick):
        value = getattr(quick, field.name)
        changed = (value + 1 if isinstance(value, int) else
                   value + (value[-1],) if isinstance(value, tuple) else value + "-changed")
        after = _keys(settings.with_(profile=dataclasses.replace(quick, **{field.name: changed})),
                      files, rules)
        for spec in pipeline.ANALYSES:
            reads = field.name in _declared(spec) or any(
                field.name in _declared(up) for up in pipeline.ANALYSES if up.name in spec.after)
            assert (after[spec.name] != before[spec.name]) == reads, (spec.name, field.name)
        assert after["bin"] == before["bin"]  # the data stages read no profile at all
