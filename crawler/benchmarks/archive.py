"""A generated archive of realistic size for the search, export and near-duplicate benchmarks."""

from __future__ import annotations

import random
from pathlib import Path

from storage import Archive, Article, Page

# Police vocabulary with rough frequencies: common words appear in many articles, rare ones in few.
COMMON = ["民警", "公安", "群众", "报警", "案件", "嫌疑人", "调查", "工作", "安全", "开展"]
RARE = ["追逃", "诈骗", "禁毒", "酒驾", "走失", "盗窃", "反诈", "涉黑", "传销", "火灾", "溺水", "扒窃"]
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


def build(path: Path, articles: int, seed: int = 7, batch: int = 2000) -> Archive:
    """An archive of `articles` generated articles across the five portals (written in batches)."""
    rng = random.Random(seed)
    archive = Archive.open(path)
    portals = ["zjol", "dazhong", "cnnb", "cnnb_epaper", "gat_zj"]
    for start in range(0, articles, batch):
        pages = []
        for n in range(start, min(start + batch, articles)):
            title, text = _article(rng, n)
            day = f"20{10 + n % 16:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            pages.append(Page(f"http://bench.police.test/{n}.shtml", portals[n % 5], f"{day}T00:00:00+00:00",
                              outcome="article", article=Article(title, day, "公安局", None, text)))
        archive.write_batch(pages)
    return archive
