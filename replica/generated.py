"""A generated portal of any size, for the benchmark: TRS-style pages in GB18030 with full site chrome.

Pages are made on request from their number (deterministic), so 2,000 or 100,000 articles cost no disk.
"""

from __future__ import annotations

import random
import re

from replica.server import Answer

HOST = "bench.police.test"
PER_LIST = 20
_PHRASES = (
    "民警迅速赶到现场", "经过连续多日的缜密侦查", "犯罪嫌疑人已被依法采取刑事强制措施", "警方提醒广大市民",
    "提高防范意识", "切勿轻信陌生来电", "电信网络诈骗案件", "涉案金额达", "公安机关依法打击", "交警部门",
    "开展专项整治行动", "查获酒驾醉驾违法行为", "禁毒宣传活动走进社区", "110接警中心接到群众报警",
    "派出所民警", "追逃工作取得阶段性成果", "将其抓获归案", "群众安全感满意度", "平安建设", "案件正在进一步侦办中",
    "据了解", "近日", "目前", "下一步", "记者从市公安局获悉", "守护群众生命财产安全", "反诈宣传", "破获案件",
)
_NAV = "首页 新闻 浙江 国内 国际 评论 财经 体育 娱乐 视频 图片 专题 法治 平安浙江 交通 教育 健康 旅游".split()


def _sentence(rng: random.Random) -> str:
    return "，".join(rng.choice(_PHRASES) for _ in range(rng.randint(3, 7))) + "。"


def _paragraphs(rng: random.Random) -> list[str]:
    return ["".join(_sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(6, 14))]


def article_path(n: int) -> str:
    return f"/zjnews/2026{1 + n % 12:02d}/t2026{1 + n % 12:02d}{1 + n % 28:02d}_{30000000 + n}.shtml"


def article_html(n: int) -> str:
    rng = random.Random(n)
    title = _sentence(rng)[:rng.randint(12, 28)].rstrip("，。")
    date = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:00"
    nav = "".join(f'<li><a href="/{i}/index.shtml">{name}</a></li>' for i, name in enumerate(_NAV * 4))
    related = "".join(
        f'<li><a href="{article_path(n + k)}">{_sentence(random.Random(n + k))[:20]}</a>'
        f"<span>2025-0{1 + k % 9}-1{k % 9}</span></li>" for k in range(1, 11)
    )
    body = "".join(f"<p>　　{p}</p>" for p in _paragraphs(rng))
    sidebar = "".join(
        f'<div class="side_box"><h3>{name}</h3><ul>'
        + "".join(f'<li><a href="{article_path(n * 7 + k)}">{_sentence(random.Random(n * 7 + k))[:16]}</a></li>'
                  for k in range(30))
        + "</ul></div>" for name in ("热点推荐", "图片新闻", "专题策划")
    )
    friends = "".join(f'<a href="http://www.site{k}.gov.cn/">友情链接单位{k}</a> ' for k in range(80))
    script = "<script>" + "var cfg={};" * 600 + "</script>"
    return f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>{title}_平安浙江网</title>
<meta name="keywords" content="平安浙江"><link rel="stylesheet" href="/css/main.css">
<script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
</head><body><div class="top"><ul class="nav">{nav}</ul></div>
<div class="position">您当前的位置 :<a href="/">浙江在线</a> &gt; <a href="/zjnews/">新闻中心</a> &gt; 平安浙江</div>
<div class="main"><div class="left"><h1 class="artTitle">{title}</h1>
<div class="artInfo">{date} 来源: 浙江在线 作者: 记者 王晓峰 通讯员 徐超 <span>放大 缩小 默认</span></div>
<div class="artCon"><div class="TRS_Editor">{body}</div></div>
<p class="editor">(初审编辑:张三 责任编辑:李四)</p>
<div class="related"><h3>相关稿件</h3><ul>{related}</ul></div>
<div class="comment">请您文明上网、理性发言并遵守相关规定，在注册后发表评论。 <a href="#">我要注册</a></div>
</div><div class="right"><h3>平安时评 更多...</h3><ul>{related}</ul>{sidebar}</div></div>{script}
<div class="friendlink">{friends}</div>
<div class="footer"><p>浙江在线版权所有 Copyright © 1999-2026 浙ICP备05035939号 浙公网安备 33010602010040号</p></div>
</body></html>"""


def list_html(page: int, pages: int) -> str:
    first = page * PER_LIST
    items = "".join(
        f'<li class="listLi"><a href="{article_path(n)}">第{n}号 {_sentence(random.Random(n))[:18]}</a>'
        f"<span>2026年{1 + n % 12:02d}月{1 + n % 28:02d}日10时</span></li>"
        for n in range(first, first + PER_LIST)
    )
    nxt = f'<a href="/zjnews/pazj/index_{page + 1}.shtml">下一页</a>' if page + 1 < pages else ""
    return f"""<html><head><meta charset="gb2312"><title>平安浙江_浙江在线</title></head><body>
<ul class="listUl">{items}</ul><div class="page">{nxt}</div></body></html>"""


class GeneratedPortal:
    """A dynamic site for ReplicaServer: `articles` articles behind list pages of PER_LIST links."""

    _ARTICLE = re.compile(r"^/zjnews/\d{6}/t\d{8}_(\d+)\.shtml$")
    _LIST = re.compile(r"^/zjnews/pazj/index(?:_(\d+))?\.shtml$")

    def __init__(self, articles: int):
        self.articles = articles
        self.pages = -(-articles // PER_LIST)

    def __call__(self, host: str, path: str) -> Answer | None:
        if host != HOST:
            return None
        headers = {"Content-Type": "text/html"}
        if path == "/robots.txt":
            return Answer(200, b"User-agent: *\nDisallow: /search/\n", {"Content-Type": "text/plain"})
        if match := self._LIST.match(path):
            page = int(match.group(1) or 0)
            if page < self.pages:
                return Answer(200, list_html(page, self.pages).encode("gb18030"), headers)
        if (match := self._ARTICLE.match(path)) and 0 <= (n := int(match.group(1)) - 30000000) < self.articles:
            return Answer(200, article_html(n).encode("gb18030"), headers)
        return Answer(404, b"<html><body><h1>404 Not Found</h1></body></html>", headers)

    def portal_toml(self) -> str:
        """The portals.toml entry that crawls this site: a new portal is configuration only."""
        return f"""[portals.bench]
title = "generated benchmark portal"
allowed_domains = ["{HOST}"]
start_urls = ["http://{HOST}/zjnews/pazj/index.shtml"]
next_page_texts = ["下一页"]
max_list_pages = {self.pages + 1}
article_patterns = ['/zjnews/\\d{{6}}/t\\d{{8}}_\\d+\\.shtml$']
charset = "gb18030"
"""


def article_html_of_run(n: int, run: int) -> str:
    """Article n as fetched in the portal's `run`-th visit: the same story, but a related-articles box that
    changes every time (as most portals' do), so its raw HTML never repeats."""
    fresh = f'<li><a href="{article_path(n + 100 + run)}">相关稿件 第{run}期</a><span>2026-11-{1 + run % 28:02d}</span></li>'
    return article_html(n).replace("<h3>相关稿件</h3><ul>", "<h3>相关稿件</h3><ul>" + fresh, 1)


class ChangingRelatedPortal(GeneratedPortal):
    """The generated portal whose articles never change, but whose related-articles box does: set `run` before
    each crawl. Its answers carry an ETag of their bytes, so a conditional GET never gets a 304 here."""

    def __init__(self, articles: int):
        super().__init__(articles)
        self.run = 0

    def __call__(self, host: str, path: str) -> Answer | None:
        if host == HOST and (match := self._ARTICLE.match(path)) and 0 <= (n := int(match.group(1)) - 30000000) < \
                self.articles:
            return Answer(200, article_html_of_run(n, self.run).encode("gb18030"), {"Content-Type": "text/html"})
        return super().__call__(host, path)
