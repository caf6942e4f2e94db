"""Browse the archive in Datasette: metadata, facets, canned queries and Chinese search, read-only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

PLUGINS_DIR = Path(__file__).with_name("datasette_plugins")
TEMPLATES_DIR = Path(__file__).with_name("datasette_templates")
ROOT = Path(__file__).resolve().parent.parent

ARTICLE_COLUMNS = {
    "url": "the article's URL (the first one seen, after redirects)",
    "url_hash": "SHA-1 of the canonical URL (no scheme, fragment or tracking parameters)",
    "content_hash": "SHA-1 of the text, normalised: the same text elsewhere is an alias",
    "portal": "the portal it was crawled from",
    "title": "headline without the site suffix",
    "published": "publication time, ISO 8601 (+08:00)",
    "source": "来源 / 稿源",
    "author": "作者 / 记者",
    "text": "clean body text, one paragraph per line",
    "first_seen": "first fetch (UTC)",
    "last_seen": "latest fetch (UTC)",
    "page_id": "the fetch it was extracted from",
}
PAGE_COLUMNS = {
    "url": "as requested", "final_url": "after redirects", "outcome": "article, not_found, not_article, error, list",
    "reason": "why a page is not an article",
    "dedup": "new (the article's own copy), alias (a copy of an article archived from another page), refetch, revised",
    "charset": "the charset the body was decoded with", "body_sha1": "the raw page, in bodies (zlib)",
}

QUERIES = {
    "search": {
        "title": "Search articles (Chinese, simplified or traditional)",
        "description": 'Words, "phrases", AND / OR / NOT, title:民警 or text:民警 for one column, NEAR(民警 抓获, 10) '
                       'for words at most 10 characters apart. Two-character words such as 民警 or 追逃 work.',
        "sql": "select a.id, a.published, a.portal, a.title, a.url from articles_fts "
               "join articles a on a.id = articles_fts.rowid where articles_fts match fts_query(:q) "
               "order by articles_fts.rank limit 100",
    },
    "latest_per_portal": {
        "title": "Latest articles per portal",
        "sql": "select portal, published, title, url from (select *, row_number() over "
               "(partition by portal order by published desc) as n from articles) where n <= 10 "
               "order by portal, published desc",
    },
    "rejections_by_reason": {
        "title": "Rejected pages by reason",
        "sql": "select portal, outcome, reason, count(*) as pages from pages "
               "where outcome in ('not_found', 'not_article', 'error') group by 1, 2, 3 order by pages desc",
    },
    "runs": {
        "title": "Crawl runs",
        "sql": "select id, portal, trigger, started, finished, outcome, pages, new_articles, duplicates, errors, "
               "rejections from runs order by id desc limit 200",
    },
    "near_duplicate_groups": {
        "title": "Stories published more than once",
        "sql": "select m.group_id, count(*) as copies, min(a.published) as earliest, "
               "group_concat(distinct a.portal) as portals, min(a.title) as a_title from minhash m "
               "join articles a on a.id = m.article_id group by m.group_id having copies > 1 "
               "order by copies desc, earliest limit 200",
    },
}


def metadata(db_name: str) -> dict:
    hidden = {"hidden": True}
    return {
        "title": "Police-news archive",
        "description_html": 'Articles crawled from Chinese police-news portals, with every fetch and run. '
                            '<a href="/-/search">Search</a> with highlighted snippets and facets by portal, source '
                            'and year; <a href="/-/overview">overview</a>: articles per portal per month, last runs '
                            'and health.',
        "databases": {
            db_name: {
                "tables": {
                    "articles": {
                        "description": "One row per distinct article.",
                        "fts_table": "articles_fts",
                        "fts_pk": "id",
                        "sort_desc": "published",
                        "facets": ["portal", "source", {"year": "published"}],
                        "columns": ARTICLE_COLUMNS,
                    },
                    "pages": {
                        "description": "One row per fetch outcome, with the raw page in bodies.",
                        "sort_desc": "id",
                        "facets": ["portal", "outcome", "reason"],
                        "columns": PAGE_COLUMNS,
                    },
                    "runs": {"description": "One row per crawl run of one portal.", "sort_desc": "id",
                             "facets": ["portal", "outcome", "trigger"]},
                    **{name: hidden for name in ("bodies", "minhash", "lsh_bands", "reextract_runs",
                                                  "_sqlite_migrations")},
                },
                "queries": QUERIES,
            }
        },
    }


def datasette_command(db: Path, metadata_file: Path, host: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "datasette", "serve", str(db), "--metadata", str(metadata_file),
        "--plugins-dir", str(PLUGINS_DIR), "--template-dir", str(TEMPLATES_DIR), "--host", host, "--port", str(port),
        "--setting", "default_page_size", "50", "--setting", "sql_time_limit_ms", "5000",
    ]


def browse(db: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Serve the archive until interrupted; returns Datasette's exit status."""
    with tempfile.TemporaryDirectory() as tmp:
        metadata_file = Path(tmp, "metadata.json")
        metadata_file.write_text(json.dumps(metadata(db.stem), ensure_ascii=False), "utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        print(f"archive at http://{host}:{port}/{db.stem} (Ctrl-C stops it)", flush=True)
        server = subprocess.Popen(datasette_command(db, metadata_file, host, port), env=env)
        # a SIGTERM to this process (a service manager, a test) stops the server too, not only its parent
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: server.terminate())
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
