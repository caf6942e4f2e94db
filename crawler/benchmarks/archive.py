"""`python -m crawler bench archive`: the archive at 100,000 articles — adding, searching, exporting.

One generated archive, measured in one run: the cost of adding an article (with its full-text and
near-duplicate index entries) at the start and at the end, search against a LIKE scan, and the peak
memory of an export in a process of its own.
"""

from __future__ import annotations

import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler.tables import print_table
from storage import Archive, Article, Page
from storage.search import count, search

QUERIES = ("追逃", "诈骗", "民警", "派出所", "走失 OR 溺水")
REPEATS = 15

# Police vocabulary with rough frequencies: common words appear in many articles, rare ones in few.
COMMON = ["民警", "公安", "群众", "报警", "案件", "嫌疑人", "调查", "工作", "安全", "开展"]
RARE = ["追逃", "诈骗", "派出所", "禁毒", "酒驾", "走失", "盗窃", "反诈", "涉黑", "传销", "火灾", "溺水", "扒窃"]
_FILLER = "的一是在了和有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理世车"


def _article(rng: random.Random, n: int) -> tuple[str, str]:
    def sentence() -> str:
        words = [rng.choice(COMMON) if rng.random() < 0.3 else "".join(rng.choices(_FILLER, k=rng.randint(2, 4)))
                 for _ in range(rng.randint(6, 14))]
        if rng.random() < 0.02:
            words.insert(rng.randrange(len(words)), rng.choice(RARE))
        return "".join(words) + "。"

    paragraphs = ["".join(sentence() for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(3, 8))]
    return f"第{n}号通报：" + sentence()[:20], "\n".join(paragraphs)


def build(path: Path, articles: int, seed: int = 7, batch: int = 1000) -> tuple[Archive, list[float]]:
    """An archive of generated articles across the five portals; returns it and seconds per batch."""
    rng = random.Random(seed)
    archive = Archive.open(path)
    portals = ["zjol", "dazhong", "cnnb", "cnnb_epaper", "gat_zj"]
    seconds = []
    began_all = time.monotonic()
    for start in range(0, articles, batch):
        pages = []
        for n in range(start, min(start + batch, articles)):
            title, text = _article(rng, n)
            day = f"20{10 + n % 16:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            pages.append(Page(f"http://bench.police.test/{n}.shtml", portals[n % 5], f"{day}T00:00:00+00:00",
                              outcome="article", article=Article(title, day, "公安局", None, text)))
        began = time.perf_counter()
        archive.write_batch(pages)
        seconds.append((time.perf_counter() - began) / len(pages))
        done = min(start + batch, articles)
        if done % 10_000 == 0 and done < articles:
            elapsed = time.monotonic() - began_all
            left = elapsed / done * (articles - done)  # adding costs the same at any size: the pace holds
            print(f"  {done:,} of {articles:,} articles, {elapsed:.0f} s so far, about {left:.0f} s left", flush=True)
    return archive, seconds


def _median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _search_rows(archive: Archive) -> list[list]:
    db = archive.db
    rows = []
    for query in QUERIES:
        fts_ms = _median_ms(lambda q=query: search(db, q, limit=20))
        word = query.split()[0]
        like = "SELECT count(*) FROM articles WHERE title LIKE ? OR text LIKE ?"
        like_ms = _median_ms(lambda w=word: db.execute(like, [f"%{w}%", f"%{w}%"]).fetchall(), repeats=3)
        like_count = db.execute(like, [f"%{word}%", f"%{word}%"]).fetchone()[0] if " " not in query else "-"
        rows.append([query, count(db, query), like_count, f"{fts_ms:.1f}", f"{like_ms:.1f}",
                     f"{like_ms / fts_ms:.0f}×"])
    return rows


def _export_peak_mb(db: Path, out: Path) -> tuple[float, float]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "crawler", "export", "--format", "jsonl", "--out", str(out),
                    "--db", str(db)], check=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, time.perf_counter() - start


def main(articles: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "bench.db")
        print(f"building an archive of {articles} articles ...", flush=True)
        archive, seconds = build(path, articles)
        search_rows = _search_rows(archive)
        archive.close()
        peak_mb, export_s = _export_peak_mb(path, Path(tmp, "out.jsonl"))
    print_table(
        f"Adding an article (with its search and near-duplicate index entries), archive of {articles}",
        ["when", "ms per article"],
        [["first 1,000 articles", f"{1000 * seconds[0]:.2f}"],
         [f"last 1,000 (at {articles:,})", f"{1000 * seconds[-1]:.2f}"]],
    )
    print_table(
        f"Search: median of {REPEATS} runs, top 20 ranked, against a full LIKE '%…%' scan",
        ["query", "index matches", "LIKE matches", "search ms", "LIKE scan ms", "speed-up"],
        search_rows,
    )
    print(f"export of {articles} articles to jsonl: {export_s:.1f} s, peak memory {peak_mb:.0f} MB")
