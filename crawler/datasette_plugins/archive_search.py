"""Datasette plugin: make Datasette's search box speak the archive's Chinese full-text index.

The index holds simplified-script character bigrams (storage/fts.py), so a query must be translated the
same way before it reaches MATCH. Datasette escapes search terms with the SQL function escape_fts();
this plugin registers its own after Datasette's (trylast), plus fts_query() for canned queries. A query that
cannot be translated is answered with the line the command line prints, not SQLite's "user-defined function
raised exception", on every page and in every JSON answer.
"""

import json
from urllib.parse import parse_qs, urlencode

from datasette import Response, hookimpl
from markupsafe import Markup, escape

from storage.fts import QuerySyntaxError, match_expression, register

SEARCH_PARAMETERS = ("_search", "q")  # the table's search box, the canned search query's parameter
NOTHING = '""'  # an empty phrase: matches no article


def canned_query(query: str | None) -> str:
    """fts_query(): an empty search box (the page before anything is typed) matches nothing, without an error."""
    return match_expression(query) if query and query.strip() else NOTHING


@hookimpl(trylast=True)
def prepare_connection(conn):
    register(conn)
    conn.create_function("escape_fts", 1, match_expression)
    conn.create_function("fts_query", 1, canned_query)


def _syntax_error(request) -> str | None:
    return _query_error(request.args.get)


def _query_error(arg) -> str | None:
    """The line that says why the search parameter `arg(name)` gives cannot run, None when it can (or is empty)."""
    for name in SEARCH_PARAMETERS:
        query = arg(name)
        if query and query.strip():
            try:
                match_expression(query)
            except QuerySyntaxError as exc:
                return f"{exc} (search: {query})"
    return None


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    message = _syntax_error(request)
    if message is None:
        return None

    async def answer():
        html = await datasette.render_template("error.html", {"error": message, "status": 400,
                                                              "title": "Search syntax"}, request=request)
        return Response.html(html, status=400)

    return answer


@hookimpl
def asgi_wrapper(datasette):
    """A JSON answer (a table's or a canned query's `.json`) to a search that cannot run says why, with status 400:
    the canned query's JSON would otherwise carry SQLite's "user-defined function raised exception"."""

    def wrap(app):
        async def checked(scope, receive, send):
            if scope["type"] == "http" and scope["path"].endswith(".json"):
                args = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
                message = _query_error(lambda name: (args.get(name) or [None])[0])
                if message is not None:
                    body = json.dumps({"ok": False, "error": message, "status": 400, "title": "Search syntax"},
                                      ensure_ascii=False).encode("utf-8")
                    await send({"type": "http.response.start", "status": 400, "headers": [
                        (b"content-type", b"application/json; charset=utf-8"),
                        (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
            await app(scope, receive, send)

        return checked

    return wrap


@hookimpl
def extra_template_vars(template, request):
    """The canned search query's page shows its SQL error itself: say what is wrong with the query instead."""
    if not template.startswith("query") or request is None:
        return {}
    message = _syntax_error(request)
    return {"error": message} if message else {}


RESULTS_SHOWN = 50
FILTERS = ("portal", "source", "year")


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]


async def search_page(datasette, request):
    """/-/search?q=…: ranked results with highlighted snippets, how many match, and facets by portal, source and
    year of publication, each narrowing the search; the command line's `search` on a page."""
    query = (request.args.get("q") or "").strip()
    chosen = {name: request.args.get(name) for name in FILTERS if request.args.get(name)}
    context = {"q": query, "chosen": chosen, "hits": [], "total": 0, "facets": {}, "error": None,
               "database": datasette.get_database().name,
               "remove": {name: _url(query, {k: v for k, v in chosen.items() if k != name}) for name in chosen}}
    status = 200
    if query:
        try:
            hits, total, found = await datasette.get_database().execute_fn(lambda conn: _search(conn, query, chosen))
        except QuerySyntaxError as exc:
            context["error"], status = f"{exc} (search: {query})", 400
        else:
            context.update(hits=[(hit, _highlighted(hit)) for hit in hits], total=total, facets={
                name: [(value, n, _url(query, {**chosen, name: value})) for value, n in values]
                for name, values in found.items()})
    html = await datasette.render_template("search.html", context, request=request)
    return Response.html(html, status=status)


def _search(conn, query: str, chosen: dict[str, str]):
    from sqlite_utils import Database

    from storage.search import count, facets, search

    year = chosen.get("year")
    if year is not None and not (len(year) == 4 and year.isdigit()):
        raise QuerySyntaxError(f"year takes a year like 2021, got {year!r}")
    where = {"portal": chosen.get("portal"), "source": chosen.get("source"),
             "since": f"{year}-01-01" if year else None, "until": f"{year}-12-31" if year else None}
    db = Database(conn)
    return search(db, query, limit=RESULTS_SHOWN, **where), count(db, query, **where), facets(db, query, **where)


def _url(query: str, chosen: dict[str, str]) -> str:
    return "/-/search?" + urlencode({"q": query, **chosen})


def _highlighted(hit) -> Markup:
    """The snippet with its matches in <mark>, everything else escaped."""
    parts, last = [], 0
    for start, end in hit.highlights:
        if start < last:
            continue
        parts += [escape(hit.snippet[last:start]), Markup("<mark>"), escape(hit.snippet[start:end]), Markup("</mark>")]
        last = end
    parts.append(escape(hit.snippet[last:]))
    return Markup("").join(parts)
