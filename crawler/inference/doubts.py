"""Doubts about an inferred entry: what `portal add` will not write without a person's confirmation.

A guess can be wrong in ways its evidence shows: the sample pages of a pattern do not read as articles (the
pattern took list or menu pages, or the story is filled in by a script), a pattern rests on two links, or a
group of numbered headline links was turned down by a small margin. Each doubt is one line naming what to check.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.inference.guess import PortalGuess

AMBIGUOUS_LINKS = 3  # an article pattern drawn from fewer links than this is a guess a person should confirm


def doubts(guess: PortalGuess) -> list[str]:
    """What a person must look at before this entry is written: an article pattern whose sample pages mostly do
    not extract to articles (a dead link or a stray list page among as many good samples is the site's, and is
    shown with the samples), patterns drawn from very few links, numbered headline links no pattern takes."""
    found = []
    for pattern in guess.article_patterns:
        samples = [s for s in guess.samples if re.search(pattern, urlsplit(s.url).path)]
        failed = [s for s in samples if s.extraction is None or s.extraction.status != "article"
                  or not s.extraction.text]
        if failed and len(failed) > len(samples) - len(failed):
            found += [f"sample {s.url} " + (f"was not fetched (http {s.status})" if s.extraction is None else
                      f"extracted to {s.extraction.status}"
                      f"{f' ({s.extraction.reason})' if s.extraction.reason else ''}, not an article")
                      for s in failed]
    found += [f"article pattern {pattern} rests on {len(paths)} links only"
              for pattern, paths in guess.matches.items() if len(paths) < AMBIGUOUS_LINKS]
    found += [f"link group {c.pattern} ({len(c.paths)} numbered links, e.g. {c.links[0].text!r}) looks like "
              f"articles too but was not taken" for c in guess.other_shapes if c.near_articles()
              and not any(re.search(p, path) for p in guess.list_patterns for path in c.paths)]
    return list(dict.fromkeys(found))
