"""Which of a model's scores are clean, and the model picked the clean way.

A score is clean when no part of the model's fitting looked at the songs it is measured on.
Two models use the validation songs while fitting, so their validation scores flatter them;
the study's network watched the test songs, so its test score does. The model this report calls
the best is picked by validation accuracy among the models whose validation and test scores are
both clean.
"""

from __future__ import annotations

VALIDATION = "validation"
TEST = "test"

# Beyond its training rows, which part of the data a model's fitting looked at, and how.
SAW: dict[str, tuple[str, str]] = {
    "rf_weighted_pred": (VALIDATION, "its class weights come from the plain forest's "
                                     "predictions on the validation songs"),
    "nn": (VALIDATION, "early stopping watched the validation loss"),
    "nn_study": (TEST, "early stopping watched the test loss, as the study's did"),
}


def flags(model_id: str) -> dict:
    """Whether the model's validation and test scores are clean, and why not."""
    part, why = SAW.get(model_id, (None, None))
    return {"val_clean": part != VALIDATION, "test_clean": part != TEST, "saw": part, "why": why}


def pick(records: list[dict]) -> str:
    """The model with the best validation accuracy among those with clean scores (ties: the
    first in display order); all models if none is clean."""
    clean = [r for r in records if flags(r["id"])["val_clean"] and flags(r["id"])["test_clean"]]
    pool = clean or records
    return max(pool, key=lambda r: r["val_accuracy"])["id"]
