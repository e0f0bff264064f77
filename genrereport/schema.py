"""The columns of a pull, and which audio features the analyses use."""

from __future__ import annotations

# Audio features that Spotify reports on a 0..1 scale.
UNIT_FEATURES = ("acousticness", "danceability", "energy", "instrumentalness", "liveness",
                 "speechiness", "valence")
INTEGER_COLUMNS = ("key", "mode", "popularity", "time_signature")
NUMERIC_COLUMNS = UNIT_FEATURES + ("key", "loudness", "mode", "popularity", "tempo",
                                   "time_signature")
# May be empty: Spotify no longer sends popularity to development-mode apps, and no analysis
# uses it (the study's models leave it out).
NULLABLE_COLUMNS = ("popularity",)

# Every pull must have these; time_signature is optional because the ReccoBeats feature source
# (the substitute for Spotify's retired audio-features endpoint) does not report it.
OPTIONAL_COLUMNS = ("time_signature",)
PULL_COLUMNS = ("acousticness", "artist_name", "artist_uri", "danceability", "energy", "genre",
                "instrumentalness", "key", "liveness", "loudness", "mode", "popularity",
                "speechiness", "tempo", "time_signature", "track_id", "track_name", "valence")
REQUIRED_COLUMNS = tuple(c for c in PULL_COLUMNS if c not in OPTIONAL_COLUMNS)

# The 11 model features of the study (protocol §4); key and popularity are not used.
MODEL_FEATURES = ("acousticness", "danceability", "energy", "instrumentalness", "liveness",
                  "loudness", "mode", "speechiness", "tempo", "time_signature", "valence")

# The features the exploration charts per genre (protocol §3).
HISTOGRAM_FEATURES = ("acousticness", "danceability", "energy", "instrumentalness", "liveness",
                      "loudness", "speechiness", "tempo", "valence")
RANGE_FEATURES = ("speechiness", "acousticness", "instrumentalness", "energy", "liveness",
                  "loudness", "tempo", "valence")


def model_features(columns) -> tuple[str, ...]:
    """The study's model features that this data set has (time_signature may be missing)."""
    present = set(columns)
    return tuple(f for f in MODEL_FEATURES if f in present)
