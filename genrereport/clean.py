"""Drop exact duplicate rows (every column equal), keeping the first, as the study did."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass
class CleanReport:
    rows_in: int
    duplicates_dropped: int
    rows_after_dedup: int
    null_cells: int

    def to_dict(self) -> dict:
        return asdict(self)


def clean(frame: pd.DataFrame) -> tuple[pd.DataFrame, CleanReport]:
    """Return a new frame without exact duplicates; the input is left untouched."""
    deduped = frame.drop_duplicates(keep="first").reset_index(drop=True)
    report = CleanReport(
        rows_in=len(frame),
        duplicates_dropped=len(frame) - len(deduped),
        rows_after_dedup=len(deduped),
        null_cells=int(deduped.isna().sum().sum()),
    )
    return deduped, report
