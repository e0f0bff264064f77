"""Command line: a thin layer that parses arguments, builds `Settings`, and calls the pipeline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genrereport import __version__
from genrereport.errors import ERROR_PREFIX, GenreReportError
from genrereport.settings import CACHE_DIR_ENV, DATA_DIR_ENV, PROFILES, Settings

INTERRUPTED = 130  # the shell's code for a process ended by Ctrl-C (128 + SIGINT)
BUDGET_HELP = ("how large the cache may grow before the entries used longest ago are evicted, "
               "e.g. 5G or 500M; the last build of each study and the sites written stay "
               "(env GENREREPORT_CACHE_BUDGET; default 5G)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="genrereport",
        description="Build a website from the Spotify genre study: data, genre bins, exploration, "
                    "classifiers and k-means clusters.")
    p.add_argument("--version", action="version", version=f"genrereport {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", metavar="PATH",
                        help="read the data from a file or folder (CSV or Parquet) instead of "
                             f"the study's own (env {DATA_DIR_ENV})")
    common.add_argument("--study", metavar="FILE",
                        help="the study file (default: the built-in 2018 study)")
    common.add_argument("--cache-dir", metavar="DIR",
                        help=f"where downloads and stage results are cached (env {CACHE_DIR_ENV})")
    # SUPPRESS as default: without it the subcommand's False would overwrite a --debug given
    # before the subcommand (`genrereport --debug build`).
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)

    sub.add_parser("fetch", parents=[common],
                   help="download the study's 35 pulls into the cache and check their hashes")

    build_options = argparse.ArgumentParser(add_help=False)
    b = build_options
    b.add_argument("--rules", metavar="FILE", help="genre binning rules (TOML; default: the study's)")
    genre = b.add_mutually_exclusive_group()
    genre.add_argument("--label", metavar="COLUMN",
                       help="without a study file: the column that holds each song's genre")
    genre.add_argument("--tags", metavar="COLUMN",
                       help="without a study file: the column of genre tags to bin by the "
                            "rules (the built-in study's, or --rules)")
    b.add_argument("--profile", choices=sorted(PROFILES), default="full",
                   help="full: the study's sizes (default); quick: the same steps, smaller")
    b.add_argument("--force", action="store_true", help="ignore cached results and rerun every stage")
    b.add_argument("--out", metavar="DIR", default="site_src",
                   help="the MkDocs docs_dir to write (default: site_src)")
    b.add_argument("--cache-budget", metavar="SIZE", help=BUDGET_HELP)
    _add_run_options(b)
    sub.add_parser("build", parents=[common, build_options],
                   help="run the analyses and write the site")
    serve = sub.add_parser("serve", parents=[common, build_options],
                           help="build, serve the site on 127.0.0.1 and rebuild what a change "
                                "to the study, rules, templates or data affects")
    serve.add_argument("--port", type=_positive, default=8000,
                       help="the port to serve on (default: 8000)")

    c = sub.add_parser("cache", help="list what the cache holds, and prune it to a budget")
    c.add_argument("action", nargs="?", choices=("list", "prune", "dir"), default="list",
                   help="list: entries per stage, their size and pins (default); prune: evict "
                        "the entries used longest ago until the cache fits the budget; dir: "
                        "print the cache folder")
    c.add_argument("--cache-dir", metavar="DIR",
                   help=f"the cache folder (env {CACHE_DIR_ENV})")
    c.add_argument("--budget", dest="cache_budget", metavar="SIZE", help=BUDGET_HELP)
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS)

    i = sub.add_parser("init", help="look at a data set and write a study file to edit")
    i.add_argument("data", metavar="DATA", help="a CSV or Parquet file, or a folder of them")
    which = i.add_mutually_exclusive_group()
    which.add_argument("--label", metavar="COLUMN", help="the column that holds the genre")
    which.add_argument("--tags", metavar="COLUMN", help="the column of genre tags to bin")
    i.add_argument("-o", "--output", metavar="FILE", default="study.toml",
                   help="where to write the study file (default: study.toml)")
    i.add_argument("--force", action="store_true", help="replace an existing study file")
    i.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS)

    from genrereport.scrape.command import add_parser as add_scrape_parser

    add_scrape_parser(sub)
    return p


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """How a build runs: its cores and where its parallel steps go (build and serve)."""
    p.add_argument("--jobs", "-j", metavar="N", type=_positive, default=None,
                   help="cores to use: stages side by side and workers inside them "
                        "(default: all this process may use)")
    p.add_argument("--backend", choices=("local", "dask"), default="local",
                   help="where the stages run: in processes on this machine (local, the "
                        "default) or on a Dask cluster (dask)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --backend dask: the Dask scheduler to use, e.g. "
                        "tcp://10.0.0.5:8786 (default: a local cluster on 127.0.0.1)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `genrereport` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return _dispatch(args)
    except GenreReportError as exc:
        if args.debug:
            raise
        print(f"{ERROR_PREFIX}{exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - a failure this code did not foresee
        if args.debug:
            raise
        print(f"{ERROR_PREFIX}{unexpected(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Every stage's process and the workers it started have ended by now (the build's
        # runner ends them as the interruption unwinds), and every write is atomic.
        print(f"genrereport: {INTERRUPTED_MESSAGE}", file=sys.stderr)
        return 128 + _signal_received[-1] if _signal_received else INTERRUPTED


def unexpected(exc: BaseException) -> str:
    """One line for an error no check foresaw (a library's, or a bug): the stage it happened
    in, its type and the first line of its message, and how to see the rest."""
    where = next((note for note in getattr(exc, "__notes__", ()) if note.startswith("in stage")),
                 "")
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return (f"{where + ': ' if where else ''}{type(exc).__name__}"
            f"{': ' + first if first else ''} (unexpected; --debug shows the traceback)")


INTERRUPTED_MESSAGE = "interrupted; the last good site is unchanged"
# The signals that ended the run (SIGTERM and SIGHUP unwind as Ctrl-C does).
_signal_received: list[int] = []


def _on_signal(signum, frame) -> None:
    _signal_received.append(signum)
    raise KeyboardInterrupt


def console() -> None:
    """The `genrereport` command: `main`, then leave. Ctrl-C, SIGTERM (a service manager,
    `kill`, `serve` stopping its build) and SIGHUP (a closed terminal) unwind the same way:
    stages end, the site stays."""
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # SIGHUP: the terminal closed (not on Windows)
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _on_signal)
    sys.exit(main())


def _study(args: argparse.Namespace):
    """The study of this command: a study file, an ad-hoc study from --label/--tags, or the
    built-in 2018 study."""
    from genrereport import study

    label, tags = getattr(args, "label", None), getattr(args, "tags", None)
    if args.study:
        if label or tags:
            raise GenreReportError("--label and --tags replace a study file: give one or the "
                                   "other, not both")
        return study.load_study(Path(args.study))
    if label or tags:
        if not args.data:
            raise GenreReportError("--label and --tags need --data (the file or folder to read)")
        from genrereport import init

        return init.adhoc_study(Path(args.data), label=label, tags=tags)
    return study.load_study()


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "scrape":
        from genrereport.scrape.command import run as run_scrape

        return run_scrape(args)
    from genrereport import pipeline

    if args.command == "init":
        from genrereport import init

        return init.run(Path(args.data), Path(args.output), label=args.label, tags=args.tags,
                        force=args.force)
    if args.command == "cache":
        from genrereport import cachecommand

        return cachecommand.run(Settings.from_cli(cache_dir=args.cache_dir,
                                                  cache_budget=args.cache_budget), args.action)
    settings = _settings(args)
    if args.command == "fetch":
        return pipeline.fetch(settings)
    if args.command == "serve":
        from genrereport import serve

        return serve.run(lambda: _settings(args), _build_args(args), args.port)
    return pipeline.build(settings)


def _settings(args: argparse.Namespace) -> Settings:
    """The settings of this command (the study file read afresh)."""
    settings = Settings.from_cli(
        out_dir=getattr(args, "out", None),
        data_dir=args.data,
        rules=getattr(args, "rules", None),
        profile=getattr(args, "profile", "full"),
        cache_dir=args.cache_dir,
        cache_budget=getattr(args, "cache_budget", None),
        force=getattr(args, "force", False),
        study=_study(args),
        jobs=getattr(args, "jobs", None),
        backend=getattr(args, "backend", "local"),
        scheduler=getattr(args, "scheduler", None),
    )
    if settings.scheduler and settings.backend != "dask":
        raise GenreReportError("--scheduler is the address of a Dask scheduler: give it with "
                               "--backend dask")
    return settings


# The options `serve` passes on to the builds it starts, as `build` spells them.
PASSED_ON = ("data", "study", "cache_dir", "cache_budget", "rules", "label", "tags", "profile",
             "out", "jobs", "backend", "scheduler")


def _build_args(args: argparse.Namespace) -> list[str]:
    out = ["--debug"] if args.debug else []
    for name in PASSED_ON:
        value = getattr(args, name, None)
        if value is not None:
            out += [f"--{name.replace('_', '-')}", str(value)]
    return out
