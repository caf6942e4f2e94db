"""Inferring a portal entry from one of its channel pages: `python -m crawler portal add URL`.

`source` fetches pages (from the internet, the replica, or saved files), `links` finds the article links and
their URL patterns, `discovery` the pagination, sitemaps, feeds and charset, `selectors` the body and title
elements that hold across sample articles, `schedule` a cron expression from the list's dates, and `guess`
puts them together into one entry shown before it is written.
"""
