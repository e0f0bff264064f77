"""`genrereport serve`: a live preview, the way `quarto preview` and `mkdocs serve` work.

It builds the site, serves it with `mkdocs serve` on 127.0.0.1 (which reloads the open page
whenever the site changes), and watches the study file, the rules, the templates and the data.
On a change it first recomputes the cheap stages (data, bins, exploration: seconds) and writes a
preview in which those pages are up to date and every page that needs a section still being
recomputed (models, audit, clustering) says so instead of showing figures from the old inputs.
Then a `genrereport build` in a child process reruns only the stages whose keys changed and
writes the whole site. A further change stops that child (what it finished stays cached) and
starts over. An edit that does not build leaves the last good build, with a banner on every
page that gives the error, until a build succeeds. Ctrl-C stops everything; the site keeps the
last good build.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from genrereport import eviction, pipeline, render, resources, sources
from genrereport.errors import ERROR_PREFIX, GenreReportError
from genrereport.progress import Reporter
from genrereport.settings import Settings

# How often the inputs are looked at, and how long they must stay unchanged before a rebuild
# (an editor's save can be several writes).
POLL_SECONDS = 0.5
SETTLE_SECONDS = 0.3
# The stages a preview always computes, and the sections that may wait for the full build.
CHEAP = ("load", "clean", "bin", "eda")
SLOW = {"models": "retraining", "audit": "rerunning", "clustering": "clustering again"}
# How long a stopped child build may take to leave before it is ended outright.
STOP_SECONDS = 5.0


def watched(settings: Settings) -> list[Path]:
    """The inputs a change to which changes the site: templates, study file, rules, data."""
    study = settings.study
    paths = [resources.templates_dir()]
    if study.path is not None:
        paths.append(Path(study.path))
    if settings.rules_path is not None:
        paths.append(settings.rules_path)
    elif study.uses_rules and not study.rules:
        paths.append(Path(study.rules_path or resources.default_rules_path()))
    if settings.data_dir is not None:
        paths.append(settings.data_dir)
    elif study.data_paths:
        paths.extend(f.path for f in sources.resolve(settings, progress=False))
    return paths


def fingerprint(paths: list[Path]) -> tuple:
    """Size and modification time of every watched file (folders: every file in them)."""
    out = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            try:
                st = f.stat()
                out.append((str(f), st.st_size, st.st_mtime_ns))
            except OSError:
                out.append((str(f), None, None))
    return tuple(out)


def preview(settings: Settings, reporter: Reporter) -> dict:
    """Recompute the cheap stages and write the site; returns the sections still to compute
    (empty: the site is complete, every other stage was cached)."""
    files, rules = pipeline._prepare(settings, reporter)
    b = pipeline.define_stages(settings, reporter, files, rules)
    with eviction.running(settings.cache_dir, b.keys()):
        b.compute(list(CHEAP))
        pending = {name: what for name, what in SLOW.items()
                   if name in b.stages and not b.ready(name)}
        if not pending:
            b.compute([n for n in pipeline.SECTIONS if n in b.stages])
        results = pipeline.assemble_results(
            b, files, rules, sections=[n for n in pipeline.SECTIONS if n not in pending])
        render.render_site(results, settings, reporter, pending=pending or None)
        # The served site's entries are pinned; those of the sections still to compute are
        # the child build's to pin when it succeeds.
        pipeline.keep(b, settings, complete=not pending)
    return pending


class Child:
    """One process (the full build, or mkdocs serve) that can be stopped like Ctrl-C would.
    With `errors`, its stderr passes through this process, which keeps its error line."""

    def __init__(self, args: list[str], cwd: Path | None = None, errors: bool = False):
        import threading

        self._error: str | None = None
        self.proc = subprocess.Popen(args, cwd=cwd, stderr=subprocess.PIPE if errors else None,
                                     text=True, errors="replace", bufsize=1)
        self._relaying = threading.Thread(target=self._relay, daemon=True)
        if errors:
            self._relaying.start()

    def error(self) -> str:
        """The error line of a child that failed (once it has ended), or its exit code."""
        if self._relaying.is_alive():
            self._relaying.join(timeout=STOP_SECONDS)
        return self._error or f"the build exited with code {self.proc.poll()}"

    def _relay(self) -> None:
        for line in self.proc.stderr:
            sys.stderr.write(line)
            sys.stderr.flush()
            if line.startswith(ERROR_PREFIX):
                self._error = line[len(ERROR_PREFIX):].strip()

    def done(self) -> int | None:
        return self.proc.poll()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run(make_settings: Callable[[], Settings], build_args: list[str], port: int,
        reporter: Reporter | None = None, *, max_seconds: float | None = None) -> int:
    """Build, serve, and rebuild on change until Ctrl-C (or `max_seconds`, for tests).

    `make_settings` reads the study file and the options again (the study may have changed);
    `build_args` are the `genrereport build` options the child build gets."""
    reporter = reporter or Reporter()
    settings = make_settings()
    pipeline.run_build(settings, reporter)
    reporter.say(reporter.summary())
    config = render.mkdocs_config(settings.out_dir)
    server = Child([sys.executable, "-m", "mkdocs", "serve", "--quiet", "-f", str(config),
                    "-a", f"127.0.0.1:{port}"], cwd=config.parent)
    builder: Child | None = None
    paths = watched(settings)
    last = fingerprint(paths)
    reporter.say(f"serving on http://127.0.0.1:{port}/ — watching {len(last)} files "
                 "(study, rules, templates, data); Ctrl-C to stop")
    started = time.monotonic()
    try:
        while max_seconds is None or time.monotonic() - started < max_seconds:
            time.sleep(POLL_SECONDS)
            if server.done() is not None:
                raise GenreReportError(f"mkdocs serve stopped (exit {server.done()}); is port "
                                       f"{port} free?")
            if builder is not None and builder.done() is not None:
                if builder.done() == 0:
                    reporter.say("▸ the site is complete")
                else:
                    reporter.say("▸ the build failed (see above); the site keeps the preview")
                    render.mark_problem(settings.out_dir, builder.error())
                builder = None
            now = fingerprint(paths)
            if now == last:
                continue
            while True:  # wait for the writes to settle
                time.sleep(SETTLE_SECONDS)
                settled = fingerprint(paths)
                if settled == now:
                    break
                now = settled
            last = now
            if builder is not None:
                builder.stop()
                builder = None
            reporter.say("▸ change seen: updating the preview")
            try:
                settings = make_settings()
                paths = watched(settings)
                last = fingerprint(paths)
                pending = preview(settings, reporter)
            except GenreReportError as exc:
                reporter.say(f"{ERROR_PREFIX}{exc} (the site keeps the last good build)")
                # The served pages say so too, until a build succeeds.
                render.mark_problem(settings.out_dir, str(exc))
                continue
            if pending:
                reporter.say(f"▸ preview written; now computing {', '.join(pending)}")
                builder = Child([sys.executable, "-m", "genrereport", "build", *build_args],
                                cwd=Path(os.getcwd()), errors=True)
    finally:
        # Ctrl-C, SIGTERM and SIGHUP arrive here as KeyboardInterrupt (cli.console): the
        # children end first, then the command says which signal ended it (128 + its number).
        for child in (builder, server):
            if child is not None:
                child.stop()
    return 0
