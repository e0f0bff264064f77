"""The data stages as their processes run them (stagejob.py): load the pulls, clean them, bin
the songs into genres. Each returns (frame, report); the build's own process reads the reports
alone, never the songs."""

from __future__ import annotations

from genrereport.errors import DataError
from genrereport.rules import Rules


def load(*, settings, reporter, files) -> tuple:
    """Read and check every data file: (the valid rows, the load report)."""
    from genrereport import load as loading

    loaded = loading.load(list(files), settings.study)
    return loaded.frame, loaded.report.to_dict()


def clean(loaded: tuple, *, settings, reporter) -> tuple:
    """De-duplicate the loaded rows the study's way: (the rows kept, the clean report)."""
    from genrereport import clean as cleaning

    study = settings.study
    frame, report = cleaning.clean(loaded[0], study.dedup, study.multi_label)
    return frame, report.to_dict()


def bin_songs(cleaned: tuple, *, settings, reporter, rules: Rules | None,
              clusters: list) -> tuple:
    """Each song's target genre (by `rules`, or the label column when None), without the
    genres too small for the study's splits: (the songs to analyse, the binning report)."""
    from genrereport import binning, minimums

    study = settings.study
    if rules is None:
        frame, report = binning.label_targets(cleaned[0])
        where = f"the songs labelled by column {study.columns.label!r}"
        if frame.empty and len(cleaned[0]):
            raise DataError(f"{where}: the column is empty in every row, so no song has a "
                            "genre")
    else:
        frame, report = binning.bin_genres(cleaned[0], rules)
        where = f"the songs binned by {rules.source}"
    frame, small = minimums.apply(frame, study.min_songs, clusters=clusters[0],
                                  songs_per_cluster=clusters[1], where=where)
    return frame, {**report.to_dict(), "too_small": small}
