"""How big the default install is: a fresh venv with the wheel and its dependencies, no extras.

    .venv/bin/python benchmarks/venv_size.py [--ref GIT_REF] [--extra nn]

Builds the wheel of the working tree (or of GIT_REF, checked out into a temporary worktree),
installs it into a new venv, and prints the venv's size in total and its largest packages.
Comparing two refs shows what a dependency change did to the install.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def measure(source: Path, extra: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="genrereport-venv-") as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                        str(tmp / "wheel"), str(source)], check=True)
        (wheel,) = (tmp / "wheel").glob("genrereport-*.whl")
        subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True)
        target = f"{wheel}[{extra}]" if extra else str(wheel)
        subprocess.run([str(tmp / "venv" / "bin" / "python"), "-m", "pip", "install", "-q",
                        target], check=True)
        site = next((tmp / "venv" / "lib").glob("python3*/site-packages"))
        packages = sorted(((_size(p), p.name) for p in site.iterdir() if p.is_dir()),
                          reverse=True)
        return {"total": _size(tmp / "venv"), "largest": packages[:8]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ref", help="a git ref to measure instead of the working tree")
    p.add_argument("--extra", help="an extra to install with the wheel (e.g. nn)")
    args = p.parse_args(argv)
    source, worktree = ROOT, None
    if args.ref:
        worktree = Path(tempfile.mkdtemp(prefix="genrereport-ref-"))
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree),
                        args.ref], check=True, capture_output=True)
        source = worktree
    try:
        result = measure(source, args.extra)
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(worktree)], capture_output=True)
            shutil.rmtree(worktree, ignore_errors=True)
    print(f"{args.ref or 'working tree'}{' [' + args.extra + ']' if args.extra else ''}: "
          f"venv {result['total'] / 1e6:,.0f} MB")
    for size, name in result["largest"]:
        print(f"  {size / 1e6:8,.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
