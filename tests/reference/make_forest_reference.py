"""Write the reference that tests/test_weighted_forest.py compares with: forests fitted by
scikit-learn 1.8, the last release whose forests drew a uniform bootstrap and multiplied its
counts by the class weights (the semantics of 0.19, which the study ran).

Run it with scikit-learn 1.8 installed (any other version is refused):

    python -m venv /tmp/sk18 && /tmp/sk18/bin/pip install "scikit-learn==1.8.*"
    /tmp/sk18/bin/python tests/reference/make_forest_reference.py

The data are drawn with NumPy's legacy RandomState, whose streams do not change between
releases, so the test can rebuild them exactly (`reference_data`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "forest_sklearn_1_8.json"
# Small and imbalanced on purpose: weights only matter when classes differ in size.
CLASS_SIZES = (120, 60, 30, 15)
CLASS_WEIGHT = {0: 1.0, 1: 2.0, 2: 4.0, 3: 8.0}
N_FEATURES = 6
N_EVAL = 60
TREES = 12
SEED = 24


def reference_data():
    """Training rows (X, y) and evaluation rows, identical in every NumPy release."""
    rng = np.random.RandomState(7)
    y = np.repeat(np.arange(len(CLASS_SIZES)), CLASS_SIZES)
    centres = rng.normal(scale=1.2, size=(len(CLASS_SIZES), N_FEATURES))
    X = centres[y] + rng.normal(size=(len(y), N_FEATURES))
    order = rng.permutation(len(y))
    X_eval = rng.normal(scale=1.5, size=(N_EVAL, N_FEATURES))
    return X[order], y[order], X_eval


def main() -> int:
    import sklearn
    from sklearn.ensemble import RandomForestClassifier

    if not sklearn.__version__.startswith("1.8."):
        print(f"needs scikit-learn 1.8, found {sklearn.__version__}", file=sys.stderr)
        return 1
    X, y, X_eval = reference_data()
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "trees": TREES,
           "seed": SEED, "class_weight": {str(k): v for k, v in CLASS_WEIGHT.items()}}
    for name, class_weight in (("weighted", CLASS_WEIGHT), ("unweighted", None)):
        forest = RandomForestClassifier(n_estimators=TREES, random_state=SEED,
                                        max_features="sqrt", class_weight=class_weight)
        forest.fit(X, y)
        out[name] = {"proba": forest.predict_proba(X_eval).round(12).tolist(),
                     "importances": forest.feature_importances_.round(12).tolist()}
    OUT.write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(f"wrote {OUT.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
