"""Inferring a portal entry from one of its channel pages: `python -m crawler portal add URL`.

`source` fetches pages (from the internet, the replica, or saved files), `links` finds the article links and
their URL patterns, `discovery` the pagination (and where an entry page forwards), sitemaps, feeds and charset,
`selectors` the body, title and source elements that hold across sample articles, `schedule` a cron expression
from the list's dates, `guess` puts them together into one entry shown before it is written, and `doubts`
says what in it a person must confirm first.
"""
