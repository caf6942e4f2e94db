"""Archives of many generated articles, built with bulk SQL, for measuring the archive at a million articles.

Adding articles one `write_batch` at a time costs about a millisecond each in MinHash and bigram tokens alone, so a
million would take the best part of an hour. Here every article is a sequence of paragraphs drawn from a pool
whose MinHash signatures and search tokens are computed once: an article's signature is the element-wise minimum of
its paragraphs' signatures and of the signatures of the few shingles that span each join (a MinHash is a minimum
over shingles, and every paragraph starts and ends with a short word of its own, so the joins come from a small
set too), and its tokens are its paragraphs' tokens one after another. What the write path would store — pages,
bodies, articles, their full-text and near-duplicate entries, runs and their totals — is then inserted in bulk,
one transaction per chunk, into an archive created by the real migrations. `tests/test_big_archive.py` builds a
small archive both ways and compares every table.

The articles are Chinese text of 500 to 3,000 characters over a Zipf-weighted alphabet of common characters (so
the search index sees many distinct bigrams), with police words sprinkled in, from five portals; about 3 % are
near-duplicates of an earlier article (one paragraph changed) and 1 % are exact copies on another portal, which
the archive keeps as alias pages.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import multiprocessing
import multiprocessing.pool
import random
import shutil
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storage import Archive, Article, Page, bodies, fts, neardup
from storage.dedup import normalise_text, url_hash

PORTALS = ("zjol", "dazhong", "cnnb", "cnnb_epaper", "gat_zj")
POOL = 6000  # paragraphs to draw articles from
ENDS = 24  # distinct opening (and closing) words of paragraphs: their joins are ENDS² shingle sets
COPY_SHARE, VARIANT_SHARE = 0.01, 0.03  # exact copies on another portal; near-duplicates (one paragraph changed)
LIST_EVERY = 20  # a list page per this many article pages, as a crawl fetches them
CHUNK = 5000  # articles per transaction (and per task of the worker processes)
RUN_SIZE = 10_000  # article pages per run and portal, as if each portal had been crawled in runs of that size
POLICE_WORDS = ("民警", "公安", "群众", "报警", "案件", "嫌疑人", "派出所", "追逃", "诈骗", "禁毒", "酒驾", "走失",
                "盗窃", "反诈", "传销", "火灾", "溺水", "扒窃", "交警", "刑侦")
_INSERT_TRIGGER = next(s for s in fts.CREATE if "articles_fts_insert" in s)
HEADERS = json.dumps({"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})


@dataclass(frozen=True)
class Pool:
    """The paragraphs articles are made of, with what the archive derives from them, computed once."""

    paragraphs: list[str]
    tokens: list[str]  # fts_tokens of each paragraph
    normalised: list[str]  # normalise_text of each paragraph (an article's is theirs joined: for content_hash)
    signatures: np.ndarray  # (POOL, NUM_PERM): each paragraph's MinHash
    opener: np.ndarray  # index of each paragraph's opening word
    closer: np.ndarray  # index of each paragraph's closing word
    joins: np.ndarray  # (ENDS, ENDS, NUM_PERM): MinHash of the shingles spanning closing word i + opening word j


def _alphabet(rng: random.Random) -> tuple[list[str], list[float]]:
    """Common CJK characters that simplified-script conversion leaves alone, with Zipf weights."""
    chars = [c for c in map(chr, range(0x4E00, 0x4E00 + 7000)) if fts.simplified(c) == c]
    rng.shuffle(chars)
    chars = chars[:3500]
    return chars, list(itertools.accumulate(1 / (rank + 1) for rank in range(len(chars))))


def make_pool(seed: int = 7, size: int = POOL) -> Pool:
    rng = random.Random(seed)
    chars, weights = _alphabet(rng)
    edge = neardup.SHINGLE - 1  # every shingle spanning a join lies within the closing and opening words
    ends = ["".join(rng.choices(chars[:300], k=edge)) for _ in range(2 * ENDS)]
    openers, closers = ends[:ENDS], ends[ENDS:]
    paragraphs, opener, closer = [], [], []
    for _ in range(size):
        o, c = rng.randrange(ENDS), rng.randrange(ENDS)
        sentences, length = [], 0
        target = rng.randint(100, 400)
        while length < target:
            words = ["".join(rng.choices(chars, cum_weights=weights, k=rng.randint(1, 4))) for _ in range(rng.randint(4, 12))]
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice(POLICE_WORDS))
            sentence = "".join(words) + rng.choice("，。；")
            sentences.append(sentence)
            length += len(sentence)
        paragraphs.append(openers[o] + "".join(sentences) + closers[c] + "。")
        opener.append(o)
        closer.append(c)
    signatures = np.stack([neardup.signature(p) for p in paragraphs])
    joins = np.stack([np.stack([neardup.signature(c + o) for o in openers]) for c in closers])
    return Pool(paragraphs, [fts.fts_tokens(p) for p in paragraphs], [normalise_text(p) for p in paragraphs],
                signatures, np.array(opener),
                np.array(closer), joins)


@dataclass
class Plan:
    """What generated article number n is: an original, a near-duplicate of an earlier one, or a copy of one."""

    kind: str  # original, variant, copy
    paragraphs: list[int]
    source: int | None = None  # the earlier article a variant or copy is made from


def _original(seed: int, n: int, pool: int) -> list[int]:
    rng = random.Random(seed * 1_000_003 + n)
    return rng.sample(range(pool), rng.randint(3, 9))


def plan(seed: int, n: int, pool: int = POOL) -> Plan:
    """Article n of the archive made with this seed from a pool of `pool` paragraphs."""
    rng = random.Random(-(seed * 1_000_003 + n))
    draw = rng.random()
    if n and draw < COPY_SHARE + VARIANT_SHARE:
        source = rng.randrange(n)
        if plan(seed, source, pool).kind == "original":  # copies and variants are made of originals only
            paragraphs = _original(seed, source, pool)
            if draw < COPY_SHARE:
                return Plan("copy", paragraphs, source)
            paragraphs = list(paragraphs)
            paragraphs[rng.randrange(len(paragraphs))] = rng.randrange(pool)
            return Plan("variant", paragraphs, source)
    return Plan("original", _original(seed, n, pool))


def text_of(pool: Pool, paragraphs: list[int]) -> str:
    return "\n".join(pool.paragraphs[p] for p in paragraphs)


def signature_of(pool: Pool, paragraphs: list[int]) -> np.ndarray:
    """The article's MinHash, as neardup.signature(text_of(...)) computes it, from the pool's."""
    idx = np.array(paragraphs)
    sig = pool.signatures[idx].min(axis=0)
    if len(idx) > 1:
        sig = np.minimum(sig, pool.joins[pool.closer[idx[:-1]], pool.opener[idx[1:]]].min(axis=0))
    return sig


def _day(n: int) -> str:
    return f"20{10 + n % 16:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"


def _url(n: int, portal: str) -> str:
    return f"http://{portal}.bench.police.test/{_day(n).replace('-', '/')}/{n}.shtml"


def _html(title: str, text: str, url: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    return (f'<html><head><meta charset="utf-8"><title>{title}</title><link rel="canonical" href="{url}"></head>'
            f'<body><div class="nav">首页 | 警务动态 | 通知公告</div><h1>{title}</h1><div class="content">{body}'
            '</div><div class="footer">版权所有 公安局</div></body></html>').encode("utf-8")


@dataclass
class Generated:
    """One planned article page as the write path would see it, with what the archive derives from it."""

    n: int
    plan: Plan
    portal: str
    url: str
    title: str
    text: str
    published: str
    fetched_at: str
    body: bodies.PackedBody
    content_hash: str
    tokens: tuple[str, str] | None = None  # fts tokens of title and text (not for copies)
    signature: np.ndarray | None = None
    buckets: list[int] | None = None
    source_signature: np.ndarray | None = None  # a variant's source's, to group it
    source_buckets: list[int] | None = None


def generate(pool: Pool, seed: int, n: int) -> Generated:
    p = plan(seed, n, len(pool.paragraphs))
    portal = PORTALS[n % len(PORTALS)]
    if p.kind == "copy":  # the same story on another portal, fetched later
        portal = PORTALS[(p.source + 1 + n % (len(PORTALS) - 1)) % len(PORTALS)]
    title = f"第{p.source if p.kind == 'copy' else n}号警情通报：{pool.paragraphs[p.paragraphs[0]][:12]}"
    text = text_of(pool, p.paragraphs)
    url = _url(n, portal)
    published = _day(p.source if p.kind == "copy" else n)
    fetched_at = f"2026-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00"
    g = Generated(n, p, portal, url, title, text, f"{published}T08:00:00+08:00", fetched_at,
                  _pack(_html(title, text, url)), _content_hash(pool, p.paragraphs))
    if p.kind != "copy":
        g.tokens = (fts.fts_tokens(title), " ".join(pool.tokens[i] for i in p.paragraphs))
        g.signature = signature_of(pool, p.paragraphs)
        g.buckets = neardup._buckets(g.signature)
    if p.kind == "variant":
        g.source_signature = signature_of(pool, _original(seed, p.source, len(pool.paragraphs)))
        g.source_buckets = neardup._buckets(g.source_signature)
    return g


def page_of(g: Generated) -> Page:
    """The crawl's record of this article page, for the real write path."""
    title, text = g.title, g.text
    return Page(g.url, g.portal, g.fetched_at, http_status=200, content_type="text/html; charset=utf-8",
                headers=json.loads(HEADERS), body=bodies.unpack(g.body.data), outcome="article", charset="utf-8",
                article=Article(title, g.published, "公安局", None, text), body_by="portal",
                signature=g.signature, packed_body=g.body)


def _content_hash(pool: Pool, paragraphs: list[int]) -> str:
    """storage.dedup.content_hash of the article's text, from its paragraphs' normalised forms."""
    return hashlib.sha1("".join(pool.normalised[p] for p in paragraphs).encode("utf-8")).hexdigest()


def _pack(body: bytes) -> bodies.PackedBody:
    """bodies.pack at zlib's fastest level (a third of the time; the archive reads either alike)."""
    return bodies.PackedBody(hashlib.sha1(body).hexdigest(), len(body), zlib.compress(body, 1))


def list_page(g: Generated) -> Page | None:
    """The list page a crawl fetched after this article page (one per LIST_EVERY), if any."""
    if (g.n + 1) % LIST_EVERY:
        return None
    links = "".join(f'<li><a href="{_url(m, g.portal)}">第{m}号警情通报</a></li>'
                    for m in range(g.n + 1 - LIST_EVERY, g.n + 1))
    packed = _pack(f"<html><body><ul>{links}</ul><a href='?page={g.n + 1}'>下一页</a></body></html>".encode())
    return Page(f"http://{g.portal}.bench.police.test/list_{g.n // LIST_EVERY}.shtml", g.portal, g.fetched_at,
                http_status=200, content_type="text/html; charset=utf-8", headers=json.loads(HEADERS),
                body=bodies.unpack(packed.data), outcome="list", charset="utf-8", packed_body=packed)


# Worker processes generate chunks; the pool is built before they fork and inherited.
_POOL: Pool | None = None


def _chunk(task: tuple[int, int, int]) -> list[Generated]:
    seed, start, stop = task
    return [generate(_POOL, seed, n) for n in range(start, stop)]


class _Groups:
    """Near-duplicate groups as neardup.index_article decides them, within each family of a source and its
    variants (articles of different families share no band bucket, by construction, bar chance)."""

    def __init__(self) -> None:
        self.families: dict[int, list[list]] = {}  # source n -> [[article id, signature, buckets, group], ...]

    def group(self, g: Generated, article_id: int, source_id: int) -> tuple[int, list[tuple[int, int]]]:
        """The variant's group id, and (old group, new group) for groups it bridged."""
        family = self.families.setdefault(g.plan.source, [[source_id, g.source_signature, g.source_buckets,
                                                           source_id]])
        found = {m[3] for m in family if any(a == b for a, b in zip(m[2], g.buckets))
                 and neardup.similarity(g.signature, m[1]) >= neardup.THRESHOLD}
        group = min(found | {article_id})
        merged = [(old, group) for old in found - {group}]
        for member in family:
            if member[3] in found:
                member[3] = group
        family.append([article_id, g.signature, g.buckets, group])
        return group, merged


class Builder:
    """Inserts generated articles into an archive as `write_batch` would have stored them, chunk by chunk."""

    def __init__(self, archive: Archive, seed: int):
        self.archive, self.db, self.seed = archive, archive.db, seed
        self.article_ids: dict[int, int] = {}  # n of an original or variant -> its article id (for copies)
        self.groups = _Groups()
        self.runs: dict[tuple[int, str], int] = {}
        self.next_article = (self.db.execute("SELECT max(id) FROM articles").fetchone()[0] or 0) + 1
        self.next_page = (self.db.execute("SELECT max(id) FROM pages").fetchone()[0] or 0) + 1

    def _run(self, n: int, portal: str) -> int:
        key = (n // RUN_SIZE, portal)
        if key not in self.runs:
            started = "2026-01-01T00:00:00+00:00"
            self.db.execute("INSERT INTO runs (portal, trigger, started, finished, outcome) VALUES (?, ?, ?, ?, ?)",
                            [portal, "schedule", started, started, "finished"])
            self.runs[key] = self.db.execute("SELECT last_insert_rowid()").fetchone()[0]
        return self.runs[key]

    def add(self, chunk: list[Generated]) -> None:
        articles, fts_rows, minhash, bands, pages, body_rows, seen, merges = [], [], [], [], [], [], [], []
        for g in chunk:
            run_id = self._run(g.n, g.portal)
            body_rows.append((g.body.sha1, g.body.size, bodies.COMPRESSION, g.body.data))
            page_id = self.next_page
            self.next_page += 1
            if g.plan.kind == "copy":
                article_id, dedup = self.article_ids[g.plan.source], "alias"
                seen.append((g.fetched_at, article_id))
            else:
                article_id, dedup = self.next_article, "new"
                self.next_article += 1
                self.article_ids[g.n] = article_id
                articles.append((article_id, g.url, url_hash(g.url), g.content_hash, g.portal, g.title, g.published,
                                 "公安局", None, g.text, g.fetched_at, g.fetched_at, page_id))
                fts_rows.append((article_id, *g.tokens))
                group = article_id
                if g.plan.kind == "variant":
                    group, bridged = self.groups.group(g, article_id, self.article_ids[g.plan.source])
                    merges += bridged
                minhash.append((article_id, g.signature.tobytes(), group))
                bands += [(band, bucket, article_id) for band, bucket in enumerate(g.buckets)]
            pages.append((page_id, run_id, g.portal, g.url, url_hash(g.url), None, 200, "article", None, dedup,
                          article_id, g.fetched_at, "text/html; charset=utf-8", HEADERS, "utf-8", g.body.sha1))
            listed = list_page(g)
            if listed:
                packed = listed.packed_body
                body_rows.append((packed.sha1, packed.size, bodies.COMPRESSION, packed.data))
                pages.append((self.next_page, run_id, g.portal, listed.url, url_hash(listed.url), None, 200, "list",
                              None, None, None, g.fetched_at, "text/html; charset=utf-8", HEADERS, "utf-8",
                              packed.sha1))
                self.next_page += 1
        conn = self.db.conn
        with self.archive.writing():
            # The tokens are computed already: the insert trigger would compute them again, one article at a time.
            conn.execute("DROP TRIGGER articles_fts_insert")
            conn.executemany("INSERT OR IGNORE INTO bodies (sha1, size, compression, body) VALUES (?, ?, ?, ?)",
                             body_rows)
            conn.executemany(
                "INSERT INTO articles (id, url, url_hash, content_hash, portal, title, published, source, author, "
                "text, first_seen, last_seen, page_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", articles)
            conn.executemany("INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", fts_rows)
            conn.executemany("UPDATE articles SET last_seen = ? WHERE id = ?", seen)
            conn.executemany("UPDATE minhash SET group_id = ? WHERE group_id = ?", [(new, old) for old, new in merges])
            conn.executemany("INSERT INTO minhash (article_id, signature, group_id) VALUES (?, ?, ?)", minhash)
            conn.executemany("INSERT INTO lsh_bands (band, bucket, article_id) VALUES (?, ?, ?)", bands)
            conn.executemany(
                "INSERT INTO pages (id, run_id, portal, url, url_hash, final_url, http_status, outcome, reason, "
                "dedup, article_id, fetched_at, content_type, headers, charset, body_sha1) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", pages)
            conn.execute(_INSERT_TRIGGER)

    def finish(self) -> None:
        """The runs' totals, counted from their pages as update_run does."""
        for run_id in self.runs.values():
            self.archive.update_run(run_id)


@dataclass
class Built:
    path: Path
    articles: int
    seconds: float  # 0 when it came from the cache

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def _ahead(workers: multiprocessing.pool.Pool, tasks: list[tuple[int, int, int]]) -> Iterator[list[Generated]]:
    """The chunks in order, each generated by a worker while the one before is written: never more than two
    ahead (Pool.imap would run ahead without bound, holding the whole archive in memory)."""
    pending: collections.deque = collections.deque()
    for task in tasks:
        pending.append(workers.apply_async(_chunk, (task,)))
        if len(pending) > 2:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def build(path: Path, articles: int, seed: int = 7, processes: int = 2, progress: bool = True,
          pool: Pool | None = None, snapshots: dict[int, Path] | None = None) -> Built:
    """A new archive at `path` with `articles` generated article pages; on the way, a copy of it at each size
    in `snapshots` (size -> path), so one build makes the smaller archives too."""
    global _POOL
    began = time.perf_counter()
    _POOL = pool or make_pool(seed, pool_size(articles))
    snapshots = {size: target for size, target in (snapshots or {}).items() if 0 < size < articles}
    ends = sorted({*range(CHUNK, articles, CHUNK), *snapshots, articles})
    tasks = [(seed, start, stop) for start, stop in zip([0, *ends], ends)]
    workers = multiprocessing.get_context("fork").Pool(processes - 1) if processes > 1 and len(tasks) > 1 else None
    try:  # the workers fork before the archive is opened: no SQLite handle crosses a fork
        chunks = _ahead(workers, tasks) if workers else map(_chunk, tasks)
        archive = Archive.open(path)
        try:
            builder = Builder(archive, seed)
            for (_, _, done), chunk in zip(tasks, chunks):
                builder.add(chunk)
                if done in snapshots:
                    builder.finish()
                    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    shutil.copyfile(path, snapshots[done])
                if progress and (done in snapshots or done % 50_000 == 0):
                    elapsed = time.perf_counter() - began
                    print(f"  {done:,} of {articles:,} articles built, {elapsed:.0f} s, {done / elapsed:,.0f} "
                          "articles/s", flush=True)
            builder.finish()
        finally:
            archive.close()
    finally:
        if workers:
            workers.close()
            workers.join()
    return Built(path, articles, time.perf_counter() - began)


FORMAT = 1  # bumped when what `build` makes changes, so cached archives of the old kind are not reused


def pool_size(largest: int) -> int:
    """Paragraphs enough for the largest archive of a series (a small one does not wait for a big pool)."""
    return min(POOL, max(300, largest))


def cache_path(cache: Path, articles: int, seed: int, pool: int) -> Path:
    return cache / f"archive-{articles}-seed{seed}-pool{pool}-v{FORMAT}.db"


def cached(cache: Path, sizes: list[int], seed: int = 7) -> tuple[dict[int, Path], Built | None]:
    """The archives of these sizes from the cache folder, the missing ones built there first in one build (leave
    them pristine: measure a copy); returns them and that build."""
    cache.mkdir(parents=True, exist_ok=True)
    paragraphs = pool_size(max(sizes))
    paths = {size: cache_path(cache, size, seed, paragraphs) for size in sizes}
    missing = sorted(size for size, path in paths.items() if not path.exists())
    if not missing:
        return paths, None
    partial = {size: paths[size].with_suffix(".partial") for size in missing}
    for path in partial.values():
        for leftover in cache.glob(path.name + "*"):
            leftover.unlink()
    largest = missing[-1]
    built = build(partial[largest], largest, seed, snapshots={size: partial[size] for size in missing[:-1]},
                  pool=make_pool(seed, paragraphs))
    for size in missing:
        partial[size].rename(paths[size])
    return paths, built


def copy(source: Path, target: Path) -> Path:
    """A copy to measure on, so the cached archive stays as built."""
    shutil.copyfile(source, target)
    return target
