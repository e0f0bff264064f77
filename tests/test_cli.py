"""The command line: help, one-line errors with a non-zero exit, and fetching with hash checks."""

import socket

import pytest

from genrereport import cli, sources
from tests.localserver import serve_folder
from tests.pulls import song, write_pull


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("fetch", "build", "scrape"):
        assert command in out


def test_build_help_lists_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["build", "--help"])
    out = capsys.readouterr().out
    for option in ("--data", "--rules", "--profile", "--force", "--out"):
        assert option in out


def test_bad_data_folder_is_one_line_error(capsys, tmp_path):
    code, _, err = run(capsys, "build", "--data", str(tmp_path / "missing"), "--out",
                       str(tmp_path / "site_src"), "--cache-dir", str(tmp_path / "c"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "data folder not found" in err and "GENREREPORT_DATA_DIR" in err


def test_bad_rules_is_one_line_error(capsys, tmp_path):
    write_pull(tmp_path / "data" / "mine.csv", [song(1)])
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\ntarget = "x"\npattern = "["\n')
    code, _, err = run(capsys, "build", "--data", str(tmp_path / "data"), "--rules", str(rules),
                       "--out", str(tmp_path / "site_src"), "--cache-dir", str(tmp_path / "c"))
    assert code == 2 and "invalid regex" in err and str(rules) in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(Exception, match="data folder not found"):
        cli.main(["build", "--debug", "--data", str(tmp_path / "missing"), "--cache-dir",
                  str(tmp_path / "c")])


def test_env_variable_works_like_data_flag(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GENREREPORT_DATA_DIR", str(tmp_path / "nowhere"))
    code, _, err = run(capsys, "fetch", "--cache-dir", str(tmp_path / "c"))
    assert code == 2 and str(tmp_path / "nowhere") in err


def _registry_at(base_url, files):
    return [sources.RegistryEntry(f.name, sources.file_sha256(f), f"{base_url}/{f.name}") for f in files]


def test_fetch_downloads_and_checks_hashes(capsys, tmp_path, monkeypatch):
    served = tmp_path / "upstream"
    files = [write_pull(served / "info_1.csv", [song(1)]), write_pull(served / "info_2.csv", [song(2)])]
    monkeypatch.delenv("GENREREPORT_DATA_DIR", raising=False)
    with serve_folder(served) as url:
        monkeypatch.setattr(sources, "load_registry", lambda path=None: _registry_at(url, files))
        code, _, err = run(capsys, "fetch", "--cache-dir", str(tmp_path / "cache"))
    assert code == 0, err
    assert (tmp_path / "cache" / "pulls" / "info_2.csv").read_bytes() == files[1].read_bytes()


def test_fetch_hash_mismatch_is_clear(capsys, tmp_path, monkeypatch):
    served = tmp_path / "upstream"
    write_pull(served / "info_1.csv", [song(1)])
    monkeypatch.delenv("GENREREPORT_DATA_DIR", raising=False)
    with serve_folder(served) as url:
        bad = [sources.RegistryEntry("info_1.csv", "0" * 64, f"{url}/info_1.csv")]
        monkeypatch.setattr(sources, "load_registry", lambda path=None: bad)
        code, _, err = run(capsys, "fetch", "--cache-dir", str(tmp_path / "cache"))
    assert code == 2 and "info_1.csv" in err and "sha256" in err
    assert not (tmp_path / "cache" / "pulls" / "info_1.csv").exists()


def test_offline_without_mirror_names_file_url_and_variable(capsys, tmp_path, monkeypatch):
    # A port with nothing listening stands in for "no network": nothing leaves the machine.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    entry = sources.RegistryEntry("info_1.csv", "0" * 64, f"http://127.0.0.1:{port}/info_1.csv")
    monkeypatch.setattr(sources, "load_registry", lambda path=None: [entry])
    monkeypatch.delenv("GENREREPORT_DATA_DIR", raising=False)
    code, _, err = run(capsys, "fetch", "--cache-dir", str(tmp_path / "cache"))
    assert code == 2
    assert "info_1.csv" in err and entry.url in err and "GENREREPORT_DATA_DIR" in err
    assert "Traceback" not in err


def test_jobs_must_be_a_positive_number(capsys, tmp_path):
    for bad in ("0", "-2", "two"):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["build", "--jobs", bad, "--out", str(tmp_path / "site_src")])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert "--jobs" in err and "at least 1" in err and "Traceback" not in err


def test_jobs_and_backend_reach_the_settings():
    args = cli._parser().parse_args(["build", "--jobs", "3", "--backend", "dask", "--scheduler",
                                     "tcp://10.0.0.5:8786"])
    settings = cli._settings(args)
    assert (settings.n_jobs, settings.backend, settings.scheduler) == (3, "dask",
                                                                       "tcp://10.0.0.5:8786")
    assert cli._settings(cli._parser().parse_args(["build"])).n_jobs >= 1


def test_a_scheduler_without_the_dask_backend_is_one_line_error(capsys, tmp_path):
    code, _, err = run(capsys, "build", "--scheduler", "tcp://127.0.0.1:8786", "--out",
                       str(tmp_path / "site_src"))
    assert code == 2 and err.strip().count("\n") == 0
    assert "--backend dask" in err


def test_serve_passes_the_build_options_on():
    args = cli._parser().parse_args(["serve", "--profile", "quick", "--rules", "r.toml",
                                     "--jobs", "2", "--port", "8123", "--out", "web"])
    passed = cli._build_args(args)
    assert passed[passed.index("--rules") + 1] == "r.toml"
    assert passed[passed.index("--profile") + 1] == "quick"
    assert passed[passed.index("--jobs") + 1] == "2"
    assert passed[passed.index("--out") + 1] == "web"
    assert "--port" not in passed and "--force" not in passed


def test_tags_without_rules_bin_by_the_built_in_rules_and_say_so(capsys, tmp_path, spine_only):
    """Spotify-style tags bin well with the study's own rules: --rules is for other rules."""
    import json

    from genrereport import resources
    from tests.pulls import varied_songs, write_pull

    write_pull(tmp_path / "data" / "mine.csv", varied_songs(80))
    out = tmp_path / "site_src"
    code = cli.main(["build", "--data", str(tmp_path / "data"), "--tags", "genre", "--profile",
                     "quick", "--out", str(out), "--cache-dir", str(tmp_path / "cache")])
    said = capsys.readouterr()
    assert code == 0, said.err
    told = [line for line in (said.out + said.err).splitlines() if "built-in" in line]
    assert len(told) == 1 and str(resources.default_rules_path()) in told[0]
    build = json.loads((out / "results.json").read_text())["build"]
    assert build["rules_file"] == str(resources.default_rules_path())


def test_an_unforeseen_stage_error_is_one_line_naming_the_stage(capsys, monkeypatch, tmp_path):
    """A library's error that no check foresaw (xgboost refusing two genres was one) ends the
    command with one line: the stage, the error's type and first line; --debug re-raises."""
    from genrereport import pipeline, stagejob

    def fails(settings, reporter=None):
        error = ValueError("All the 6 fits failed.\nIt is very likely that your model ...")
        stagejob.raise_error(stagejob.Outcome("xgb", "k", error=error,
                                              traceback="Traceback (most recent call last):\n"))

    monkeypatch.setattr(pipeline, "build", fails)
    argv = ["build", "--out", str(tmp_path / "site_src"), "--cache-dir", str(tmp_path / "c")]
    code, _, err = run(capsys, *argv)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err == ("genrereport: error: in stage xgb: ValueError: All the 6 fits failed. "
                   "(unexpected; --debug shows the traceback)\n")
    with pytest.raises(ValueError, match="All the 6 fits failed"):
        cli.main(["--debug", *argv])
