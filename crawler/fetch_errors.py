"""One stable line for a failed fetch: what a researcher reads in `pages.reason`, and what `stats` groups by.

Scrapy and Twisted describe failures as exception reprs ("DownloadFailedError: [<twisted.python.failure.Failure
twisted.internet.error.ConnectionDone: ...>]"), often with the URL inside, so no two reasons would group. The
kinds below are the ones a portal actually produces; anything else keeps its exception name and message.
"""

from __future__ import annotations

import re
import zlib
from gzip import BadGzipFile
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure

OFF_PORTAL = "redirected off the portal"  # the start of the reason an off-domain redirect is recorded with
REFUSED, DNS_FAILED = "connection refused", "DNS lookup failed"  # the host could not be reached at all

# (pattern in the failure's text, reason): checked in order, for failures Scrapy wraps in DownloadFailedError
_WRAPPED = [
    (r"ConnectionDone|ConnectionLost|ResponseNeverReceived", "connection closed without a complete answer"),
    (r"ConnectionRefused", REFUSED),
    (r"ParseError|non-integer status|BadHeaders|conflicting Content-Length|Invalid response",
     "not a valid HTTP answer"),
    (r"exceeded DOWNLOAD_MAXSIZE", "larger than DOWNLOAD_MAXSIZE once decompressed"),
    (r"max redirections", "redirect loop (too many redirects)"),
    (r"Invalid IPv6 URL|Invalid URL|Missing scheme", "redirect to an invalid URL"),
]


def describe(failure: Failure, url: str, connected_to: str | None = None) -> tuple[str, str]:
    """(outcome, reason) for a request that failed: `not_article` for an off-portal redirect (a rejection with
    its target), `error` for everything else (errors are retried at the next run). `connected_to` is where the
    connection really went (the replica), named when it was refused."""
    server = urlsplit(connected_to or url)
    message = failure.getErrorMessage() or ""
    if failure.check(IgnoreRequest) and message.startswith(OFF_PORTAL):
        return "not_article", message
    if failure.check(HttpError):
        status = failure.value.response.status
        if 300 <= status < 400:
            return "error", f"http {status} redirect without a usable Location"
        return "error", f"http {status}"
    if failure.check(DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError):
        took = re.search(r"longer than ([\d.]+) seconds", message)
        return "error", f"timed out (no complete answer within {float(took.group(1)):g} s)" if took else "timed out"
    if failure.check(CannotResolveHostError, net.DNSLookupError):
        return "error", f"{DNS_FAILED} for {server.hostname}"
    if failure.check(DownloadConnectionRefusedError, net.ConnectionRefusedError):
        return "error", f"{REFUSED} by {server.netloc}"
    if failure.check(ResponseDataLossError):
        return "error", "answer cut short (fewer bytes than its Content-Length)"
    if failure.check(DownloadCancelledError):
        return "error", "larger than DOWNLOAD_MAXSIZE"
    if failure.check(BadGzipFile, zlib.error, EOFError):
        return "error", "compressed body cannot be decompressed"
    for pattern, reason in _WRAPPED:
        if re.search(pattern, message) or re.search(pattern, failure.type.__name__):
            return "error", reason
    return "error", f"{failure.type.__name__}: {message or 'no message'}"[:500]


def host_unreached(reason: str) -> bool:
    """Whether a failure's reason says the host could not be reached at all (refused, unknown name), rather than
    reached without a usable answer (a timeout, an answer cut short or closed)."""
    return reason.startswith((REFUSED, DNS_FAILED))
