"""Bin each song's genre list into one target genre with ordered regex rules.

The study's semantics: the genre list is searched as the text it was written as (so `rap` also
matches "trap music"), the rules are tried in order, and the first that matches wins. Songs that
match no rule are dropped from the analyses.

Patterns are matched with RE2 (through pyarrow), whose time grows linearly with the text: no
pattern can make the build hang by backtracking, as `(a+)+$` does with Python's `re`. RE2 has no
backreferences or lookarounds; a rule that uses them is refused with a clear error. Its `\\b`,
`\\w`, `\\d` and `\\s` are ASCII-only, where Python's are Unicode-aware: write `\\pL` for any
letter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from genrereport.rules import Rules


@dataclass
class BinningReport:
    """Counts for the Binning page: per target, unbinned, and songs that more than one rule hit."""

    rules: list[dict]
    rows_in: int
    unbinned: int
    rows: int
    counts: dict[str, int]
    multi_match: int
    multi_match_by_target: dict[str, int]
    matches_by_rule: dict[str, int]
    # The commonest (winning rule, next matching rule) pairs, each with an example tag list.
    order_examples: list[dict]
    rules_sha256: str | None
    # "rules": tags binned by ordered rules; "label": a label column used as it is.
    mode: str = "rules"

    def to_dict(self) -> dict:
        return asdict(self)


def match_matrix(genre_text: pd.Series, rules: Rules) -> np.ndarray:
    """Boolean matrix (songs × rules): does rule j's regex occur anywhere in song i's genre text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array(genre_text.astype(str).tolist(), pa.string())
    cols = [pc.match_substring_regex(texts, pattern=r.pattern).to_numpy(zero_copy_only=False)
            for r in rules.rules]
    return np.column_stack(cols) if cols else np.zeros((len(genre_text), 0), dtype=bool)


def assign_targets(genre_text: pd.Series, rules: Rules) -> pd.Series:
    """Target per song (first matching rule), or NaN where no rule matches."""
    hits = match_matrix(genre_text, rules)
    return _first_match(hits, rules, genre_text.index)


def _first_match(hits: np.ndarray, rules: Rules, index) -> pd.Series:
    any_hit = hits.any(axis=1)
    first = hits.argmax(axis=1)
    names = np.array(rules.targets, dtype=object)
    out = np.where(any_hit, names[first], None)
    return pd.Series(out, index=index, dtype=object)


EXAMPLES = 3


def order_examples(genre_text: pd.Series, hits: np.ndarray, rules: Rules,
                   top: int = EXAMPLES) -> list[dict]:
    """Where the order decided: the commonest pairs of (winning rule, the next rule that also
    matched), with how many songs each covers and the shortest tag list among them."""
    multi = np.flatnonzero(hits.sum(axis=1) > 1)
    if multi.size == 0:
        return []
    ordered = np.argsort(~hits[multi], axis=1, kind="stable")  # matching rules first, in order
    pairs = pd.DataFrame({"winner": ordered[:, 0], "other": ordered[:, 1],
                          "text": genre_text.iloc[multi].astype(str).to_numpy()})
    pairs["length"] = pairs["text"].str.len()
    counts = pairs.groupby(["winner", "other"]).size().rename("songs").reset_index()
    counts = counts.sort_values(["songs", "winner", "other"], ascending=[False, True, True])
    out = []
    for row in counts.head(top).itertuples(index=False):
        mine = pairs[(pairs["winner"] == row.winner) & (pairs["other"] == row.other)]
        example = mine.sort_values(["length", "text"]).iloc[0]["text"]
        out.append({"winner": rules.rules[row.winner].target,
                    "other": rules.rules[row.other].target,
                    "songs": int(row.songs), "example": example})
    return out


def bin_genres(frame: pd.DataFrame, rules: Rules) -> tuple[pd.DataFrame, BinningReport]:
    """New frame with a `target` column, keeping only songs that a rule matched."""
    hits = match_matrix(frame["genre"], rules)
    target = _first_match(hits, rules, frame.index)
    binned = frame.assign(target=target)
    binned = binned[binned["target"].notna()].reset_index(drop=True)
    n_hits = hits.sum(axis=1)
    multi = n_hits > 1
    counts = binned["target"].value_counts()
    multi_by_target = target[multi].value_counts()
    report = BinningReport(
        rules=[asdict(r) for r in rules.rules],
        rows_in=len(frame),
        unbinned=int((n_hits == 0).sum()),
        rows=len(binned),
        counts={t: int(counts.get(t, 0)) for t in sorted(rules.targets, key=lambda t: -counts.get(t, 0))},
        multi_match=int(multi.sum()),
        multi_match_by_target={t: int(multi_by_target.get(t, 0)) for t in rules.targets},
        matches_by_rule={r.target: int(hits[:, j].sum()) for j, r in enumerate(rules.rules)},
        order_examples=order_examples(frame["genre"], hits, rules),
        rules_sha256=rules.sha256,
    )
    return binned, report


def label_targets(frame: pd.DataFrame) -> tuple[pd.DataFrame, BinningReport]:
    """A label column used as it is: each song's genre is its label; songs without one are left
    out (counted as unbinned)."""
    labels = frame["label"].astype(str).str.strip()
    has = labels != ""
    binned = frame.assign(target=labels)[has].reset_index(drop=True)
    counts = binned["target"].value_counts()
    report = BinningReport(
        rules=[], rows_in=len(frame), unbinned=int((~has).sum()), rows=len(binned),
        counts={str(t): int(n) for t, n in counts.items()}, multi_match=0,
        multi_match_by_target={}, matches_by_rule={}, order_examples=[], rules_sha256=None,
        mode="label")
    return binned, report
