"""Re-visiting recent articles: a corrected text becomes a new version, and the old one is kept."""

import sqlite3

from replica.generated import HOST, GeneratedPortal, article_html, article_path
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
        assert conn.execute("SELECT sum(dedup = 'refetch') FROM pages WHERE run_id = 2").fetchone()[0] == ARTICLES - 1
