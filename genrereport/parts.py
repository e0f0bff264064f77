"""Collect the site's charts or tables from the modules that make them, one per part of results."""

from __future__ import annotations

import importlib


def collect(results: dict, parts: tuple[tuple[str, str], ...], function: str) -> dict:
    """Call `module.<function>(results)` for each (results key, module) whose part exists, and key
    what they return by id; two items with one id are a bug in the modules."""
    out: dict = {}
    for part, module_name in parts:
        if part not in results:
            continue
        for item in getattr(importlib.import_module(module_name), function)(results):
            if item.id in out:
                raise ValueError(f"duplicate {function[:-1]} id {item.id!r}")
            out[item.id] = item
    return out
