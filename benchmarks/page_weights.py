"""Page weights of a built site: each HTML page, the chart specs inlined in it, and the assets.

Usage: python benchmarks/page_weights.py SITE_DIR   (SITE_DIR is `mkdocs build`'s output)
Prints a Markdown table; nothing is written.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path


def kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def main(site: Path) -> None:
    shared = sum(p.stat().st_size for p in (site / "assets").rglob("*")
                 if p.is_file() and "/charts/" not in p.as_posix() and "/tables/" not in p.as_posix())
    print("| page | HTML | of which chart specs | charts |")
    print("|---|---:|---:|---:|")
    for page in sorted(site.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        specs = [html.unescape(s) for s in re.findall(r"data-spec='([^']*)'", text)]
        print(f"| {page.name} | {kib(len(text.encode()))} | {kib(sum(len(s) for s in specs))} | {len(specs)} |")
    downloads = sum(p.stat().st_size for p in (site / "assets").rglob("*")
                    if p.is_file() and ("/charts/" in p.as_posix() or "/tables/" in p.as_posix()))
    vega = (site / "assets/vendor/vega-bundle.js").stat().st_size
    print(f"\nVega bundle, loaded once by every page and then cached: {kib(vega)}")
    print(f"all shared assets (theme, search workers and languages, Vega, CSS, JS; a page loads "
          f"only some): {kib(shared)}")
    print(f"downloads (SVG fallbacks, CSVs), fetched only on demand: {kib(downloads)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
