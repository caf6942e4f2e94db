"""Near-duplicate groups: syndicated copies with small edits group together; different stories do not."""

import json
import random

from crawler.cli import main
from storage import Archive, Article, Page
from storage.neardup import groups, shingles, similarity, signature

STORY = ("近日，宁波市公安局海曙分局成功破获一起特大电信网络诈骗案，抓获犯罪嫌疑人12名，"
         "冻结涉案资金300余万元。据介绍，今年3月，市民王女士接到自称“客服”的电话，对方以退款为由，"
         "诱导其下载会议软件并共享屏幕，随后王女士银行卡内8万元被转走。接到报警后，海曙分局立即成立专案组，"
         "经过两个多月的缜密侦查，成功锁定了一个盘踞在外省的诈骗团伙。警方提醒广大市民，凡是自称客服要求"
         "共享屏幕、下载陌生软件的，都是诈骗。")


def edited(text: str, seed: int) -> str:
    """A syndicated copy: the same story, a few characters changed, a line of its own added."""
    rng = random.Random(seed)
    chars = list(text)
    for _ in range(4):
        chars[rng.randrange(len(chars))] = "，"
    return "".join(chars) + "（来源：中国宁波网）"


def other_story(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("交警查处酒驾醉驾违法行为民警开展夜查行动群众安全出行道路事故") for _ in range(300))


def page(i, portal, text, published):
    return Page(f"http://x.cn/{i}.htm", portal, "2026-11-22T00:00:00+00:00", outcome="article",
                article=Article(f"标题{i}", published, None, None, text))


def test_copies_group_together_with_the_earliest_publication(tmp_path):
    archive = Archive.open(tmp_path / "a.db")
    archive.write_batch([
        page(1, "cnnb", edited(STORY, 1), "2021-01-30T10:00:00+08:00"),
        page(2, "zjol", STORY, "2021-01-30T08:03:20+08:00"),
        page(3, "gat_zj", edited(STORY, 2), "2021-01-31"),
        *[page(10 + i, "dazhong", other_story(i), "2021-02-01") for i in range(5)],
    ])
    found = groups(archive.db)
    assert len(found) == 1
    group = found[0]
    assert group["size"] == 3
    assert group["earliest"] == "2021-01-30T08:03:20+08:00"
    assert (group["first_portal"], group["title"]) == ("zjol", "标题2")
    assert set(group["portals"]) == {"cnnb", "zjol", "gat_zj"}
    archive.close()


def test_similarity_estimates_are_high_for_copies_and_low_for_other_stories():
    assert similarity(signature(STORY), signature(edited(STORY, 3))) > 0.7
    assert similarity(signature(STORY), signature(other_story(1))) < 0.1
    assert shingles("") == set()


def test_duplicates_command_lists_groups_as_json(tmp_path, capsys):
    archive = Archive.open(tmp_path / "a.db")
    archive.write_batch([page(1, "cnnb", STORY, "2021-01-30"), page(2, "zjol", edited(STORY, 5), "2021-01-29")])
    archive.close()
    assert main(["duplicates", "--db", str(tmp_path / "a.db"), "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["size"] == 2 and line["earliest"] == "2021-01-29"


def _datasketch_signature(text: str):
    """The signature as datasketch makes it: what archives stored before neardup.signature was vectorised."""
    import numpy as np
    from datasketch import MinHash

    from storage.neardup import NUM_PERM, SEED

    m = MinHash(num_perm=NUM_PERM, seed=SEED)
    m.update_batch(list(shingles(text)))
    return m.hashvalues.astype(np.uint64)


def test_signatures_equal_datasketchs_value_for_value_on_the_labelled_pages():
    from crawler.evaluation.corpora import OWN_SET, own_pages

    texts = [p.body for p in own_pages(OWN_SET) if p.body]
    assert len(texts) > 20
    texts += [STORY, edited(STORY, 5), other_story(7), "", "短", "一二三四五", "一二三四五六", "abc de", "x" * 9000]
    for text in texts:
        assert (signature(text) == _datasketch_signature(text)).all(), text[:40]
        assert signature(text).dtype.name == "uint64"
