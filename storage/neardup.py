"""Near-duplicate stories across portals: MinHash over character 5-grams, LSH bands kept in SQLite.

Police news is syndicated with different chrome and small edits. Each new article's MinHash signature is
cut into bands; articles sharing a band bucket are candidates, and a candidate whose estimated Jaccard
similarity passes the threshold joins the article to its group. Lookups go through an index on
(band, bucket), so adding an article costs the same at 1,000 or 100,000 articles — never all pairs.
"""

from __future__ import annotations

import hashlib
import struct

from typing import TYPE_CHECKING

from sqlite_utils import Database

from storage.dedup import normalise_text
from storage.fts import simplified

if TYPE_CHECKING:  # numpy is imported on first use: a crawl that adds no article never needs it
    import numpy as np
from storage.records import MAX_ROWS

SHINGLE = 5  # characters per shingle: long enough that common phrases do not make stories alike
BANDS, ROWS = 16, 8  # 128 permutations; pairs above ~0.7 Jaccard almost surely share a band
NUM_PERM = BANDS * ROWS
THRESHOLD = 0.6  # estimated Jaccard similarity that makes two articles the same story
SEED = 1  # fixed, so signatures stored yesterday compare with today's


def shingles(text: str) -> set[bytes]:
    s = normalise_text(simplified(text))
    if len(s) <= SHINGLE:
        return {s.encode("utf-8")} if s else set()
    return {s[i : i + SHINGLE].encode("utf-8") for i in range(len(s) - SHINGLE + 1)}


def signature(text: str) -> np.ndarray:
    from datasketch import MinHash  # imported on first use: it costs half a second, and most runs add nothing

    m = MinHash(num_perm=NUM_PERM, seed=SEED)
    m.update_batch(list(shingles(text)))
    import numpy as np

    return m.hashvalues.astype(np.uint64)


def _buckets(sig: np.ndarray) -> list[int]:
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).digest()
        out.append(struct.unpack("<q", digest)[0])
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float((a == b).mean())


def _unpack(stored: bytes) -> np.ndarray:
    import numpy as np

    return np.frombuffer(stored, dtype=np.uint64)


def index_article(db: Database, article_id: int, text: str, sig: np.ndarray | None = None) -> int:
    """Add (or re-add) an article to the index; return the id of the group it belongs to.

    `sig` is the text's signature when the caller computed it before its transaction began."""
    sig = signature(text) if sig is None else sig
    buckets = _buckets(sig)
    db.execute("DELETE FROM lsh_bands WHERE article_id = ?", [article_id])
    candidates = set()
    for band, bucket in enumerate(buckets):
        candidates.update(r[0] for r in db.execute(
            "SELECT article_id FROM lsh_bands WHERE band = ? AND bucket = ? AND article_id != ?",
            [band, bucket, article_id]))
    groups = set()
    for other in candidates:
        row = db.execute("SELECT signature, group_id FROM minhash WHERE article_id = ?", [other]).fetchone()
        if row and similarity(sig, _unpack(row[0])) >= THRESHOLD:
            groups.add(row[1])
    group = min(groups | {article_id})
    for merged in groups - {group}:  # the article bridges two groups: they are one story
        db.execute("UPDATE minhash SET group_id = ? WHERE group_id = ?", [group, merged])
    db.execute("INSERT OR REPLACE INTO minhash (article_id, signature, group_id) VALUES (?, ?, ?)",
               [article_id, sig.tobytes(), group])
    db.conn.executemany("INSERT INTO lsh_bands (band, bucket, article_id) VALUES (?, ?, ?)",
                   [(band, bucket, article_id) for band, bucket in enumerate(buckets)])
    return group


def groups(db: Database, min_size: int = 2, limit: int | None = None) -> list[dict]:
    """Stories seen more than once, the most copied first, each with its earliest publication."""
    sql = """
        SELECT m.group_id, count(*) AS size, min(a.published) AS earliest,
               group_concat(DISTINCT a.portal) AS portals
        FROM minhash m JOIN articles a ON a.id = m.article_id
        GROUP BY m.group_id HAVING count(*) >= ? ORDER BY size DESC, earliest LIMIT ?
    """
    out = []
    for group_id, size, earliest, portals in db.execute(sql, [min(min_size, MAX_ROWS), min(limit or MAX_ROWS, MAX_ROWS)]).fetchall():
        first = db.execute(
            "SELECT a.id, a.title, a.url, a.portal FROM minhash m JOIN articles a ON a.id = m.article_id "
            "WHERE m.group_id = ? ORDER BY a.published IS NULL, a.published, a.id LIMIT 1", [group_id]
        ).fetchone()
        out.append({"group": group_id, "size": size, "earliest": earliest, "portals": portals.split(","),
                    "first_id": first[0], "title": first[1], "url": first[2], "first_portal": first[3]})
    return out
