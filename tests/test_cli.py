"""The command line, run in-process: one clear line and a non-zero exit for every user mistake."""

from __future__ import annotations

import json

import pytest

from crawler.cli import main
from storage import Archive, Article, Page

ARTICLE = """<html><head><meta charset="gb2312"><title>德州警方破获跨省电信诈骗案-大众网</title></head><body>
<div class="position">您当前的位置 : 大众网 &gt; 德州 &gt; 平安德州</div>
<h1>德州警方破获跨省电信诈骗案</h1>
<div class="info">2014-09-09 09:08:00 来源: 大众网 作者: </div>
<div class="TRS_Editor"><p>　　9月8日，德州市公安局通报，经过连续多日的缜密侦查，成功破获一起跨省电信诈骗案，抓获犯罪嫌疑人5名。</p>
<p>　　据了解，今年7月以来，嫌疑人冒充客服人员，以退款为由骗取受害人钱财，涉案金额达60余万元。</p>
<p>　　警方提醒广大市民，提高防范意识，切勿轻信陌生来电。</p></div>
<div class="related"><h3>相关新闻</h3><ul><li><a href="/x.htm">德州交警开展夜查行动</a> 2014-08-01</li></ul></div>
<div class="footer">大众网版权所有 鲁ICP备09012531号</div></body></html>"""


def test_extract_json_prints_exactly_one_object_with_the_public_keys(tmp_path, capsys):
    page = tmp_path / "page.htm"
    page.write_bytes(ARTICLE.encode("gb18030"))
    url = "http://dezhou.dzwww.com/dzzt/qzlx/hd/201409/t20140909_10982363.htm"
    assert main(["extract", str(page), "--url", url, "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)
    assert out.count("\n") == 1
    assert list(result) == ["url", "status", "reason", "title", "published", "source", "author", "text"]
    assert result["status"] == "article"
    assert result["title"] == "德州警方破获跨省电信诈骗案"
    assert result["published"] == "2014-09-09T09:08:00+08:00"
    assert (result["source"], result["author"]) == ("大众网", None)
    assert result["text"].startswith("9月8日，德州市公安局通报")
    assert "警方提醒广大市民" in result["text"]
    for chrome in ("您当前的位置", "相关新闻", "ICP", "来源"):
        assert chrome not in result["text"]


def test_extract_of_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nope.html"), "--url", "http://a.cn/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read") and err.count("\n") == 1


def test_crawl_of_an_unknown_portal_fails_before_anything_starts(tmp_path, capsys):
    assert main(["crawl", "zjol", "nosuch", "--db", str(tmp_path / "a.db")]) == 2
    err = capsys.readouterr().err
    assert "unknown portal nosuch; known portals: zjol, dazhong, cnnb, cnnb_epaper, gat_zj" in err
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["crawl", "--db", "/no/such/folder/a.db"], "folder /no/such/folder does not exist"),
        (["crawl", "--set", "NO_SUCH_SETTING=1"], "unknown setting NO_SUCH_SETTING"),
        (["crawl", "--set", "novalue"], "--set takes NAME=VALUE"),
        (["crawl", "--set", "PORTALS_FILE=/no/such/portals.toml"], "does not exist"),
        (["stats", "--db", "/no/such/a.db"], "no archive at /no/such/a.db"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_stats_shows_a_row_per_portal_with_rejections_by_reason(tmp_path, capsys):
    db = tmp_path / "a.db"
    archive = Archive.open(db)
    run = archive.start_run("dazhong")
    archive.write_batch([
        Page("http://sd.dzwww.com/1.htm", "dazhong", "2026-11-22T00:00:00+00:00", outcome="article",
             article=Article("标题", None, None, None, "正文")),
        Page("http://sd.dzwww.com/2.htm", "dazhong", "2026-11-22T00:00:00+00:00", outcome="not_found",
             reason="http 404"),
    ], run)
    archive.close()
    assert main(["stats", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    dazhong = next(line for line in out.splitlines() if "dazhong" in line)
    assert "http 404: 1" in dazhong and " 1 " in dazhong
    assert "zjol" in out and "never" in out  # configured portals without runs are listed too


def test_output_into_a_closed_pipe_ends_without_a_traceback(tmp_path):
    """`python -m crawler … | head -1`: the reader is gone before everything is written."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone
    archive = tmp_path / "a.db"
    from storage import Archive, Article, Page

    with_articles = Archive.open(archive)
    with_articles.write_batch([Page(f"http://news.cnnb.com.cn/{i}.shtml", "cnnb", "2026-11-22T00:00:00+00:00",
                                    outcome="article", article=Article(f"民警第{i}条", None, None, None, "民警正文。"))
                               for i in range(3)])
    with_articles.close()
    result = subprocess.run([sys.executable, "-m", "crawler", "search", "民警", "--json", "--db", str(archive)],
                            stdout=write_end,
                            stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent,
                            timeout=60)
    os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert result.returncode in (0, 1)
