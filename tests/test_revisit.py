"""Re-visiting recent articles: a corrected text becomes a new version, and the old one is kept."""

import sqlite3
from pathlib import Path

from replica.generated import HOST, ChangingRelatedPortal, GeneratedPortal, article_html, article_path
from replica.server import Answer, ReplicaServer, Site
from tests.conftest import Crawl

ARTICLES = 20


class CorrectablePortal(GeneratedPortal):
    """The generated portal, where an article can be corrected after publication."""

    def __init__(self):
        super().__init__(ARTICLES)
        self.corrected: set[int] = set()

    def __call__(self, host, path):
        for n in self.corrected:
            if host == HOST and path == article_path(n):
                html = article_html(n).replace("</div></div>", "<p>（更正：涉案金额应为120万元。）</p></div></div>", 1)
                return Answer(200, html.encode("gb18030"), {"Content-Type": "text/html"})
        return super().__call__(host, path)


def test_a_corrected_article_is_archived_as_a_new_version_with_the_old_one_kept(tmp_path):
    portal = CorrectablePortal()
    config = tmp_path / "portals.toml"
    config.write_text(portal.portal_toml() + "revisit_days = 100000\n", "utf-8")
    db = tmp_path / "a.db"
    with ReplicaServer(Site(dynamic=[portal])) as server:
        settings = {"PORTALS_FILE": config}
        assert Crawl(server.url, db, ("bench",), settings).run().returncode == 0
        portal.corrected.add(3)
        before = len(server.requests)
        assert Crawl(server.url, db, ("bench",), settings).run().returncode == 0
        revisited = [p for _, p in server.requests[before:] if "/t2026" in p]
    assert len(revisited) == ARTICLES  # every recent article was fetched again
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == ARTICLES
        text, first_seen, last_seen = conn.execute(
            "SELECT text, first_seen, last_seen FROM articles WHERE url LIKE ?", [f"%{article_path(3)}"]).fetchone()
        assert text.endswith("（更正：涉案金额应为120万元。）")
        (old,) = conn.execute("SELECT text FROM article_versions").fetchone()
        assert "更正" not in old and old in text
        assert conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 1
        # the 19 unchanged ones answered 304 (their ETag was sent): counted on their pages, nothing stored
        assert conn.execute("SELECT count(*) FROM pages WHERE run_id = 2 AND outcome = 'article'").fetchone()[0] == 1
        assert conn.execute("SELECT rechecked, revisits FROM runs WHERE id = 2").fetchone() == (ARTICLES - 1, ARTICLES)
        assert conn.execute("SELECT sum(rechecks) FROM pages").fetchone()[0] == ARTICLES - 1


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.replace("│", "┃").split("┃") if c.strip()]


def _revisit_twice(tmp_path, portal: GeneratedPortal, conditional: bool = True) -> tuple[sqlite3.Connection, list]:
    """Crawl `portal` once, then re-visit its articles (a second crawl); the archive and the second crawl's log."""
    config = tmp_path / "portals.toml"
    config.write_text(portal.portal_toml() + "revisit_days = 100000\n", "utf-8")
    db = tmp_path / "a.db"
    settings = {"PORTALS_FILE": config, "ARCHIVE_CONDITIONAL_GET": conditional}
    with ReplicaServer(Site(dynamic=[portal])) as server:
        assert Crawl(server.url, db, ("bench",), settings).run().returncode == 0
        portal.run = getattr(portal, "run", 0) + 1
        second = Crawl(server.url, db, ("bench",), settings).run()
        assert second.returncode == 0, second.stderr[-2000:]
    return sqlite3.connect(db), second.stdout.splitlines()


def test_a_revisit_whose_text_did_not_change_stores_nothing_but_a_count_though_its_html_did(tmp_path):
    conn, output = _revisit_twice(tmp_path, ChangingRelatedPortal(ARTICLES))
    with conn:
        assert conn.execute("SELECT count(*) FROM pages WHERE run_id = 2 AND outcome = 'article'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM bodies").fetchone()[0] == conn.execute(
            "SELECT count(DISTINCT body_sha1) FROM pages WHERE run_id = 1").fetchone()[0]  # no body of run 2's
        assert conn.execute("SELECT rechecked, revisits FROM runs WHERE id = 2").fetchone() == (ARTICLES, ARTICLES)
        rows = conn.execute("SELECT rechecks, last_checked, validators FROM pages WHERE outcome = 'article'").fetchall()
        assert len(rows) == ARTICLES and {r[0] for r in rows} == {1}
        assert all(r[1] and r[1].endswith("+00:00") for r in rows)
        assert all('"etag"' in r[2] for r in rows)  # the ETag of the new HTML, sent by the next re-visit
        assert conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0
    names = _cells(next(line for line in output if "unchanged" in line))
    row = _cells(next(line for line in output if _cells(line)[:1] == ["bench"]))
    assert row[names.index("unchanged")] == str(ARTICLES)  # the crawl's table: run 2 found 20 unchanged


def test_with_conditional_get_off_every_revisit_is_stored_as_before(tmp_path):
    conn, _ = _revisit_twice(tmp_path, ChangingRelatedPortal(ARTICLES), conditional=False)
    with conn:
        assert conn.execute("SELECT count(*) FROM pages WHERE run_id = 2 AND outcome = 'article'").fetchone()[0] \
            == ARTICLES
        assert conn.execute("SELECT rechecked FROM runs WHERE id = 2").fetchone()[0] == 0


def test_an_unchanged_article_is_asked_for_with_its_validators_and_costs_a_304(tmp_path):
    conn, _ = _revisit_twice(tmp_path, GeneratedPortal(ARTICLES))
    with conn:
        assert conn.execute("SELECT count(*) FROM pages WHERE run_id = 2 AND outcome = 'article'").fetchone()[0] == 0
        assert conn.execute("SELECT rechecked FROM runs WHERE id = 2").fetchone()[0] == ARTICLES
        log = Path(conn.execute("SELECT log_path FROM runs WHERE id = 2").fetchone()[0]).read_text("utf-8")
    assert f"'archive/article_not_modified': {ARTICLES}" in log
