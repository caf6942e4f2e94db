"""A spider loader that makes one spider per portal of the registry, so `scrapy list` shows the portals."""

from __future__ import annotations

from scrapy import Spider
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawler.portals import UnknownPortalError, load_portals


class UnknownSpiderError(UnknownPortalError, UsageError):
    """`scrapy crawl NAME` of no portal: a KeyError, as SpiderLoader.load promises its callers, and a UsageError,
    which Scrapy's command line prints as one line instead of a traceback."""

    print_help = False


class PortalSpiderLoader(SpiderLoader):
    """Spiders of SPIDER_MODULES, plus a subclass per portal of PORTALS_FILE (`spider = NAME` picks its base)."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        from spiders.portal import PortalSpider  # spiders/ is a sibling package on the project path

        by_name = dict(self._spiders)
        for portal in load_portals(settings.get("PORTALS_FILE") or None).values():
            base = by_name.get(portal.spider, PortalSpider) if portal.spider else PortalSpider
            self._spiders[portal.name] = type(
                f"{portal.name.title().replace('_', '')}Spider", (base,), {"name": portal.name, "portal": portal}
            )
        self._spiders.pop(PortalSpider.name, None)  # the generic base is not a spider of its own

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name not in self._spiders:
            raise UnknownSpiderError(f"unknown portal {spider_name}; known portals: {', '.join(self.list())}")
        return self._spiders[spider_name]
