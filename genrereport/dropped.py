"""What each check of the data stages dropped, in lines for the terminal.

The Data and Binning pages list every dropped row's reason; a user who only reads the terminal
should still learn that a fifth of the songs went, and why, column by column."""

from __future__ import annotations

# Reasons shown on one line; the pages list them all.
SHOWN = 4


def lines(load: dict, clean: dict, bins: dict) -> list[str]:
    """One line per check that dropped rows: load (by reason, which names the column), the
    de-duplication, the binning (songs no rule matched) and the genres too small to analyse."""
    out = []
    if load.get("rows_rejected"):
        reasons = list(load["rejected_by_reason"].items())
        shown = "; ".join(f"{why}: {n:,}" for why, n in reasons[:SHOWN])
        more = f"; and {len(reasons) - SHOWN} more reasons" if len(reasons) > SHOWN else ""
        out.append(f"load: {load['rows_rejected']:,} of {load['rows_pulled']:,} rows dropped "
                   f"({shown}{more})")
    dups = clean.get("duplicates_dropped", 0)
    multi = clean.get("multi_label_rows_dropped", 0)
    if dups or multi:
        parts = [f"{dups:,} duplicate rows" if dups else "",
                 f"{multi:,} rows of tracks with other labels" if multi else ""]
        out.append(f"clean: {' and '.join(p for p in parts if p)} dropped")
    if bins.get("unbinned"):
        what = "had no label" if bins.get("mode") == "label" else "matched no genre rule"
        out.append(f"bin: {bins['unbinned']:,} of {bins['rows_in']:,} songs {what}, left out")
    small = bins.get("too_small") or {}
    if small.get("rows_dropped"):
        genres = ", ".join(f"{d['genre']} ({d['songs']})" for d in small["dropped"][:SHOWN])
        more = f" and {len(small['dropped']) - SHOWN} more" if len(small["dropped"]) > SHOWN else ""
        out.append(f"bin: {small['rows_dropped']:,} songs in genres of fewer than "
                   f"{small['min_songs']} songs left out: {genres}{more}")
    return out
