"""`genrereport serve`: a rules edit reaches the Binning page before the models are retrained,
pages that wait for the models say so instead of showing figures from the old rules, an edit
that fails puts a banner on the served pages until a build succeeds, and a signal ends serve
with its children and frees the port."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from genrereport import resources
from tests.conftest import REPO
from tests.pulls import varied_songs, write_pull

pytestmark = pytest.mark.slow
POLL = 0.5  # serve.POLL_SECONDS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait(check, seconds: float, what: str, log):
    """Poll until `check()` returns something true; a bounded guard, not a speed measure."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"{what} did not happen within {seconds:.0f} s\n{log.read_text()[-3000:]}")


def test_a_rules_edit_shows_on_the_binning_page_before_the_models_retrain(tmp_path,
                                                                         varied_builds):
    write_pull(tmp_path / "data" / "mine.csv", varied_songs(240))
    # The same songs and rules as the session's build: its stages start the first site; the
    # edit then makes the serve retrain.
    shutil.copytree(varied_builds("jobs1", n_jobs=1).settings.cache_dir, tmp_path / "cache")
    rules = tmp_path / "rules.toml"
    shutil.copy(resources.default_rules_path(), rules)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    args = [sys.executable, "-m", "genrereport", "serve", "--profile", "quick", "--data",
            str(tmp_path / "data"), "--rules", str(rules), "--cache-dir", str(tmp_path / "cache"),
            "--out", str(tmp_path / "site_src"), "--port", str(port)]
    with open(log, "w") as sink:
        proc = subprocess.Popen(args, cwd=REPO, stderr=sink, stdout=sink, text=True)
        try:
            _wait(lambda: "serving on" in log.read_text(), 600, "the first build", log)
            page = _wait(lambda: _get(f"{base}/binning.html"), 120, "the Binning page", log)
            assert "popular" not in page
            # The edit: the rule that names "pop" now names "popular".
            rules.write_text(rules.read_text().replace('target = "pop"', 'target = "popular"'))
            page = _wait(lambda: (p := _get(f"{base}/binning.html")) and "popular" in p and p,
                         120, "the rules edit on the Binning page", log)
            # Until the models are retrained, their pages say so and show no old figures.
            models = _get(f"{base}/models-rf.html")
            preview = json.loads((tmp_path / "site_src" / "results.json").read_text())
            assert "Being recomputed" in models and "Random forest" in models
            assert "models" not in preview and "popular" in preview["binning"]["counts"]
            # Then the child build completes the site with the new rules.
            _wait(lambda: "the site is complete" in log.read_text(), 600, "the full build", log)
            done = json.loads((tmp_path / "site_src" / "results.json").read_text())
            assert "popular" in {row["genre"] for row in done["models"]["setup"]["labels"]}
            _wait(lambda: (p := _get(f"{base}/models-rf.html")) and "Being recomputed" not in p,
                  120, "the models page", log)
            # An edit that does not build: the served pages say so, with its error...
            edited = rules.read_text()
            rules.write_text(edited.replace('pattern = "pop|', 'pattern = "(pop|', 1))
            page = _wait(lambda: (p := _get(f"{base}/binning.html")) and "did not build" in p
                         and p, 60, "the error banner", log)
            assert "(pop|" in page and "last good build" in page
            assert "did not build" in _get(f"{base}/index.html")
            # ...until a build succeeds, here the edit undone (a site as it was before).
            rules.write_text(edited)
            _wait(lambda: (p := _get(f"{base}/binning.html")) and "popular" in p
                  and "did not build" not in p, 60, "the banner to go", log)
            # Two more edits (five in all), then the original rules back: their models are
            # still cached, so the preview is the whole site and nothing is retrained.
            for n, name in enumerate(("pop two", "pop three"), start=1):
                seen = log.read_text().count("now computing")
                rules.write_text(edited.replace('target = "popular"', f'target = "{name}"'))
                # Its preview is written and its child build started (then stopped by the next).
                _wait(lambda: log.read_text().count("now computing") > seen, 60, f"edit {n}",
                      log)
            seen = len(log.read_text())
            rules.write_text(resources.default_rules_path().read_text())
            page = _wait(lambda: (p := _get(f"{base}/binning.html")) and "pop two" not in p
                         and "pop three" not in p and "popular" not in p and p, 60,
                         "the original rules", log)
            _wait(lambda: "render: " in log.read_text()[seen:], 60, "the preview", log)
            time.sleep(2 * POLL)  # a child build would have been started by now
            after = log.read_text()[seen:]
            ran = re.findall(r"^  (\S+): ran in", after, re.M)
            assert "now computing" not in after and set(ran) <= {"render"}, after
            assert "Being recomputed" not in _get(f"{base}/models-rf.html")
            children = psutil.Process(proc.pid).children(recursive=True)
            assert children  # mkdocs serve, at least
        finally:
            # SIGTERM (a service manager, `kill`) unwinds as Ctrl-C and SIGHUP do (cli.console).
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                pytest.fail("serve did not stop after SIGTERM")
    assert proc.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in log.read_text()
    _, alive = psutil.wait_procs(children, timeout=5)
    assert not alive, [p.cmdline() for p in alive]
    # The port is free for the next server, which (as servers do) reuses an address that a
    # closed connection left in TIME_WAIT; a listener still alive would refuse this bind.
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
    # The last good site stays.
    assert (tmp_path / "site_src" / "results.json").is_file()



@pytest.mark.parametrize("stderr, expected", [
    ("progress\ngenrereport: error: rf: stage failed\n", "rf: stage failed"),
    ("killed before it could say why\n", "the build exited with code 3"),
])
def test_a_failed_child_build_gives_its_error_line_for_the_banner(stderr, expected, capfd):
    from genrereport import serve

    code = f"import sys; sys.stderr.write({stderr!r}); sys.exit(3)"
    child = serve.Child([sys.executable, "-c", code], errors=True)
    child.proc.wait(timeout=30)
    assert child.error() == expected
    assert capfd.readouterr().err == stderr  # the terminal still sees all of it
