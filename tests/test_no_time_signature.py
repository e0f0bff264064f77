"""Pulls without time_signature (the ReccoBeats feature source) still build a whole site: the
feature is left out of the models, the clusters and the charts, and the pages say so."""

import dataclasses
import json
import subprocess
import sys

import pandas as pd
import pytest

from genrereport import load, pipeline
from genrereport.progress import Reporter
from tests.conftest import quick_settings

pytestmark = pytest.mark.slow


def test_build_without_time_signature(mirror_dir, tmp_path):
    data = tmp_path / "pulls"
    data.mkdir()
    # Four of the study's pulls, re-saved as the user's own pulls without the column.
    for n in range(1, 5):
        frame = pd.read_csv(mirror_dir / f"info_{n}.csv", dtype=str, keep_default_na=False)
        frame.drop(columns=["time_signature"]).to_csv(data / f"pull_{n:04d}.csv", index=False)
    (data / load.SCRAPE_MANIFEST).write_text(json.dumps({"feature_source": "reccobeats"}))

    settings = quick_settings(tmp_path, data)
    # The forest stands for the models (each reads the same feature list).
    settings = settings.with_(study=dataclasses.replace(settings.study, models=("rf",)))
    results = pipeline.run_build(settings, Reporter(quiet=True))

    assert results["data"]["has_time_signature"] is False
    assert results["data"]["feature_source"] == "reccobeats"
    assert "time_signature" not in results["models"]["setup"]["features"]
    assert len(results["models"]["setup"]["features"]) == 10
    assert results["eda"]["time_signature_counts"] is None
    assert "time_signature" not in results["clustering"]["all_features"]["features"]
    assert 0 < results["models"]["rf"]["test_accuracy"] <= 1
    data_page = (settings.out_dir / "data.md").read_text()
    assert "No time signature in this data" in data_page and "reccobeats" in data_page
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(tmp_path / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
