"""A random forest that learns to predict a song's cluster from the features that made it.

If the clusters are well separated on a few features, the forest finds them easily and its
importances name the features that drive the clustering (tempo, then loudness, in the study).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, classification_report

from genrereport import treesum
from genrereport.splitting import study_split

# The study's forest for clusters (protocol §5); the number of trees comes from the profile.
MAX_FEATURES = "sqrt"


def split(X: np.ndarray, y: np.ndarray, seed: int):
    """The study's splits (see genrereport.splitting), falling back to unstratified cuts on tiny
    data. Returns (X_train, X_val, X_test, y_train, y_val, y_test, stratified)."""
    train, val, test, stratified = study_split(y, seed, strict=False)
    return X[train], X[val], X[test], y[train], y[val], y[test], stratified


def _report_rows(y_true, y_pred) -> tuple[list[dict], dict]:
    labels = sorted(set(np.unique(y_true)) | set(np.unique(y_pred)))
    report = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    rows = [{"cluster": int(c), "precision": report[str(c)]["precision"],
             "recall": report[str(c)]["recall"], "f1": report[str(c)]["f1-score"],
             "support": int(report[str(c)]["support"])} for c in labels]
    summary = {name.replace(" ", "_"): {"precision": report[name]["precision"],
                                        "recall": report[name]["recall"],
                                        "f1": report[name]["f1-score"],
                                        "support": int(report[name]["support"])}
               for name in ("macro avg", "weighted avg")}
    return rows, summary


def cluster_forest(X: np.ndarray, clusters: np.ndarray, features, trees: int, seed: int,
                   n_jobs: int) -> dict:
    """Fit on the training part; accuracy on validation and test, report on test, importances."""
    X_train, X_val, X_test, y_train, y_val, y_test, stratified = split(X, clusters, seed)
    forest = RandomForestClassifier(n_estimators=trees, max_features=MAX_FEATURES,
                                    random_state=seed, n_jobs=n_jobs)
    forest.fit(X_train, y_train)
    # Summed in a fixed order: the same predictions whatever the threads (see treesum.py).
    test_pred = treesum.predict(forest, X_test, n_jobs)
    report, summary = _report_rows(y_test, test_pred)
    importances = sorted(({"feature": f, "importance": float(v)}
                          for f, v in zip(features, forest.feature_importances_)),
                         key=lambda r: (-r["importance"], r["feature"]))
    return {
        "trees": trees,
        "max_features": MAX_FEATURES,
        "stratified": stratified,
        "train_rows": len(y_train),
        "val_rows": len(y_val),
        "test_rows": len(y_test),
        "val_accuracy": float(accuracy_score(y_val, treesum.predict(forest, X_val, n_jobs))),
        "test_accuracy": float(accuracy_score(y_test, test_pred)),
        "report": report,
        "report_summary": summary,
        "importances": importances,
    }
