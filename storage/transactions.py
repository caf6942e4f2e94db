"""Write transactions that several processes can share one archive with.

SQLite lets one writer at a time. A transaction opened with a plain (deferred) `BEGIN` starts as a reader and
asks for the write lock only at its first write; if another process committed in between, SQLite answers
`SQLITE_BUSY` at once ("database is locked") and `busy_timeout` cannot wait it out, because the reader's snapshot
is already stale. `BEGIN IMMEDIATE` takes the write lock first, waiting up to `busy_timeout` for it, so every
read inside the transaction sees the latest rows and the writes that follow cannot be refused.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlite_utils import Database

logger = logging.getLogger(__name__)
T = TypeVar("T")
LOCK_TIMEOUT = 10.0  # seconds one statement waits for another process's write lock, unless told otherwise


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One atomic write: committed whole at the end of the block, or rolled back on any error.

    Nested inside an open transaction it becomes a savepoint of that transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


def retried(what: str, write: Callable[[], T], attempts: int, extra: dict | None = None) -> T:
    """Run one archive write, trying again when it fails (another process holding the write lock past its timeout,
    a disk that is briefly full); the last failure is raised. `what` names the write in the log; `extra` goes with
    the log record (a crawl's spider, so the warning reaches that run's log file)."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except sqlite3.Error as exc:
            if attempt == attempts:
                raise
            logger.warning("could not %s in the archive (%s); attempt %d of %d follows", what, exc, attempt + 1,
                           attempts, extra=extra)
            time.sleep(min(2.0, 0.1 * 2**attempt))
    raise AssertionError("unreachable")
