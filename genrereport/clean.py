"""Drop duplicate rows, the way the study says: exact rows (every column equal, the 2018 study's
way), or one row per track id, with a rule for a track that carries several labels.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd


@dataclass
class CleanReport:
    rows_in: int
    duplicates_dropped: int
    rows_after_dedup: int
    null_cells: int
    mode: str = "exact"
    multi_label: str | None = None
    # Tracks that carried more than one label, and the rows their rule removed.
    multi_label_tracks: int = 0
    multi_label_rows_dropped: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _by_track(frame: pd.DataFrame, multi_label: str) -> tuple[pd.DataFrame, int, int]:
    """One row per track id. With a label column, a track with several labels keeps its first
    row ("first"), its commonest label ("majority", ties: the first seen), or goes ("drop")."""
    if "label" not in frame:
        return frame.drop_duplicates(subset="track_id", keep="first"), 0, 0
    labels = frame.groupby("track_id", sort=False)["label"].nunique()
    mixed = labels[labels > 1].index
    if multi_label == "drop":
        kept = frame[~frame["track_id"].isin(mixed)]
        dropped = int(frame["track_id"].isin(mixed).sum())
        return kept.drop_duplicates(subset="track_id", keep="first"), len(mixed), dropped
    if multi_label == "majority":
        counts = frame.groupby(["track_id", "label"], sort=False).size().rename("n").reset_index()
        first = frame.reset_index().groupby(["track_id", "label"], sort=False)["index"].min()
        counts["first"] = first.to_numpy()
        best = (counts.sort_values(["track_id", "n", "first"], ascending=[True, False, True])
                .drop_duplicates("track_id").set_index("track_id")["label"])
        frame = frame[frame["label"].to_numpy() == frame["track_id"].map(best).to_numpy()]
    return frame.drop_duplicates(subset="track_id", keep="first"), len(mixed), 0


def clean(frame: pd.DataFrame, mode: str = "exact",
          multi_label: str = "first") -> tuple[pd.DataFrame, CleanReport]:
    """Return a new frame without duplicates; the input is left untouched."""
    if mode == "track_id" and "track_id" in frame:
        deduped, mixed, mixed_dropped = _by_track(frame, multi_label)
    else:
        deduped, mixed, mixed_dropped = frame.drop_duplicates(keep="first"), 0, 0
    deduped = deduped.reset_index(drop=True)
    report = CleanReport(
        rows_in=len(frame),
        duplicates_dropped=len(frame) - len(deduped),
        rows_after_dedup=len(deduped),
        null_cells=int(deduped.isna().sum().sum()),
        mode=mode if mode != "track_id" or "track_id" in frame else "exact",
        multi_label=multi_label if mode == "track_id" and "label" in frame else None,
        multi_label_tracks=mixed,
        multi_label_rows_dropped=mixed_dropped,
        notes=([] if mode != "track_id" or "track_id" in frame else
               ["the data have no track id column, so exact duplicates were dropped instead"]),
    )
    return deduped, report
