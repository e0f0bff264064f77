"""A stage's key holds the code it runs: the modules its entry imports, followed transitively,
file by file. So editing one model's module reruns that model alone, and editing a module all of
them share reruns all of them."""

from __future__ import annotations

import sys

import pytest

from genrereport import cache

PACKAGE = {
    "__init__.py": "CONSTANT = 1\n",
    "shared.py": "VALUE = 2\n",
    "lazy.py": "X = 3\n",
    "alone.py": "Y = 4\n",
    "sub/__init__.py": "",
    "sub/one.py": ("from fakepkg import shared\nfrom . import two\n\n"
                   "def f():\n    import fakepkg.lazy\n    return fakepkg.lazy.X\n"),
    "sub/two.py": "from fakepkg import CONSTANT\nimport json\n",
    "other.py": "from fakepkg.sub import two\n",
}


@pytest.fixture
def fakepkg(tmp_path, monkeypatch):
    for name, text in PACKAGE.items():
        path = tmp_path / "fakepkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    for fn in (cache._imports, cache.file_hash):
        fn.cache_clear()
    yield tmp_path / "fakepkg"
    for fn in (cache._imports, cache.file_hash):
        fn.cache_clear()
    for name in [m for m in sys.modules if m.split(".")[0] == "fakepkg"]:
        del sys.modules[name]


def test_the_closure_follows_every_kind_of_import(fakepkg):
    assert cache.code_closure(("fakepkg.sub.one",)) == (
        "fakepkg",  # `from fakepkg import CONSTANT` (in two), and the parent of every module
        "fakepkg.lazy",  # imported inside a function
        "fakepkg.shared",  # `from fakepkg import shared`: the submodule
        "fakepkg.sub",  # the package of one and two
        "fakepkg.sub.one",
        "fakepkg.sub.two",  # a relative import
    )
    # Nothing outside the package (json), and not the modules no one imports.
    assert "fakepkg.alone" not in cache.code_closure(("fakepkg.other",))


def test_editing_a_module_changes_the_keys_of_the_stages_that_run_it_and_no_other(fakepkg):
    before = {e: cache.closure_version((e,)) for e in ("fakepkg.sub.one", "fakepkg.other")}
    (fakepkg / "lazy.py").write_text("X = 30\n")
    cache.file_hash.cache_clear()
    after = {e: cache.closure_version((e,)) for e in before}
    assert after["fakepkg.sub.one"] != before["fakepkg.sub.one"]
    assert after["fakepkg.other"] == before["fakepkg.other"]


def test_each_model_stage_runs_its_own_module_and_not_the_others():
    from genrereport import models

    modules = {s.id: s.module for s in models.STAGES}
    for stage in models.STAGES:
        closure = set(cache.code_closure(("genrereport.models.stage", stage.module)))
        assert stage.module in closure and "genrereport.models.metrics" in closure
        # The titles forest and the weighted forests grow their trees with the forest's code.
        # The two weighted forests are one module.
        uses = {"rf_titles": {"rf"}, "rf_weighted_norm": {"rf", "rf_weighted_pred"},
                "rf_weighted_pred": {"rf", "rf_weighted_norm"}, "ovr_logreg": {"logreg"}}
        others = {m for s, m in modules.items() if s != stage.id and s not in uses.get(stage.id, ())}
        assert not closure & others, stage.id
