"""Placeholder CLI hook for the scraper; the scraper issue replaces this module."""

from __future__ import annotations

import argparse

from genrereport.errors import GenreReportError


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("scrape", help="gather new pulls from the Spotify Web API")
    p.add_argument("--artists", metavar="FILE", required=True)
    p.add_argument("--out", metavar="DIR", required=True)
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return p


def run(args: argparse.Namespace) -> int:
    raise GenreReportError("scrape is not available yet")
