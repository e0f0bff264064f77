"""Every place where today's libraries differ from the study's, and what this rerun does about it.

The study ran scikit-learn 0.19, xgboost 0.7 and Keras on TensorFlow 1.8. Each entry names the
model, the setting, its value in 2018, its value today, what is used here and why.
"""

from __future__ import annotations

CHANGES: tuple[dict, ...] = (
    {"model": "all searches", "setting": "cv",
     "study": "3 folds (default of 0.19)", "today": "5 folds",
     "here": "cv=3 for the forest, SGD and XGBoost searches",
     "why": "the study left cv unset; its logistic-regression grid set cv=5 and keeps it"},
    {"model": "all searches", "setting": "iid",
     "study": "iid=True: fold scores weighted by fold size", "today": "removed (plain mean)",
     "here": "plain mean",
     "why": "stratified folds differ in size by at most one song, so the weighting moves a "
            "score by far less than its last printed digit"},
    {"model": "random forest", "setting": "n_estimators of the default forest",
     "study": "10", "today": "100", "here": "10",
     "why": "the study's 'default forest' had 10 trees"},
    {"model": "random forest", "setting": "max_features",
     "study": "'auto' (= sqrt for classifiers)", "today": "'auto' removed; default 'sqrt'",
     "here": "'sqrt'", "why": "same value under its current name"},
    {"model": "random forest", "setting": "5000- and 1000-tree forests",
     "study": "one forest in memory (gigabytes for 5000 fully grown trees)",
     "today": "same", "here": "grown in chunks that share one random stream",
     "why": "the chunks hold the very trees of RandomForestClassifier(random_state=24); only "
            "their probabilities and importances are kept, so memory stays bounded"},
    {"model": "random forest", "setting": "randomized search",
     "study": "RandomizedSearchCV refits every candidate",
     "today": "same", "here": "same candidates and folds; candidates that differ only in "
                              "n_estimators are read off one growing forest",
     "why": "with one seed, 500 trees are the first 500 of 1000: same scores, less time and "
            "memory; the best forest is not refitted because the final forest is fitted anyway"},
    {"model": "weighted forest", "setting": "how class weights enter a bootstrapped forest",
     "study": "uniform bootstrap; each tree's counts multiplied by the class weights",
     "today": "bootstrap drawn in proportion to the weights (scikit-learn 1.9, PR #31529)",
     "here": "the study's semantics, re-implemented on today's trees",
     "why": "1.9 turns class weighting into oversampling, a different model; the scores show "
            "what the change alone does to the norm forest",
     "measure": {"here": ("rf_weighted_norm", "test_accuracy"),
                 "today": ("rf_weighted_norm", "today_semantics", "test_accuracy")}},
    {"model": "weighted forest", "setting": "'norm' class weights",
     "study": "from the actual genre counts of the test set", "today": "-",
     "here": "from the genre counts of the training songs",
     "why": "keeps the test set out of every choice made before the final score"},
    {"model": "weighted forest", "setting": "'pred' class weights",
     "study": "from the unweighted forest's predictions on the test set", "today": "-",
     "here": "from the final unweighted forest's validation predictions",
     "why": "keeps the test set out of every choice made before the final score"},
    {"model": "logistic regression", "setting": "solver",
     "study": "liblinear (default of 0.19)", "today": "lbfgs", "here": "solver='liblinear'",
     "why": "the study's solver"},
    {"model": "logistic regression", "setting": "multi_class",
     "study": "'ovr' (default of 0.19)",
     "today": "removed; liblinear rejects more than two classes",
     "here": "OneVsRestClassifier(LogisticRegression(solver='liblinear'))",
     "why": "liblinear always fitted one binary model per genre: the same model"},
    {"model": "logistic regression", "setting": "penalty",
     "study": "penalty='l1' / 'l2'", "today": "deprecated since 1.8",
     "here": "l1_ratio=1 / l1_ratio=0", "why": "the same penalties without the deprecated name"},
    {"model": "logistic regression", "setting": "warm_start in the grid",
     "study": "no effect with liblinear", "today": "no effect with liblinear",
     "here": "kept in the grid", "why": "faithful grid; each pair of candidates scores the same"},
    {"model": "SGD", "setting": "default model's epochs",
     "study": "max_iter=None, tol=None: 5 epochs", "today": "max_iter=1000, tol=1e-3",
     "here": "max_iter=5, tol=None", "why": "the study's default model"},
    {"model": "SGD", "setting": "loss 'log'", "study": "'log'", "today": "renamed 'log_loss'",
     "here": "'log_loss'", "why": "same loss under its current name"},
    {"model": "SGD", "setting": "alpha grid",
     "study": "arange(0, 1, 0.0001), 0 included",
     "today": "alpha=0 is rejected with the 'optimal' learning rate",
     "here": "0.0001 to 0.9999", "why": "0 cannot be fitted; the other 9,999 values are kept"},
    {"model": "SGD", "setting": "stopping with tol=0",
     "study": "up to 1000 epochs; stop after one epoch without improvement",
     "today": "n_iter_no_change=5", "here": "max_iter=1000, n_iter_no_change=1",
     "why": "the study's stopping rule"},
    {"model": "XGBoost", "setting": "learning_rate, max_depth",
     "study": "0.1, 3 (defaults of 0.7)", "today": "0.3, 6",
     "here": "0.1, 3 (depth searched later)", "why": "the study's defaults"},
    {"model": "XGBoost", "setting": "n_estimators in the search",
     "study": "100 (default of 0.7)", "today": "100", "here": "100, set explicitly",
     "why": "the protocol's '100 rounds'"},
    {"model": "XGBoost", "setting": "objective",
     "study": "wrapper switched any multi-class objective to multi:softprob",
     "today": "multi:softmax is honoured", "here": "multi:softprob",
     "why": "softmax and softprob grow the same trees; softprob also yields probabilities"},
    {"model": "XGBoost", "setting": "base_score",
     "study": "0.5", "today": "estimated per class from the labels", "here": "0.5",
     "why": "the study's starting point for every class"},
    {"model": "XGBoost", "setting": "tree_method",
     "study": "'exact' (what 'auto' chose for small data)", "today": "'hist'",
     "here": "'hist'", "why": "much faster; splits are searched on 256 bins per feature, so "
                              "scores can differ slightly"},
    {"model": "XGBoost", "setting": "feature_importances_",
     "study": "split counts ('weight')", "today": "'gain'",
     "here": "importance_type='weight'", "why": "the study's importances"},
    {"model": "neural network", "setting": "framework",
     "study": "Keras on TensorFlow 1.8", "today": "Keras 3 on TensorFlow 2",
     "here": "same layers, Adam, batch 75, EarlyStopping(val_loss, min_delta 0)",
     "why": "different random number streams: the stopping epoch can differ from 2018"},
    {"model": "neural network", "setting": "what early stopping watches",
     "study": "the test set", "today": "-",
     "here": "both: the study's run and one that watches validation",
     "why": "a test score used for stopping is no longer an unseen-data score"},
    {"model": "forest with title words", "setting": "word matrix",
     "study": "dense 35k × 24k table", "today": "-", "here": "sparse matrix",
     "why": "same values, a few megabytes instead of gigabytes"},
)


COLUMNS = ("model", "setting", "study", "today", "here", "why")


def _lookup(records: dict, path: tuple):
    value = records
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def as_data(records: dict | None = None) -> list[dict]:
    """The changes as plain dicts; a change measured in this build carries the test accuracy
    of this rerun's choice (`score_here`) and of today's default (`score_today`)."""
    out = []
    for change in CHANGES:
        row = {k: change[k] for k in COLUMNS}
        measure = change.get("measure")
        if measure and records is not None:
            row["score_here"] = _lookup(records, measure["here"])
            row["score_today"] = _lookup(records, measure["today"])
        out.append(row)
    return out
