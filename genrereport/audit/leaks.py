"""Every place where the study let the test songs (or their twins) shape a model, each with its
effect measured on this build's data, in accuracy points on the test set.

The descriptions say what the study did and what this rerun does instead; the numbers come from
models retrained here. A positive effect means the leak made the study's way look better.
"""

from __future__ import annotations

import numpy as np

from genrereport.models import uncertainty

# id → (what the study did, what this rerun does). Facts about the study, from its protocol.
LEAKS: dict[str, dict] = {
    "twins": {
        "title": "Twins across the split",
        "study": "split the songs at random, so a track pulled for two artists can sit in "
                 "training and in test with identical features",
        "here": "the main models retrained on a split that keeps every twin group on one side"},
    "nn_test_stopping": {
        "title": "Early stopping on the test set",
        "study": "handed the test set to Keras as validation data, so the test loss chose the "
                 "epoch at which training stopped",
        "here": "a second run whose early stopping watches the validation set"},
    "weights_from_test": {
        "title": "Class weights from the test set",
        "study": "took the 'norm' weights from the genre counts of the test set and the 'pred' "
                 "weights from the plain forest's predictions on the test set",
        "here": "weights from the training songs and from validation predictions; the study's "
                "test-derived weights are tried too, to measure what they change"},
    "title_vocabulary": {
        "title": "Title words from every song",
        "study": "built the vocabulary of the title-word forest from all titles, test included "
                 "(no labels, but the test titles shape the columns)",
        "here": "the same forest with a vocabulary built from the training titles only"},
    "test_selection": {
        "title": "Choosing the best model by its test score",
        "study": "compared its models on the test set and named the best one there",
        "here": "the best model is picked by validation accuracy among models with clean "
                "scores; the gap is how much picking on test would flatter the winner"},
}


def entry(leak_id: str, effect: float | None, effect_ci=None, **figures) -> dict:
    """One leak: its description, the measured effect (accuracy points) and its figures."""
    return {"id": leak_id, **LEAKS[leak_id], "effect": effect, "effect_ci": effect_ci,
            "figures": figures}


def paired(y_test: np.ndarray, pred_study_way: np.ndarray, pred_here: np.ndarray,
           seed: int) -> dict:
    """Test accuracy of the study's way and of this rerun's way on the same songs."""
    right_a, right_b = pred_study_way == y_test, pred_here == y_test
    return {"study_way": float(right_a.mean()), "here": float(right_b.mean()),
            "effect": float(right_a.mean() - right_b.mean()),
            "effect_ci": uncertainty.paired_gap_interval(right_a, right_b, seed)}
