"""Class-weighted forests with the study's semantics, on today's scikit-learn.

Up to scikit-learn 1.8 (and in 0.19, which the study ran), a forest with `class_weight` drew
each tree's bootstrap uniformly and fitted the tree with sample weights equal to the bootstrap
counts times the class weights. scikit-learn 1.9 (PR #31529) draws the bootstrap in proportion
to the weights instead and fits the tree on the counts alone, so class weighting became
oversampling: a different model, which scores several points lower on the study's data.

`UniformBootstrapForest` grows the old model with today's trees: the same tree seeds as
`RandomForestClassifier(random_state=...)` draws, the same uniform bootstrap, and the weights
handed to each tree as 1.8 did. tests/test_weighted_forest.py checks it against forests fitted
by scikit-learn 1.8 itself.
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.tree import DecisionTreeClassifier

# The release that changed how forests use weights, its pull request, and the last release with
# the study's semantics (which tests/reference holds forests of).
CHANGED_IN = {"release": "1.9", "pull_request": 31529, "reference_release": "1.8"}

# The bound that scikit-learn's ensembles use to draw one seed per tree (_set_random_states).
MAX_SEED = np.iinfo(np.int32).max
# RandomForestClassifier arguments that belong to the forest, not to its trees.
FOREST_ONLY = ("n_estimators", "bootstrap", "oob_score", "n_jobs", "random_state", "verbose",
               "warm_start", "class_weight", "max_samples")


def bootstrap_counts(seed: int, n_samples: int) -> np.ndarray:
    """How often each row is drawn into the bootstrap of the tree with this seed: n draws,
    uniform with replacement (scikit-learn's _generate_sample_indices without weights)."""
    indices = np.random.RandomState(seed).randint(0, n_samples, n_samples)
    return np.bincount(indices, minlength=n_samples)


def row_weights(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """Each row's class weight (a class missing from the dict weighs 1, as in scikit-learn)."""
    lookup = np.array([float(class_weight.get(c, 1.0)) for c in range(int(y.max()) + 1)])
    return lookup[y]


class UniformBootstrapForest:
    """The fitted trees of a class-weighted forest, grown the way scikit-learn ≤ 1.8 grew them.

    Only what `forest.grow_forest` needs: `classes_`, `estimators_` and `predict_proba`.
    """

    def __init__(self, n_estimators: int, random_state: np.random.RandomState, class_weight: dict,
                 n_jobs: int = 1, **tree_params):
        unknown = set(tree_params) & set(FOREST_ONLY)
        if unknown:
            raise TypeError(f"not a tree parameter: {', '.join(sorted(unknown))}")
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.class_weight = dict(class_weight)
        self.n_jobs = n_jobs
        self.tree_params = tree_params

    def fit(self, X, y) -> "UniformBootstrapForest":
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        codes = np.searchsorted(self.classes_, y)
        # One seed per tree, drawn in order from the shared stream, as the forest draws them.
        seeds = [int(self.random_state.randint(MAX_SEED)) for _ in range(self.n_estimators)]
        base = row_weights(codes, {int(np.searchsorted(self.classes_, c)): w
                                   for c, w in self.class_weight.items() if c in self.classes_})
        n = X.shape[0]

        def grow(seed: int) -> DecisionTreeClassifier:
            tree = DecisionTreeClassifier(random_state=seed, **self.tree_params)
            return tree.fit(X, codes, sample_weight=base * bootstrap_counts(seed, n))

        # Threads, as the forest uses: tree fitting releases the GIL.
        self.estimators_ = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(grow)(s) for s in seeds)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Mean of the trees' class probabilities (a forest averages, it does not vote)."""
        total = np.zeros((X.shape[0], len(self.classes_)))
        for tree in self.estimators_:
            total[:, tree.classes_] += tree.predict_proba(X)
        return total / len(self.estimators_)
