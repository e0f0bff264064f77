"""One-vs-rest logistic regression (protocol §4.6) and the density curves of its outputs.

The study drew, over the validation songs, the density of the pop and rock models' confidence
(decision function) and of the pop, rock and classical probabilities. The curves are computed
here as a few hundred points each, never as the 6.5k raw values per genre.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import gaussian_kde

from genrereport.models import logreg, metrics
from genrereport.models.context import Context, Stopwatch

def panels(classes, sizes, reference: dict) -> tuple:
    """(output, genres compared) for each density panel: the study's where it names them, else
    the largest genre against the next two, as the study did with pop, rock and classical."""
    named = reference.get("ovr_panels")
    if named:
        return tuple((out, (a, b)) for out, a, b in named if a in classes and b in classes)
    order = [classes[i] for i in sorted(range(len(classes)), key=lambda i: -sizes[i])]
    if len(order) < 2:
        return ()
    pairs = (("decision", (order[0], order[1])), ("probability", (order[0], order[1])))
    # Two genres have no third to compare: a third panel would repeat the second.
    return pairs + ((("probability", (order[0], order[2])),) if len(order) > 2 else ())
GRID_POINTS = 120


def density_curve(values, lo: float, hi: float,
                  points: int = GRID_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """A Gaussian KDE (Scott's bandwidth) on an even grid; a histogram if the KDE cannot be
    formed (all values equal, or too few)."""
    values = np.asarray(values, dtype=float)
    grid = np.linspace(lo, hi, points)
    try:
        return grid, gaussian_kde(values)(grid)
    except (np.linalg.LinAlgError, ValueError):
        counts, edges = np.histogram(values, bins=points // 4, range=(lo, hi), density=True)
        return (edges[:-1] + edges[1:]) / 2, counts


def densities(outputs: dict[str, np.ndarray], classes, panel_list) -> list[dict]:
    """Density points for each panel whose genres this build has."""
    index = {g: i for i, g in enumerate(classes)}
    rows = []
    for output, pair in panel_list:
        if not all(g in index for g in pair):
            continue
        values = outputs[output]
        cols = [values[:, index[g]] for g in pair]
        lo = float(min(c.min() for c in cols))
        hi = float(max(c.max() for c in cols))
        pad = 0.05 * (hi - lo or 1.0)
        lo, hi = lo - pad, hi + pad
        if output == "probability":
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        panel = f"{output}: {' vs '.join(pair)}"
        for genre, col in zip(pair, cols):
            xs, ds = density_curve(col, lo, hi)
            rows += [{"panel": panel, "output": output, "genre": genre, "x": float(x),
                      "density": float(d)} for x, d in zip(xs, ds)]
    return rows


def run(ctx: Context) -> dict:
    """The l1, C=1 one-vs-rest model: its record and the density curves on validation."""
    s = ctx.splits
    clock = Stopwatch()
    with clock.time():
        model = logreg.one_vs_rest(C=1.0, penalty="l1", seed=ctx.seed,
                                   n_jobs=ctx.n_jobs).fit(s.X_train, s.y_train)
    outputs = {"decision": model.decision_function(s.X_val),
               "probability": model.predict_proba(s.X_val)}
    classes, panel_list = s.classes, panels(
        s.classes, np.bincount(s.y_train, minlength=len(s.classes)),
        ctx.settings.study.reference)
    if len(s.classes) == 2:
        # One binary model: one curve per output, the second genre's score against the first
        # (a curve for the first genre would be its mirror image).
        label = metrics.binary_label(s.classes)
        outputs = {"decision": outputs["decision"][:, None],
                   "probability": outputs["probability"][:, [1]]}
        classes, panel_list = [label], (("decision", (label,)), ("probability", (label,)))
    return metrics.record(
        "ovr_logreg", "One-vs-rest logistic regression", classes=s.classes, y_val=s.y_val,
        pred_val=model.predict(s.X_val), y_test=s.y_test, pred_test=model.predict(s.X_test),
        baseline_test=ctx.baseline_test,
        params={"solver": "liblinear", "penalty": "l1", "C": 1.0, "random_state": ctx.seed},
        fit_seconds=clock.last, total_seconds=clock.elapsed(),
        betas=logreg.linear_betas(model, s.classes, s.features),
        densities=densities(outputs, classes, panel_list), density_points=GRID_POINTS)
