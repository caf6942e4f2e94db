"""Datasette plugin: make Datasette's search box speak the archive's Chinese full-text index.

The index holds simplified-script character bigrams (storage/fts.py), so a query must be translated the
same way before it reaches MATCH. Datasette escapes search terms with the SQL function escape_fts();
this plugin registers its own after Datasette's (trylast), plus fts_query() for canned queries.
"""

from datasette import hookimpl

from storage.fts import match_expression, register


@hookimpl(trylast=True)
def prepare_connection(conn):
    register(conn)
    conn.create_function("escape_fts", 1, match_expression)
    conn.create_function("fts_query", 1, match_expression)
