"""Near-duplicate stories across portals: MinHash over character 5-grams, LSH bands kept in SQLite.

Police news is syndicated with different chrome and small edits. Each new article's MinHash signature is
cut into bands; articles sharing a band bucket are candidates, and a candidate whose estimated Jaccard
similarity passes the threshold joins the article to its group. Lookups go through an index on
(band, bucket), so adding an article costs the same at 1,000 or 100,000 articles — never all pairs.
"""

from __future__ import annotations

import functools
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
    """The text's distinct SHINGLE-character runs, UTF-8 encoded: sliced from the text encoded once, at the
    offsets where its characters start."""
    import numpy as np

    s = normalise_text(simplified(text))
    if len(s) <= SHINGLE:
        return {s.encode("utf-8")} if s else set()
    data = s.encode("utf-8")
    starts = np.flatnonzero((np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80).tolist()  # not continuation bytes
    starts.append(len(data))
    return {data[begin:end] for begin, end in zip(starts, starts[SHINGLE:])}


def signature(text: str) -> np.ndarray:
    """The text's MinHash: for each of NUM_PERM permutations, the least permuted hash of its shingles.

    Value for value what datasketch's `MinHash(NUM_PERM, seed=SEED)` (scheme affine32) gives, so signatures
    stored before and the groups they made stay valid (tests/test_neardup.py checks it against datasketch), but
    all shingles at once: each is hashed with sha1 (its first 4 bytes, little-endian), mixed by MurmurHash3's
    finalizer, and permuted as a * h + b modulo 2**32, as arrays rather than one Python integer at a time."""
    import numpy as np

    a, b = _permutations()
    grams = shingles(text)
    if not grams:
        return np.full(NUM_PERM, _EMPTY, dtype=np.uint64)
    sha1 = hashlib.sha1
    digests = np.frombuffer(b"".join([sha1(g).digest() for g in grams]), dtype="<u4")  # 5 words per digest
    hashes = _fmix32(digests[::5].astype(np.uint32))
    least = np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    for start in range(0, len(hashes), _CHUNK):  # bounded memory: CHUNK x NUM_PERM values at a time
        permuted = hashes[start : start + _CHUNK, None] * a
        permuted += b
        np.minimum(least, permuted.min(axis=0), out=least)
    return least.astype(np.uint64)


_EMPTY = (1 << 32) - 1  # the signature of a text without shingles (datasketch's initial value)
_CHUNK = 4096  # shingles permuted at once


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 parameters for SEED: odd multipliers a, offsets b, drawn from RandomState(SEED)."""
    import numpy as np

    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch applies to each hash before permuting it."""
    import numpy as np

    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


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


# The articles sharing any band bucket with this one, in one statement (SQLite reads each (band, bucket) pair
# through the index: MULTI-INDEX OR), rather than one statement per band.
_CANDIDATES = ("SELECT DISTINCT article_id FROM lsh_bands WHERE ("
               + " OR ".join(["(band = ? AND bucket = ?)"] * BANDS) + ") AND article_id != ?")


def index_article(db: Database, article_id: int, text: str, sig: np.ndarray | None = None) -> int:
    """Add (or re-add) an article to the index; return the id of the group it belongs to.

    `sig` is the text's signature when the caller computed it before its transaction began."""
    sig = signature(text) if sig is None else sig
    buckets = _buckets(sig)
    db.execute("DELETE FROM lsh_bands WHERE article_id = ?", [article_id])
    candidates = {row[0] for row in db.execute(_CANDIDATES, [*(v for band in enumerate(buckets) for v in band),
                                                             article_id])}
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
