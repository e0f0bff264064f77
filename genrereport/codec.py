"""Stage values as plain data files: JSON for records, .npy for arrays, Parquet for frames.

A cache of pickles runs whatever code a file holds when it is read, which is unsafe for a cache
folder that is shared or restored (CI caches, GENREREPORT_CACHE_DIR). These formats hold data
only: reading one can fail, but it cannot run anything.

`encode(value, folder)` writes the value's arrays and frames into `folder` and returns the JSON
tree that refers to them; `decode(tree, folder)` reads them back. A value may be built from
None, bool, int, float (NaN and infinities included), str, lists, tuples, dicts with string
keys, NumPy arrays of numbers or booleans, NumPy scalars and pandas DataFrames.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

TYPE = "__type__"


class CodecError(ValueError):
    """A value that cannot be stored as data, or a stored tree that does not decode."""


def _float(x: float):
    if math.isfinite(x):
        return x
    return {TYPE: "float", "value": repr(x)}  # 'nan', 'inf', '-inf'


class _Writer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.files: list[str] = []

    def _name(self, suffix: str) -> str:
        name = f"{len(self.files):04d}{suffix}"
        self.files.append(name)
        return name

    def array(self, a: np.ndarray) -> dict:
        if a.dtype == object or a.dtype.kind not in "biufcSU":
            raise CodecError(f"cannot store an array of {a.dtype}")
        name = self._name(".npy")
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        (self.folder / name).write_bytes(buf.getvalue())
        return {TYPE: "ndarray", "file": name}

    def frame(self, f) -> dict:
        name = self._name(".parquet")
        f.to_parquet(self.folder / name, index=True)
        return {TYPE: "frame", "file": name}

    def tree(self, v):
        import pandas as pd

        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (int, np.integer)) and not isinstance(v, np.bool_):
            return int(v)
        if isinstance(v, np.bool_):
            return bool(v)
        if isinstance(v, (float, np.floating)):
            return _float(float(v))
        if isinstance(v, list):
            return [self.tree(x) for x in v]
        if isinstance(v, tuple):
            return {TYPE: "tuple", "items": [self.tree(x) for x in v]}
        if isinstance(v, dict):
            if TYPE in v or not all(isinstance(k, str) for k in v):
                raise CodecError("dict keys must be strings (and not the marker key)")
            return {k: self.tree(x) for k, x in v.items()}
        if isinstance(v, np.ndarray):
            return self.array(v)
        if isinstance(v, pd.DataFrame):
            return self.frame(v)
        raise CodecError(f"cannot store a {type(v).__name__} as data")


def encode(value, folder: Path) -> tuple[object, list[str]]:
    """The JSON tree of `value` and the data files it wrote into `folder`."""
    writer = _Writer(folder)
    return writer.tree(value), writer.files


def decode(tree, folder: Path):
    """The value a tree stands for, reading its data files from `folder`."""
    if isinstance(tree, list):
        return [decode(x, folder) for x in tree]
    if not isinstance(tree, dict):
        return tree
    kind = tree.get(TYPE)
    if kind is None:
        return {k: decode(x, folder) for k, x in tree.items()}
    if kind == "float":
        return float(tree["value"])
    if kind == "tuple":
        return tuple(decode(x, folder) for x in tree["items"])
    if kind == "ndarray":
        with open(_inside(folder, tree["file"]), "rb") as fh:
            return np.load(fh, allow_pickle=False)
    if kind == "frame":
        import pandas as pd

        return pd.read_parquet(_inside(folder, tree["file"]))
    raise CodecError(f"unknown stored type {kind!r}")


def _inside(folder: Path, name: str) -> Path:
    # A stored tree names files of its own entry only: never a path elsewhere.
    if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
        raise CodecError(f"bad file name in a cache entry: {name!r}")
    return folder / name
