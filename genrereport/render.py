"""Write the site: the only module that touches the output folder (`site_src/`, MkDocs' docs_dir).

Pages are Jinja templates in `templates/pages/*.md.j2`, rendered with one environment and the
filters of `filters.py`. Charts and tables are built from results by `charts` and `tables`; this
module only places them and writes their downloads. Everything is written into a staging folder
that replaces the old site only when the whole render succeeded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import jinja2

from genrereport import atomic, cache, outdir, resources, resultsfile
from genrereport.charts import Chart, build_charts, external
from genrereport.claims import build_claims
from genrereport.errors import GenreReportError
from genrereport.jsonsafe import plain
from genrereport.filters import CHART_ASSETS, FILTERS, TABLE_ASSETS
from genrereport.progress import Reporter
from genrereport.settings import Settings
from genrereport.tables import Table, build_tables

STAMP = outdir.STAMP
VENDOR_JS = "assets/vendor/vega-bundle.js"
# charts, tables and claims are packages: their hash covers every part module.
RENDER_MODULES = ("genrereport.render", "genrereport.filters", "genrereport.parts",
                  "genrereport.charts", "genrereport.tables", "genrereport.claims",
                  "genrereport.links", "genrereport.resultsfile")
SVG_WIDTH = 640
# Vega numbers an SVG's gradients and clip paths with counters that last as long as the
# process, so a chart's SVG said gradient_0 or gradient_7 depending on what was drawn before it.
_VEGA_IDS = re.compile(r"\b(gradient_|clip)(\d+)\b")
# Part of the SVG cache's key: 2 since the ids are numbered from 0 within each file.
SVG_FORMAT = 2


def make_env(templates: Path) -> jinja2.Environment:
    """The one Jinja environment. Markdown output, so no HTML autoescape: filters escape data."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the build, not the page
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env


def _tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def site_key(results: dict, templates: Path) -> str:
    """What the site depends on: results, templates and assets, and the rendering code."""
    return cache.digest({
        "results": cache.digest(results),
        "templates": _tree_hash(templates),
        "code": cache.code_version(RENDER_MODULES, ("altair", "vl-convert-python", "jinja2")),
    })


# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """A CSV cell that a spreadsheet shows as text: a string that would start a formula gets a
    leading apostrophe. Numbers stay numbers (-7.5 is a loudness, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(rows: list[dict], columns: list[str] | None = None) -> bytes:
    buf = io.StringIO()
    if rows:
        columns = columns or list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: defuse(v) for k, v in r.items()} for r in rows)
    return buf.getvalue().encode("utf-8")


def _vendor_bundle(cache_dir: Path, force: bool = False) -> bytes:
    """Vega, Vega-Lite and vega-embed in one script, from vl-convert (no CDN: works offline)."""
    import vl_convert

    path = cache_dir / "vendor" / f"vega-bundle-{cache.library_version('vl-convert-python')}.js"
    return cache.cached_blob(path, lambda: vl_convert.javascript_bundle().encode("utf-8"),
                             force=force)


def _svg(spec: dict, cache_dir: Path, force: bool = False) -> bytes:
    """Static SVG of a chart (for readers without JavaScript and for download), cached by spec."""
    import vl_convert

    static = dict(spec)
    # "container" width needs a browser layout; the static image gets a fixed width instead.
    if static.get("width") == "container":
        static["width"] = SVG_WIDTH
    # Shown in an <img> or downloaded, an SVG's ARIA text reaches no screen reader (the page's
    # alt text does), and Vega writes one description per mark: 4 MB for a 114 × 114 heatmap.
    static["config"] = {**static.get("config", {}), "aria": False}
    key = cache.digest({"spec": static, "vl": cache.library_version("vl-convert-python"),
                        "format": SVG_FORMAT})
    return cache.cached_blob(cache_dir / "svg" / f"{key}.svg",
                             lambda: _own_ids(vl_convert.vegalite_to_svg(static)).encode("utf-8"),
                             force=force)


def _own_ids(svg: str) -> str:
    """The SVG with Vega's numbered ids numbered again from 0 in order of appearance, so that
    it depends on its spec alone (each SVG is a file of its own: no id is shared with another)."""
    names: dict[str, str] = {}
    counts: dict[str, int] = {}

    def rename(match: re.Match) -> str:
        old = match.group(0)
        if old not in names:
            prefix = match.group(1)
            names[old] = f"{prefix}{counts.get(prefix, 0)}"
            counts[prefix] = counts.get(prefix, 0) + 1
        return names[old]

    return _VEGA_IDS.sub(rename, svg)


def _write(root: Path, rel: str, data: bytes | str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _write_charts(root: Path, charts: dict[str, Chart], cache_dir: Path,
                  force: bool = False) -> None:
    for c in charts.values():
        _write(root, f"{CHART_ASSETS}/{c.id}.svg", _svg(c.spec, cache_dir, force))
        _write(root, f"{CHART_ASSETS}/{c.id}.csv", _csv(c.data))
        for name, blob in external(c, CHART_ASSETS).items():
            _write(root, f"{CHART_ASSETS}/{name}", blob)


def _write_tables(root: Path, tables: dict[str, Table]) -> None:
    for t in tables.values():
        keys = [c.key for c in t.columns]
        _write(root, f"{TABLE_ASSETS}/{t.id}.csv", _csv(t.rows, keys))


def _render_pages(root: Path, env: jinja2.Environment, templates: Path, context: dict,
                  pending: dict | None = None) -> list[str]:
    pages = []
    for tpl in sorted((templates / "pages").glob("*.md.j2")):
        name = tpl.name[: -len(".j2")]
        try:
            text = env.get_template(f"pages/{tpl.name}").render(**context)
            if pending:
                text = _after_title(text, _preview_note(env, context, pending, waits=False))
        except (jinja2.TemplateError, TypeError, KeyError, AttributeError, ValueError) as exc:
            if pending and isinstance(exc, jinja2.UndefinedError):
                # A page that reads a section still being computed: it says so, and shows no
                # figures from the inputs before the change.
                _write(root, name, _preview_note(env, context, pending, waits=True,
                                                 title=_page_title(tpl)))
                pages.append(name)
                continue
            # Templates can be edited by users: say which one broke and where, in one line.
            line = getattr(exc, "lineno", None) or _template_line(exc, tpl)
            where = f"{tpl}" + (f", line {line}" if line else "")
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            raise GenreReportError(f"{where}: template error: {message}") from exc
        _write(root, name, text)
        pages.append(name)
    return pages


PREVIEW_PARTIAL = "partials/preview.md.j2"


def _preview_note(env: jinja2.Environment, context: dict, pending: dict, *, waits: bool,
                  title: str | None = None) -> str:
    """The preview's note: on a page that waits for `pending` sections, all it shows; on the
    others, a line at the top saying which sections are still being computed."""
    return env.get_template(PREVIEW_PARTIAL).render(**context, pending=pending, waits=waits,
                                                    title=title)


def _after_title(text: str, note: str) -> str:
    lines = text.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join(lines[:at] + ["", note.rstrip("\n"), ""] + lines[at:])


def _page_title(template: Path) -> str | None:
    """The page's first heading, as its template writes it (without Jinja in it)."""
    for line in template.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and "{" not in line:
            return line[2:].strip()
    return None


def _template_line(exc: BaseException, template: Path) -> int | None:
    """The template line of a render-time error, from the traceback Jinja rewrote."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == str(template):
            return frame.lineno
    return None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def recover_leftovers(out_dir: Path) -> list[str]:
    """Tidy what a killed build left beside `out_dir`: restore its old site if the new one never
    took its place, and remove its staging and old folders. Folders of a build that is still
    running are left alone. Returns what was done, for the log."""
    done = []
    pattern = re.compile(rf"^\.{re.escape(out_dir.name)}\.(staging|old)-(\d+)$")
    if not out_dir.parent.is_dir():
        return done
    for path in sorted(out_dir.parent.iterdir()):
        match = pattern.match(path.name)
        if not match or not path.is_dir() or _pid_alive(int(match.group(2))):
            continue
        if match.group(1) == "old" and not out_dir.exists():
            os.replace(path, out_dir)
            done.append(f"restored the last good site from {path.name}")
        else:
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path.name}, left by an interrupted build")
    return done


def _staging_dir(out_dir: Path) -> Path:
    staged = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    return staged


def mkdocs_config(out_dir: Path) -> Path:
    """The MkDocs configuration that serves the output folder, written if there is none:
    mkdocs.yml beside it, unless that one (a project's own) serves another folder; then
    mkdocs-<folder>.yml beside it, with a site_dir of its own. A user's file is never changed."""
    project = out_dir.parent / "mkdocs.yml"
    if not project.exists():
        _write_config(project, out_dir, site_dir=None)
        return project
    if _docs_dir(project) == out_dir.resolve():
        return project
    own = out_dir.parent / f"mkdocs-{out_dir.name}.yml"
    if not own.exists():
        _write_config(own, out_dir, site_dir=f"site-{out_dir.name}")
    return own


def _docs_dir(config: Path) -> Path | None:
    # A line of the file, not YAML: Material's configurations carry tags (!ENV, !!python/name)
    # that a safe loader refuses. MkDocs' default is docs/, beside the file.
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r"^docs_dir:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", text, re.MULTILINE)
    return (config.parent / (found.group(1) if found else "docs")).resolve()


def _write_config(target: Path, out_dir: Path, site_dir: str | None) -> None:
    text = resources.mkdocs_config_template().read_text(encoding="utf-8")
    line = f"docs_dir: {out_dir.name}" + (f"\nsite_dir: {site_dir}" if site_dir else "")
    atomic.write_text(target, text.replace("docs_dir: site_src", line))


def render_site(results: dict, settings: Settings, reporter: Reporter,
                pending: dict | None = None) -> bool:
    """Render the site into `settings.out_dir`; returns False if it was already up to date.

    `pending` (a preview, see serve.py): the sections of results still being computed, each
    with what the reader should know (`{"models": "retraining", ...}`). They are left out of
    `results`; pages that read them say so instead of showing figures."""
    # One JSON-safe form for everything below: NaN and infinities become null (results.json is
    # strict JSON, and so are the chart specs), NumPy scalars plain numbers.
    results = plain(results)
    templates = resources.templates_dir()
    out_dir = outdir.check(settings.out_dir, cache_dir=settings.cache_dir,
                           data_dir=settings.data_dir)
    key = site_key({**results, "_pending": pending} if pending else results, templates)
    try:
        for note in recover_leftovers(out_dir):
            reporter.say(f"▸ {note}")
        if not settings.force and _stamp_key(out_dir) == key:
            reporter.cached("render", 0.0)
            mkdocs_config(out_dir)
            return False
    except OSError as exc:
        raise GenreReportError(f"{exc.filename or out_dir}: cannot prepare the site folder "
                               f"({exc.strerror or exc})") from exc
    with reporter.stage("render"):
        charts = build_charts(results)
        tables = build_tables(results)
        claims = build_claims(results)
        try:
            _render_into(out_dir, results, charts, tables, claims, templates, settings, key,
                         pending)
            mkdocs_config(out_dir)
        except OSError as exc:
            raise GenreReportError(f"{exc.filename or out_dir}: cannot write the site "
                                   f"({exc.strerror or exc})") from exc
    return True


def _stamp_key(out_dir: Path) -> str | None:
    try:
        stamp = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, AttributeError):
        return None  # no stamp, or a damaged one: render again
    # Pages that carry a problem banner are rendered again by the next build that succeeds,
    # even one whose results are those of the site (the edit that failed was undone).
    return None if not isinstance(stamp, dict) or stamp.get("problem") else stamp.get("key")


# The banner on every page of a site whose latest change did not build (serve.py).
_PROBLEM = re.compile(r"<!-- genrereport:problem -->.*?<!-- /genrereport:problem -->\n*",
                      re.DOTALL)


def mark_problem(out_dir: Path, message: str) -> bool:
    """Put a banner on every page of the site in `out_dir` saying that the latest change did
    not build, with its error, and that the pages show the last good build; the next build
    that succeeds writes the pages without it. False if there is no site to mark."""
    out_dir = Path(out_dir)
    try:
        stamp = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
        pages = [p for p in stamp["pages"] if (out_dir / p).is_file()]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    import html

    banner = "\n".join([
        "<!-- genrereport:problem -->",
        '!!! failure "Your latest change did not build"',
        f"    <code>{html.escape(message)}</code>",
        "",
        "    This page shows the last good build. It updates by itself when a build "
        "succeeds.",
        "<!-- /genrereport:problem -->", ""])
    for page in pages:
        text = _PROBLEM.sub("", (out_dir / page).read_text(encoding="utf-8"))
        atomic.write_text(out_dir / page, _after_title(text, banner))
    # The stamp last: its files are the same ones, now marked.
    atomic.write_text(out_dir / STAMP, json.dumps({**stamp, "problem": message}))
    return True


def _render_into(out_dir: Path, results: dict, charts, tables, claims, templates: Path,
                 settings: Settings, key: str, pending: dict | None = None) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staged = _staging_dir(out_dir)
    try:
        shutil.copytree(templates / "assets", staged / "assets", dirs_exist_ok=True)
        _write(staged, VENDOR_JS, _vendor_bundle(settings.cache_dir, settings.force))
        _write_charts(staged, charts, settings.cache_dir, settings.force)
        _write_tables(staged, tables)
        env = make_env(templates)
        pages = _render_pages(staged, env, templates, {
            "results": results, "charts": charts, "tables": tables, "claims": claims},
            pending)
        for rel, text in resultsfile.files(results).items():
            _write(staged, rel, text)
        # The stamp lists every file the build wrote: a later build replaces this folder only
        # if nothing else has been added to it.
        _write(staged, STAMP, json.dumps({"key": key, "pages": pages,
                                          "files": outdir.list_files(staged)}))
        atomic.replace_dir(staged, out_dir,
                           out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}"))
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
