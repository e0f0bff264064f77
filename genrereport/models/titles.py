"""Random forest on the audio features plus the words of the song titles (protocol §4.8).

The study built the word counts as a dense 35k × 24k table; as a sparse matrix the same numbers
take a few megabytes. Nothing here densifies it: the forest fits on CSC and predicts on CSR.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from genrereport.models import forest, metrics
from genrereport.models.context import Context

MAX_FEATURES = "sqrt"
TOP = 40  # importances kept for the site (the study showed 11)
STUDY_TOP = 11


def missing_reason(frame: pd.DataFrame) -> str | None:
    """Why the title-word forest cannot run on these songs, or None."""
    if "track_name" not in frame:
        return "the data have no song titles"
    try:
        CountVectorizer(stop_words="english").fit(frame["track_name"].fillna("").astype(str))
    except ValueError:  # no word left after the stop words
        return "the song titles hold no words beyond common English stop words"
    return None


def title_matrix(frame: pd.DataFrame, features,
                 vocabulary_rows=None) -> tuple[sp.csr_matrix, list[str], int]:
    """Audio features joined to title word counts: (sparse matrix, column names, vocabulary).

    Like the study, the vocabulary comes from every title (it sees no labels), unless
    `vocabulary_rows` names the rows it may come from (the audit uses the training rows).
    """
    vectorizer = CountVectorizer(stop_words="english")
    titles = frame["track_name"].fillna("").astype(str)
    source = titles if vocabulary_rows is None else titles.iloc[vocabulary_rows]
    vectorizer.fit(source)
    words = vectorizer.transform(titles)
    audio = sp.csr_matrix(frame[list(features)].to_numpy(dtype=np.float64))
    matrix = sp.hstack([audio, words], format="csr")
    names = list(features) + vectorizer.get_feature_names_out().tolist()
    return matrix, names, words.shape[1]


def top_importances(names, values, n_audio: int, n: int = TOP) -> tuple[list[dict], list[dict]]:
    """The n most important columns overall, and the n most important words."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(-values, kind="stable")
    overall = [{"rank": r + 1, "feature": names[i], "importance": float(values[i]),
                "kind": "audio" if i < n_audio else "word"} for r, i in enumerate(order[:n])]
    word_order = [i for i in order if i >= n_audio][:n]
    words = [{"rank": r + 1, "feature": names[i], "importance": float(values[i]), "kind": "word"}
             for r, i in enumerate(word_order)]
    return overall, words


def run(ctx: Context, frame: pd.DataFrame, vocabulary_from_training: bool = False) -> dict:
    """Fit the 200-tree forest on the same rows as the other models and record it."""
    s, p = ctx.splits, ctx.profile
    matrix, names, vocabulary = title_matrix(
        frame, s.features, s.train if vocabulary_from_training else None)
    n_audio = len(s.features)
    with ctx.reporter.bar(p.title_trees, "title-word forest (trees)") as bar:
        grown = forest.grow_forest(
            matrix[s.train], s.y_train, {"val": matrix[s.val], "test": matrix[s.test]},
            p.title_trees, n_classes=len(s.classes), seed=ctx.seed, chunk=p.rf_chunk_trees,
            n_jobs=ctx.jobs, params={"max_features": MAX_FEATURES}, bar=bar)
    overall, words = top_importances(names, grown.importances, n_audio)
    return metrics.record(
        "rf_titles", "Forest with title words", classes=s.classes, y_val=s.y_val,
        pred_val=grown.predict("val"), y_test=s.y_test, pred_test=grown.predict("test"),
        baseline_test=ctx.baseline_test,
        params={"n_estimators": p.title_trees, "max_features": MAX_FEATURES,
                "random_state": ctx.seed, "stop_words": "english"},
        fit_seconds=grown.seconds, total_seconds=grown.seconds, importances=overall,
        top_words=words, vocabulary=vocabulary, columns=matrix.shape[1], rows=matrix.shape[0],
        nonzero=int(matrix.nnz), audio_importance=float(grown.importances[:n_audio].sum()),
        study_top=STUDY_TOP, vocabulary_from="training titles" if vocabulary_from_training
        else "all titles")
