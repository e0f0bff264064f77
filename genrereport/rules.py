"""Ordered genre rules: read from a rules file or a study file, and checked before anything runs.

Each rule names a target genre and an RE2 pattern (binning.py says how they are matched). A rule
that RE2 cannot use (invalid, a lookaround, a backreference, too long) is refused with an error
that names it. Light on purpose: the build's own process reads the rules, not the songs.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from genrereport.errors import RulesError


@dataclass(frozen=True)
class Rule:
    target: str
    pattern: str


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    source: str
    sha256: str

    @property
    def targets(self) -> list[str]:
        return [r.target for r in self.rules]


def load_rules(path: Path) -> Rules:
    """Read and check a rules file: a TOML list of `[[rule]]` tables with target and pattern."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file ({exc.strerror})") from exc
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: not valid TOML ({exc})") from exc
    return check_rules(doc.get("rule", []), str(path), hashlib.sha256(raw).hexdigest())


def inline_rules(pairs, source: str) -> Rules:
    """Rules written in a study file ([[rules.rule]] tables), checked like a rules file."""
    items = [{"target": t, "pattern": p} for t, p in pairs]
    blob = "\n".join(f"{t}\0{p}" for t, p in pairs).encode("utf-8")
    return check_rules(items, source, hashlib.sha256(blob).hexdigest())


def check_rules(items, path: str, sha256: str) -> Rules:
    """Rules from parsed items: each needs a target and an RE2 pattern, targets once each."""
    if not isinstance(items, list) or not items:
        raise RulesError(f"{path}: no rules; add [[rule]] tables with 'target' and 'pattern'")
    rules, seen = [], set()
    for i, item in enumerate(items, start=1):
        target, pattern = item.get("target"), item.get("pattern")
        if not isinstance(target, str) or not target.strip():
            raise RulesError(f"{path}: rule {i} has no 'target'")
        if not isinstance(pattern, str) or pattern == "":
            raise RulesError(f"{path}: rule {i} ({target!r}) has no 'pattern'")
        if target in seen:
            raise RulesError(f"{path}: rule {i} repeats target {target!r}; each target needs one "
                             f"rule (join its patterns with '|')")
        problem = pattern_problem(pattern)
        if problem:
            raise RulesError(f"{path}: rule {i} ({target!r}) {problem}")
        seen.add(target)
        rules.append(Rule(target, pattern))
    return Rules(tuple(rules), str(path), sha256)


# Longer patterns are refused before they reach the matcher: a rule is a list of tags, not a
# data file, and a pattern of megabytes would take long to compile.
MAX_PATTERN = 100_000


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 cannot use `pattern` (invalid, unsupported syntax, too large), or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(pattern) > MAX_PATTERN:
        return (f"has a pattern of {len(pattern):,} characters; the limit is {MAX_PATTERN:,} "
                "(split the tags over several rules)")
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern=pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        detail = str(exc).splitlines()[0].removeprefix("Invalid regular expression: ")
        return (f"has an invalid regex for the linear-time matcher (RE2): {detail}"
                f"{_re2_hint(detail)}")
    return None


def _re2_hint(detail: str) -> str:
    """What to write instead, for the Python regex features RE2 lacks."""
    if "perl operator" in detail:
        return " (RE2 has no lookarounds: list the tags to match instead)"
    if re.search(r"escape sequence: \\[1-9]", detail):
        return " (RE2 has no backreferences)"
    if "\\Z" in detail:
        return " (write $ for the end of the text)"
    if "escape sequence" in detail:
        return " (RE2 does not know this escape)"
    return ""
