"""Binning semantics on hand-written genre strings: order, substring search, no match."""

from pathlib import Path

import pandas as pd
import pytest

from genrereport import binning, resources
from genrereport.rules import load_rules
from genrereport.errors import RulesError


@pytest.fixture(scope="module")
def study_rules():
    return load_rules(resources.default_rules_path())


def targets(rules, *genre_texts):
    return binning.assign_targets(pd.Series(list(genre_texts)), rules).tolist()


def test_study_rules_are_the_twelve_in_order(study_rules):
    assert study_rules.targets == [
        "pop", "rock", "jazz/blues", "hardcore", "dance", "country, folk", "rap/hip hop",
        "classical", "old school dance", "mexicano/latino", "gospel/worship", "focus/sleep"]
    # the study's leading spaces are part of the patterns
    assert "| hard bop|" in study_rules.rules[2].pattern
    assert "| video game|" in study_rules.rules[7].pattern


def test_first_matching_rule_wins(study_rules):
    # "indie rock" hits pop (indie) and rock; pop is tried first
    assert targets(study_rules, "['indie rock', 'modern rock']") == ["pop"]
    # punk alone is hardcore, but "pop punk" goes to pop
    assert targets(study_rules, "['punk']", "['pop punk']") == ["hardcore", "pop"]
    # metal hits hardcore (rule 4) before dance (rule 5) even though "step" matches too
    assert targets(study_rules, "['metalstep']") == ["hardcore"]


def test_substring_semantics_over_the_whole_list(study_rules):
    # "rap" inside "trap music"; "emo" inside "demoscene" → rock
    assert targets(study_rules, "['trap music']") == ["rap/hip hop"]
    assert targets(study_rules, "['demoscene']") == ["rock"]
    # the search runs over the list as written, across tag boundaries
    assert targets(study_rules, "['ambient', 'sleep']") == ["focus/sleep"]


def test_leading_space_patterns_need_a_space(study_rules):
    assert targets(study_rules, "['hard bop']") == [None]  # "'hard bop" has no space before
    assert targets(study_rules, "['modern hard bop']") == ["jazz/blues"]


def test_no_match_gives_none_and_is_dropped(study_rules):
    frame = pd.DataFrame({"genre": ["['k-pop']", "['polka']", "[]"], "x": [1, 2, 3]})
    assert targets(study_rules, *frame["genre"]) == ["pop", None, None]
    binned, report = binning.bin_genres(frame, study_rules)
    assert binned["genre"].tolist() == ["['k-pop']"]
    assert report.unbinned == 2 and report.rows == 1
    assert "target" not in frame.columns  # the input frame is not modified


def test_multi_match_counts(study_rules):
    frame = pd.DataFrame({"genre": ["['indie rock']", "['rock']", "['dance pop']", "['techno']"]})
    _, report = binning.bin_genres(frame, study_rules)
    assert report.multi_match == 1  # indie rock matched pop and rock
    assert report.multi_match_by_target["pop"] == 1
    assert report.counts == {"pop": 2, "rock": 1, "dance": 1, **{t: 0 for t in study_rules.targets
                                                                 if t not in ("pop", "rock", "dance")}}
    assert report.matches_by_rule["rock"] == 2


def write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_rules_change_the_order(tmp_path):
    path = write_rules(tmp_path, '[[rule]]\ntarget = "rock"\npattern = "rock"\n'
                                 '[[rule]]\ntarget = "pop"\npattern = "pop|indie"\n')
    rules = load_rules(path)
    assert targets(rules, "['indie rock']", "['indie']", "['jazz']") == ["rock", "pop", None]


@pytest.mark.parametrize("text, message", [
    ("", "no rules"),
    ('[[rule]]\ntarget = "a"\npattern = "(unclosed"\n', "invalid regex"),
    ('[[rule]]\ntarget = "a"\npattern = "x"\n[[rule]]\ntarget = "a"\npattern = "y"\n', "repeats target 'a'"),
    ('[[rule]]\ntarget = "a"\n', "has no 'pattern'"),
    ('[[rule]]\npattern = "x"\n', "has no 'target'"),
    ("[[rule]\n", "not valid TOML"),
])
def test_bad_rules_files_give_clear_errors(tmp_path, text, message):
    path = write_rules(tmp_path, text)
    with pytest.raises(RulesError) as err:
        load_rules(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "nope.toml")


# --- rules that cannot hang -------------------------------------------------------------------

def _rules_file(tmp_path, pattern: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(f"[[rule]]\ntarget = 'x'\npattern = '''{pattern}'''\n", encoding="utf-8")
    return path


@pytest.mark.timeout(60)
def test_a_backtracking_pattern_matches_in_linear_time(tmp_path):
    """`(a+)+$` takes Python's re about a minute on 30 characters and never ends on 40; the
    matcher here (RE2) answers at once. The timeout only guards against a hang."""
    rules = load_rules(_rules_file(tmp_path, "(a+)+$"))
    texts = pd.Series(["a" * 40 + "!", "a" * 5000, "b"])
    assert binning.assign_targets(texts, rules).tolist() == [None, "x", None]


@pytest.mark.parametrize("pattern, detail", [
    ("(?<=indie )rock", "invalid perl operator: \\(\\?<=.*no lookarounds"),   # lookbehind
    ("(rock) \\1", "invalid escape sequence.*no backreferences"),             # backreference
    ("[unclosed", "missing \\]"),
])
def test_patterns_re2_cannot_use_are_refused_with_the_rule_named(tmp_path, pattern, detail):
    with pytest.raises(RulesError, match=rf"rule 1 \('x'\) has an invalid regex for the "
                                         rf"linear-time matcher \(RE2\): {detail}"):
        load_rules(_rules_file(tmp_path, pattern))


def test_a_huge_alternation_is_refused_before_matching(tmp_path):
    pattern = "|".join(f"genre{i}" for i in range(1_000_000))[:10_000_000]
    with pytest.raises(RulesError, match="the limit is 100,000"):
        load_rules(_rules_file(tmp_path, pattern))


def test_re2_and_python_agree_on_the_studys_rules(study_rules):
    import re

    texts = pd.Series(["['indie rock']", "['trap music']", "['hard bop', 'bebop']",
                       "['video game music']", "['r&b', 'neo soul']", "['classical piano']",
                       "['demoscene']", "['k-pop']", "[]"])
    hits = binning.match_matrix(texts, study_rules)
    expected = [[re.search(r.pattern, t) is not None for r in study_rules.rules] for t in texts]
    assert hits.tolist() == expected
