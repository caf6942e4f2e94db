"""Re-extraction over stored raw pages: articles improve in place, first_seen stays, interruptions resume."""

from crawler.cli import main
from crawler.portals import load_portals
from crawler.reextract import reextract
from replica.generated import HOST, article_html, article_path
from storage import Archive, Article, Page
from storage import reextract as stored


def archived_with_an_old_extractor(path, n=5) -> Archive:
    """Pages as an older, worse extractor stored them: chrome in the text, no title, wrong verdicts."""
    archive = Archive.open(path)
    pages = []
    for i in range(n):
        url = f"http://{HOST}{article_path(i)}"
        old = Article(None, None, None, None, f"您当前的位置 : 浙江在线 旧的正文 {i}") if i else None
        pages.append(Page(url=url, portal="zjol", fetched_at=f"2026-01-0{i + 1}T00:00:00+00:00", final_url=url,
                          http_status=200, content_type="text/html", body=article_html(i).encode("gb18030"),
                          outcome="article" if i else "not_article", reason=None if i else "too little text",
                          article=old))
    archive.write_batch(pages)
    return archive


def test_reextract_rewrites_articles_in_place_and_keeps_first_seen(tmp_path):
    archive = archived_with_an_old_extractor(tmp_path / "a.db")
    ids_before = [r["id"] for r in archive.db["articles"].rows_where(order_by="id")]
    result = reextract(archive, load_portals())
    assert (result.pages, result.changed) == (5, 5)
    rows = list(archive.db["articles"].rows_where(order_by="id"))
    assert [r["id"] for r in rows][:4] == ids_before  # same rows, improved
    assert len(rows) == 5  # the page wrongly rejected before is an article now
    for row in rows:
        assert row["title"] and row["published"] and "您当前的位置" not in row["text"]
    assert rows[0]["first_seen"] == "2026-01-02T00:00:00+00:00"
    assert archive.db.execute("SELECT count(*) FROM pages WHERE outcome = 'article'").fetchone()[0] == 5
    again = reextract(archive, load_portals())
    assert (again.pages, again.changed) == (5, 0)  # a fresh run, and nothing left to change
    archive.close()


def test_an_interrupted_reextract_resumes_after_the_last_committed_batch(tmp_path):
    archive = archived_with_an_old_extractor(tmp_path / "a.db", n=6)
    job = stored.start(archive, None, None)
    stored.checkpoint(archive, job, last_page_id=4, pages_done=4, changed=4)  # as if killed after 4 pages
    result = reextract(archive, load_portals())
    assert result.resumed_after == 4
    assert result.pages == 6  # 4 before the interruption + the 2 left
    untouched = archive.db.execute("SELECT text FROM articles WHERE id = 1").fetchone()[0]
    assert untouched.startswith("您当前的位置")  # page 2 lay before the checkpoint, so it was not redone
    archive.close()


def test_reextract_command_reports_and_rejects_bad_arguments(tmp_path, capsys):
    archived_with_an_old_extractor(tmp_path / "a.db").close()
    assert main(["reextract", "--db", str(tmp_path / "a.db"), "--portal", "zjol"]) == 0
    assert "re-extracted 5 pages; 5 changed" in capsys.readouterr().out
    assert main(["reextract", "--db", str(tmp_path / "a.db"), "--since", "last tuesday"]) == 2
    assert "--since takes a date like 2026-01-31" in capsys.readouterr().err
    assert main(["reextract", "--db", str(tmp_path / "a.db"), "--portal", "nope"]) == 2
