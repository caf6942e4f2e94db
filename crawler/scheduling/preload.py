"""What a crawl imports, imported once in the scheduler's crawl template (see launcher.py).

Scheduled crawls are forked from a process that has imported this module, so each run starts with Scrapy, the
CLI and every component the project's settings name already loaded, instead of paying for them
again (most of a re-crawl that finds nothing new). Importing installs no Twisted reactor: a crawl installs its
own (TWISTED_REACTOR) after the fork, and would refuse one installed before. A component that cannot be imported
here is left for the crawl to import (and to report, as it would without the template).
"""

from __future__ import annotations

import codecs
import contextlib

from crawler import cli, run, tables  # noqa: F401  (the CLI, Scrapy's crawler, the run's table)
from crawler.extraction import decode

COMPONENT_SETTINGS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES")
CLASS_SETTINGS = ("SCHEDULER", "DUPEFILTER_CLASS", "REQUEST_FINGERPRINTER_CLASS", "SPIDER_LOADER_CLASS",
                  "STATS_CLASS", "LOG_FORMATTER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_DISK_QUEUE",
                  "SCHEDULER_MEMORY_QUEUE", "DOWNLOADER", "ITEM_PROCESSOR", "ROBOTSTXT_PARSER")


def component_paths() -> list[str]:
    """The import paths of every component and class the project's settings name (Scrapy's defaults included)."""
    from scrapy.utils.conf import build_component_list

    settings = run.project_settings()
    paths = [path for name in COMPONENT_SETTINGS for path in build_component_list(settings.getwithbase(name))]
    paths += [path for path in settings.getwithbase("DOWNLOAD_HANDLERS").values() if path]
    paths += [settings[name] for name in CLASS_SETTINGS if isinstance(settings.get(name), str)]
    paths += [e for e in settings.getlist("RETRY_EXCEPTIONS") if isinstance(e, str)]
    return [p for p in paths if isinstance(p, str)]


def _load_all() -> None:
    from scrapy.utils.misc import load_object

    for path in component_paths():
        with contextlib.suppress(Exception):
            load_object(path)
    for charset in decode.FALLBACKS:  # the codecs list pages are decoded with, in the crawl's own process
        codecs.lookup(charset)


_load_all()
