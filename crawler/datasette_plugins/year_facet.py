"""Datasette plugin: a `year` facet (`{"year": "published"}` in metadata, or `?_facet_year=published`).

Datasette's date facet counts days, too fine for an archive that spans fifteen years. A year is the first four
characters of the ISO 8601 column, and choosing one filters with Datasette's own `published__startswith=YYYY`,
so the chosen year shows among the table's filters and combines with search and the other facets.
"""

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

YEAR = "substr({col}, 1, 4)"


class YearFacet(Facet):
    type = "year"

    async def suggest(self):
        return []  # configured in metadata; not suggested for every text column

    async def facet_results(self):
        results, timed_out = [], []
        chosen = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for configured in self.get_configs():
            config, source = configured["config"], configured["source"]
            column = config.get("column") or config["simple"]
            year = YEAR.format(col=escape_sqlite(column))
            sql = (f"select {year} as value, count(*) as count from ({self.sql}) "
                   f"where {escape_sqlite(column)} glob '[0-9][0-9][0-9][0-9]*' "
                   f"group by value order by value desc limit {size + 1}")
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = chosen.get(key) == row["value"]
                path = (path_with_removed_args(self.request, {key: row["value"]}) if selected
                        else path_with_added_args(self.request, {key: row["value"]}))
                values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, path), "selected": selected})
            results.append({"name": column, "type": self.type, "results": values, "hideable": source != "metadata",
                            "toggle_url": path_with_removed_args(self.request, {"_facet_year": column}),
                            "truncated": len(rows.rows) > size})
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [YearFacet]
