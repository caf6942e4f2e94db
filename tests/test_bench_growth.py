"""`bench growth`: an archive fed re-visits of a portal that publishes nothing grows by a run row per run with
ARCHIVE_CONDITIONAL_GET on, and by a page and a body per re-visited article with it off (as before)."""

from crawler.benchmarks import growth
from crawler.cli import main


def test_unchanged_revisits_add_pages_and_bodies_only_with_conditional_get_off():
    before, after = growth.measure(runs=3, articles=2)
    assert (before.conditional, after.conditional) == (False, True)
    assert (before.rows["pages"], before.rows["bodies"], before.rows["runs"]) == (6, 6, 3)
    assert (after.rows["pages"], after.rows["bodies"], after.rows["runs"]) == (0, 0, 3)
    assert (before.rechecked, after.rechecked) == (0, 6)
    assert before.file_bytes > 3 * 2 * 3_000  # a 29 KB page compressed to ~3.3 KB, and its page row, per re-visit
    assert after.file_bytes <= 4096  # three run rows: one database page at most


def test_the_command_prints_the_figures_per_thousand_runs_side_by_side(capsys):
    assert main(["bench", "growth", "--runs", "2", "--articles", "1"]) == 0
    out = capsys.readouterr().out
    assert "not through a Scrapy crawl per run" in out
    (pages,) = [line for line in out.splitlines() if "rows added: pages" in line]
    assert [c.strip() for c in pages.split("│") if c.strip()] == ["rows added: pages", "1000", "0"]


def test_a_bad_run_count_is_one_line(capsys):
    assert main(["bench", "growth", "--runs", "0"]) != 0
    assert "--runs must be at least 1" in capsys.readouterr().err
