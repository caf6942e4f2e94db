"""Datasette plugin: the archive as a place to read in.

The articles table shows an excerpt of each text and links its title to the article's page; that page reads
like an article (headline, date, source, author, link to the original, paragraphs, its syndicated copies and
earlier versions); /-/overview charts articles per portal per month beside each portal's last run and health.
The column order lives in templates/_table.html, the pages in templates/.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from datasette import Response, hookimpl
from markupsafe import Markup
from sqlite_utils import Database

from storage.articles import NoSuchArticle, read_article

EXCERPT_CHARS = 60


@hookimpl
def render_cell(value, column, table, row, database, datasette):
    """In the articles table: the title links to the article's page, the text is cut to an excerpt."""
    if table != "articles":
        return None
    if column == "title" and "id" in row.keys():
        href = datasette.urls.row(database, table, str(row["id"]))
        return Markup(f'<a href="{escape(href)}">{escape(value or "(no title)")}</a>')
    if column == "text" and isinstance(value, str):
        text = value.replace("\n", " ")
        return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
    return None


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    """The article's page gets the whole article, its copies and versions (see templates/row.html)."""
    if not template.startswith("row") or table != "articles" or request is None:
        return {}

    async def article():
        pks = request.url_vars.get("pks", "")
        if not pks.isdigit():
            return {}
        try:
            found = await datasette.get_database(database).execute_fn(
                lambda conn: read_article(Database(conn), int(pks)))
        except NoSuchArticle:
            return {}
        return {"article": found, "paragraphs": [p for p in found.text.splitlines() if p.strip()]}

    return article


@hookimpl
def register_routes():
    return [(r"^/-/overview$", overview)]


async def overview(datasette, request):
    """Articles per portal per month, and each portal's last run and health, for the first database served."""
    from crawler.portals import load_config
    from crawler.scheduling import cron
    from crawler.scheduling.status import all_status

    db = datasette.get_database()
    portals, rules = load_config(None)
    months = await db.execute("SELECT portal, substr(published, 1, 7) AS month, count(*) AS n FROM articles "
                              "WHERE published >= '1990' GROUP BY 1, 2 ORDER BY 1, 2")
    statuses = await db.execute_fn(
        lambda conn: all_status(Database(conn), portals, rules, datetime.now(cron.SHANGHAI)))
    by_portal: dict[str, dict[str, int]] = {}
    for portal, month, n in months.rows:
        by_portal.setdefault(portal, {})[month] = n
    html = await datasette.render_template("overview.html", {
        "database": db.name,
        "charts": [(portal, Markup(month_chart(counts))) for portal, counts in by_portal.items()],
        "statuses": statuses,
        "zone": cron.ZONE_NAME,
    }, request=request)
    return Response.html(html)


def month_chart(counts: dict[str, int], height: int = 60) -> str:
    """An SVG bar per month from the first to the last month with articles (a month without any is a gap)."""
    first, last = min(counts), max(counts)
    months = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    most, width = max(counts.values()), max(2, min(12, 720 // len(months)))
    bars = []
    for i, key in enumerate(months):
        n = counts.get(key, 0)
        h = round(height * n / most) if n else 0
        bars.append(f'<rect x="{i * width}" y="{height - h}" width="{width - 1}" height="{h}" fill="#4a7ab5">'
                    f"<title>{key}: {n}</title></rect>")
    return (f'<svg class="months" role="img" aria-label="articles per month, {first} to {last}" '
            f'width="{len(months) * width}" height="{height}">{"".join(bars)}</svg>'
            f'<div class="range">{first} … {last} · most in one month: {most}</div>')
