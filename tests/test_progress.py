"""Progress fits where it is shown: a live bar on a terminal, plain lines in a log or CI."""

import io

from genrereport import progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_log_gets_a_few_plain_lines_not_carriage_returns():
    stream, clock = io.StringIO(), Clock()
    reporter = progress.Reporter(stream=stream, clock=clock)
    with reporter.bar(5000, "forest of 5000 trees") as bar:
        for i in range(5000):
            clock.now = (i + 1) / 10  # 500 s in all
            bar.update(1)
    text = stream.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    # one line per interval (500 s / 30 s) and one at the end, not one per update
    assert len(lines) == int(500 // progress.LOG_EVERY) + 1
    assert lines[0].startswith("  forest of 5000 trees: 300/5,000 (6%)")
    assert "left" in lines[0]  # an estimate of the time still to go
    assert lines[-1].startswith("  forest of 5000 trees: 5,000/5,000 (100%) in 500s")


def test_a_short_loop_in_a_log_says_only_that_it_finished():
    stream, clock = io.StringIO(), Clock()
    reporter = progress.Reporter(stream=stream, clock=clock)
    bar = reporter.bar(10, "clustering")
    for _ in range(10):
        clock.now += 0.5
        bar.update()
    bar.close()
    bar.close()  # closing twice writes once
    assert stream.getvalue() == "  clustering: 10/10 (100%) in 5s\n"


def test_a_terminal_gets_a_live_bar():
    stream = Terminal()
    reporter = progress.Reporter(stream=stream)
    with reporter.bar(3, "trees") as bar:
        bar.update(3)
    assert "\r" in stream.getvalue()


def test_quiet_writes_nothing():
    stream = io.StringIO()
    reporter = progress.Reporter(stream=stream, quiet=True)
    with reporter.bar(3, "trees") as bar:
        bar.update(3)
    assert stream.getvalue() == ""


def test_a_resumed_loop_estimates_from_what_this_run_did():
    stream, clock = io.StringIO(), Clock()
    bar = progress.make_bar(100, "scrape", stream, initial=40, clock=clock)
    for i in range(10):
        clock.now = 3.0 * (i + 1)  # 10 artists in 30 s: 50 more take 150 s
        bar.update()
    assert stream.getvalue() == "scrape: 50/100 (50%) after 30s, about 150s left\n"


def test_a_failed_loop_leaves_no_closing_line():
    stream = io.StringIO()
    try:
        with progress.Reporter(stream=stream).bar(10, "trees") as bar:
            bar.update(2)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert stream.getvalue() == ""


def test_no_estimate_before_anything_is_done():
    stream, clock = io.StringIO(), Clock()
    bar = progress.make_bar(10, "scrape", stream, initial=4, clock=clock)
    clock.now = 60.0
    bar.update(0)  # time passes, nothing done yet: no pace to estimate from
    assert stream.getvalue() == ""


def _stage_reports(address, authkey, stage, die=False):
    # A stage's process: a line, a bar that ends, and one that the process does not live to end.
    reporter = progress.StageReporter(address, authkey, stage)
    reporter.say(f"{stage} says hello")
    with reporter.bar(4, "trees") as bar:
        bar.update(4)
    if die:
        reporter.bar(10, "more trees").update(3)
        import os

        os._exit(1)
    reporter.close()


def test_stages_in_other_processes_report_through_the_build_named_by_their_stage():
    import multiprocessing

    stream = io.StringIO()
    reporter = progress.Reporter(stream=stream, clock=Clock())
    ctx = multiprocessing.get_context("spawn")
    with reporter.listening() as inbox:
        stages = [ctx.Process(target=_stage_reports,
                              args=(inbox.address, inbox.authkey, name, name == "xgb"))
                  for name in ("rf", "xgb")]
        for p in stages:
            p.start()
        for p, name in zip(stages, ("rf", "xgb")):
            p.join(60)
            inbox.drain(name)  # its lines are written before the build says it ended
        with reporter.bar(2, "outside") as bar:
            bar.update(2)
    lines = stream.getvalue().splitlines()
    assert "rf says hello" in lines and "xgb says hello" in lines
    assert "  rf: trees: 4/4 (100%) in 0s" in lines
    assert "  xgb: trees: 4/4 (100%) in 0s" in lines
    # A bar whose stage died ends without a closing line; the last line is the build's own.
    assert not any("more trees" in line for line in lines)
    assert lines[-1] == "  outside: 2/2 (100%) in 0s"


def test_a_stage_that_cannot_reach_the_build_works_on_in_silence(tmp_path):
    reporter = progress.StageReporter(str(tmp_path / "no-such-socket"), b"key", "rf")
    reporter.say("lost")
    with reporter.bar(3, "trees") as bar:
        bar.update(3)
    assert reporter.quiet


def test_the_summary_gives_each_stages_cpu_and_memory_and_the_builds_wall_time():
    stream = io.StringIO()
    reporter = progress.Reporter(stream=stream)
    reporter.born -= 100.0  # the build started 100 s ago
    record = reporter.started("rf")
    reporter.finished(record, cpu_seconds=150.0, peak_mb=612.4, where="tcp://10.0.0.5:4321")
    with reporter.stage("render"):
        pass
    lines = reporter.summary().splitlines()
    rf = next(line for line in lines if line.startswith("rf "))
    assert rf.split() == ["rf", "ran", rf.split()[2], "150.0", "612", "100.0",
                          "tcp://10.0.0.5:4321"]
    total = lines[-1]
    assert total.startswith("total 100.") and "150.0 CPU s" in total


def test_nothing_is_written_after_a_bar_closed():
    # A tick that arrives late (a worker's, after a failure ended the loop) must not print a
    # progress line after the closing line or the build's error.
    stream, clock = io.StringIO(), Clock()
    bar = progress.make_bar(10, "fits", stream, clock=clock)
    bar.update(2)
    bar.close()
    clock.now = 100.0
    bar.update(1)
    assert stream.getvalue() == "fits: 2/10 (20%) in 0s\n"
