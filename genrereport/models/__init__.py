"""The eight classifiers of protocol §4, run the study's way, as plain data for results.json.

Each model is a stage of its own (`STAGES`, run by `models/stage.py`), keyed on the profile
fields it reads and the code it runs, so changing or adding one model retrains that model alone.
The "models" stage (`models/assemble.py`) then puts their records together. This package's
`__init__` holds data only: the pipeline imports it on every build, and a cached build should
not pay for scikit-learn, xgboost or TensorFlow.

Result layout (results["models"]): one record per model id in `ORDER` (see metrics.record),
plus `order`, `summary` (with the clean pick), `uncertainty` (intervals, paired tests),
`nn_comparison`, `setup` (splits, labels, correlations, baseline), `changes` (what differs from
2018), `study` (its published figures), `profile` and `full_profile` (the study's sizes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelStage:
    """One model's stage: the module whose `run` trains it, the record ids it produces, the
    model stages it reads, and the profile fields it reads (its cache key lists those alone;
    tests/test_profile_fields.py measures them)."""

    id: str
    module: str
    produces: tuple[str, ...]
    profile: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


STAGES: tuple[ModelStage, ...] = (
    ModelStage("rf", "genrereport.models.forest", ("rf",),
               ("rf_search_iter", "rf_search_estimators", "rf_final_trees", "rf_chunk_trees",
                "audit_rf_trees")),
    # The weighted forests: by the training labels' distribution, and by the predicted
    # distribution, which comes from the unweighted forest's validation labels (so only it
    # waits for that forest).
    ModelStage("rf_weighted_norm", "genrereport.models.weights", ("rf_weighted_norm",),
               ("rf_weighted_trees", "rf_chunk_trees")),
    ModelStage("rf_weighted_pred", "genrereport.models.weights", ("rf_weighted_pred",),
               ("rf_weighted_trees", "rf_chunk_trees"), after=("rf",)),
    ModelStage("logreg", "genrereport.models.logreg", ("logreg",),
               ("logreg_c_grid", "logreg_warm_start_grid")),
    ModelStage("sgd", "genrereport.models.sgd", ("sgd",), ("sgd_search_iter",)),
    ModelStage("xgb", "genrereport.models.xgb", ("xgb",),
               ("xgb_rounds", "xgb_search_iter", "xgb_search_rounds")),
    ModelStage("ovr_logreg", "genrereport.models.ovr", ("ovr_logreg",)),
    ModelStage("nn", "genrereport.models.nn", ("nn_study", "nn"), ("nn_max_epochs",)),
    ModelStage("rf_titles", "genrereport.models.titles", ("rf_titles",),
               ("title_trees", "rf_chunk_trees")),
)
STAGES_BY_ID = {s.id: s for s in STAGES}

# The profile fields the "models" stage (which assembles the records) reads itself.
ASSEMBLY_FIELDS = ("name",)
# Every profile field the models read, in the order results.json lists the study's sizes
# (a test checks it is the union of the stages' fields).
PROFILE_FIELDS = ("name", "rf_search_iter", "rf_search_estimators", "rf_final_trees",
                  "rf_weighted_trees", "rf_chunk_trees", "logreg_c_grid", "logreg_warm_start_grid",
                  "sgd_search_iter", "xgb_rounds", "xgb_search_iter", "xgb_search_rounds",
                  "nn_max_epochs", "title_trees", "audit_rf_trees")

# Where the stage output keeps each model's validation and test predictions (label codes).
PREDICTIONS_KEY = "_predictions"

# Display order; nn_study and nn are the two runs of the one network.
ORDER = ("rf", "rf_weighted_norm", "rf_weighted_pred", "logreg", "sgd", "xgb", "ovr_logreg",
         "nn_study", "nn", "rf_titles")


# What the network needs beyond the base install, and how to add it (the `nn` extra).
NN_NEEDS = ("keras", "tensorflow")
NN_INSTALL = "pip install 'genrereport[nn]'"


def nn_available() -> bool:
    """Whether Keras and TensorFlow can be imported (found, not imported: that takes seconds)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in NN_NEEDS)


def stages_for(wanted) -> tuple[ModelStage, ...]:
    """The model stages a study needs: those producing a wanted model, and whose upstream
    stages run too (the weighted forests need the unweighted one)."""
    chosen: list[ModelStage] = []
    for stage in STAGES:
        if set(stage.produces) & set(wanted) and all(a in {c.id for c in chosen}
                                                     for a in stage.after):
            chosen.append(stage)
    return tuple(chosen)
