"""Every statement the site makes that depends on data, computed from results in one place.

A template may loop over results and format numbers; it may not decide what is true. Anything
like "most songs are in 4/4", "the forest beats XGBoost" or "as the study found" is a `Claim`
made here, from the numbers, with the sentence that fits them: the same function writes the
other sentence when the data say otherwise, and the tests try both.

Each submodule has `claims(results) -> list[Claim]` for one part of the site; `build_claims`
collects them by id for the templates. Sentences are Markdown; every data value in them goes
through the filters' escaping and formatting.
"""

from __future__ import annotations

from dataclasses import dataclass

from genrereport.parts import collect

PARTS = (
    ("data", "genrereport.claims.data"),
    ("eda", "genrereport.claims.eda"),
    ("models", "genrereport.claims.models"),
    ("audit", "genrereport.claims.audit"),
    ("clustering", "genrereport.claims.clustering"),
    # The Home page's findings read models, audit and clustering, whichever this build has.
    ("binning", "genrereport.claims.findings"),
)


@dataclass(frozen=True)
class Claim:
    """One statement: its Markdown text, whether what it tests holds in this build (None for a
    statement that tests nothing), and whether it restates the study's write-up."""

    id: str
    text: str
    holds: bool | None = None
    study: bool = False

    def __str__(self) -> str:
        return self.text


def study(claim_id: str, text: str) -> Claim:
    """What the study's write-up said, in this project's words (marked as the study's)."""
    return Claim(claim_id, text, None, True)


def build_claims(results: dict) -> dict[str, Claim]:
    """Every claim of the site, keyed by id."""
    return collect(results, PARTS, "claims")


def join(items: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 song', '2 songs'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
