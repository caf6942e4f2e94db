"""Datasette plugin: make Datasette's search box speak the archive's Chinese full-text index.

The index holds simplified-script character bigrams (storage/fts.py), so a query must be translated the
same way before it reaches MATCH. Datasette escapes search terms with the SQL function escape_fts();
this plugin registers its own after Datasette's (trylast), plus fts_query() for canned queries. A query that
cannot be translated is answered with the line the command line prints, not SQLite's "user-defined function
raised exception".
"""

from datasette import Response, hookimpl

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
    for name in SEARCH_PARAMETERS:
        query = request.args.get(name)
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
        if request.path.endswith(".json"):
            return Response.json({"ok": False, "error": message, "status": 400, "title": "Search syntax"},
                                 status=400)
        html = await datasette.render_template("error.html", {"error": message, "status": 400,
                                                              "title": "Search syntax"}, request=request)
        return Response.html(html, status=400)

    return answer


@hookimpl
def extra_template_vars(template, request):
    """The canned search query's page shows its SQL error itself: say what is wrong with the query instead."""
    if not template.startswith("query") or request is None:
        return {}
    message = _syntax_error(request)
    return {"error": message} if message else {}
