"""Generated portals in the templates of three CMS families that Chinese police and news sites run on, for
testing `portal add` on sites it has never seen: a TRS WCM site, a Hanweb JCMS site and a Founder e-paper.

Each family keeps its real URL shapes (checked against public crawlers of such sites, see replica/README.md):
- TRS WCM: `/<channel>/index.html`, `index_1.html`, … and details `./202611/t20261130_123456.html`;
- Hanweb JCMS: `/col/col<column>/index.html` whose records sit as XML in a `<script type="text/xml">`
  datastore, details `/art/2026/11/30/art_<column>_<id>.html`, further groups from
  `/module/web/jpage/dataproxy.jsp?page=N&…` (served here as a plain page holding the next datastore);
- Founder e-paper: `/<paper>/index.htm` forwarding to `html/2026-11/30/node_1.htm`, one `node_N.htm` per
  printed page, articles `content_123456.htm`, PDF and image links beside them.
Everything else is drawn from the seed: class and id names, the chrome (menus, related links, footers full of
dates), sizes, charset, pagination style, where the source line sits. `articles` and `lists` say what a crawl
may fetch; `listed` the articles the channel lists (what an inferred entry must archive).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from replica.generated import _PHRASES, _sentence
from replica.server import Answer

FAMILIES = ("trs", "jcms", "epaper")
_SYLLABLES = "ka lo mi zu qe ri ta vo xe ny pa su de fo gu hi ji wa ce bo".split()
_SUFFIXES = ("", "_box", "-con", "Main", "2", "_wrap", "-inner", "Cont")
_MENU = "首页 警务动态 警情通报 通知公告 政务公开 办事服务 互动交流 专题专栏 反诈宣传 交通安全 禁毒工作 平安建设".split()
_SOURCES = ("市公安局", "县公安局", "人民公安报", "新华社", "本网", "市交警支队", "刑侦支队", "网安支队", "法治日报")
_NAMES = "王晓峰 徐超 李明 陈静 张伟 刘洋 赵磊 孙丽 周杰 吴敏".split()
_START = date(2026, 11, 30)
_NOT_FOUND = Answer(404, b"<html><body><h1>404 Not Found</h1></body></html>", {"Content-Type": "text/html"})


def _ident(rng: random.Random, used: set[str]) -> str:
    """A class or id name no template of ours uses, unique within one site."""
    while True:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) + rng.choice(_SUFFIXES)
        if name not in used:
            used.add(name)
            return name


@dataclass
class Story:
    """One article of a generated site."""

    number: int
    published: date
    title: str
    source: str
    author: str
    seed: str

    def paragraphs(self) -> list[str]:
        rng = random.Random(self.seed)
        return ["".join(_sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 10))]


@dataclass
class CmsSite:
    """One generated site: its host, start page, the pages it serves, and how it draws them."""

    family: str
    seed: int
    host: str = ""
    start_url: str = ""
    articles: dict[str, Story] = field(default_factory=dict)  # path -> story, every article the site serves
    listed: set[str] = field(default_factory=set)  # paths of the articles the channel lists
    lists: dict[str, str] = field(default_factory=dict)  # path (query included) -> its page
    names: dict[str, str] = field(default_factory=dict)  # role -> class/id name
    charset: str = "utf-8"

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.family}:{self.seed}")
        self.host = f"{self.family}{self.seed}.police.test"
        used: set[str] = set()
        self.names = {role: _ident(self.rng, used) for role in
                      ("nav", "list", "date", "pager", "title", "info", "source", "time", "body", "related",
                       "side", "footer", "crumb", "wrap", "share")}
        self.source_inline = self.rng.random() < 0.5  # 来源 in its own element, or inside the info line
        self.footer = self._footer()
        {"trs": self._build_trs, "jcms": self._build_jcms, "epaper": self._build_epaper}[self.family]()

    # Stories and chrome ------------------------------------------------------------------------------

    def _stories(self, count: int, first_number: int, per_day: tuple[int, int] = (1, 3)) -> list[Story]:
        stories, day, left = [], _START, self.rng.randint(*per_day)
        for k in range(count):
            if left == 0:
                day -= timedelta(days=self.rng.randint(1, 3))
                left = self.rng.randint(*per_day)
            left -= 1
            rng = random.Random(f"{self.family}:{self.seed}:{k}")
            title = "".join(rng.choice(_PHRASES) for _ in range(3))[:rng.randint(10, 26)]
            stories.append(Story(first_number + k * self.rng.randint(1, 40), day, title, rng.choice(_SOURCES),
                                 " ".join(rng.sample(_NAMES, rng.randint(1, 2))), f"{self.family}:{self.seed}:{k}"))
        return stories

    def _nav(self, channel: str) -> str:
        items = "".join(f'<li><a href="{channel(k)}">{name}</a></li>' for k, name in enumerate(_MENU))
        return f'<div class="{self.names["nav"]}"><ul>{items}</ul></div>'

    def _footer(self) -> str:
        rng = self.rng
        return (f'<div class="{self.names["footer"]}"><p>主办：某市公安局 承办：某市公安局宣传处 '
                f'网站标识码 {rng.randint(3300000000, 3399999999)}</p><p>Copyright © 2003-2026 版权所有 '
                f'浙ICP备{rng.randint(10000000, 99999999)}号 浙公网安备 {rng.randint(33010000000000, 33019999999999)}号</p>'
                f'<p>最后更新：2026年11月30日 建议使用1280×1024分辨率 发布日期：2026-11-{rng.randint(1, 29):02d}</p></div>')

    def _related(self, story: Story, others: list[tuple[str, Story]]) -> str:
        picks = random.Random(story.seed + ":rel").sample(others, min(len(others), 5))
        items = "".join(f'<li><a href="{p}">{s.title}</a><span>{s.published}</span></li>' for p, s in picks)
        return f'<div class="{self.names["related"]}"><h3>相关新闻</h3><ul>{items}</ul></div>'

    def _info(self, story: Story, moment: str) -> str:
        n = self.names
        source = (f'<span class="{n["source"]}">来源：{story.source}</span>' if self.source_inline
                  else f'<span class="{n["source"]}">信息来源：<em>{story.source}</em></span>')
        return (f'<div class="{n["info"]}"><span class="{n["time"]}">发布时间：{moment}</span> {source} '
                f'<span>作者：{story.author}</span> <span>【字体：大 中 小】</span> '
                f'<a href="javascript:window.print()">打印</a></div>')

    def _article(self, story: Story, nav: str, related: str, crumb: str) -> str:
        n, rng = self.names, random.Random(story.seed + ":page")
        moment = f"{story.published} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}"
        body = "".join(f"<p>　　{p}</p>" for p in story.paragraphs())
        inner = f'<div class="TRS_Editor">{body}</div>' if self.family == "trs" and self.seed % 2 else body
        heading = rng.choice(("h1", "h2", "div"))
        return (f'<!DOCTYPE html><html><head><meta charset="{self.charset}"><title>{story.title}_某市公安局</title>'
                f'<meta name="ArticleTitle" content="{story.title}"></head><body>{nav}'
                f'<div class="{n["crumb"]}">当前位置：<a href="/">首页</a> &gt; {crumb}</div>'
                f'<div id="{n["wrap"]}"><{heading} class="{n["title"]}">{story.title}</{heading}>'
                f'{self._info(story, moment)}'
                f'<div id="{n["body"]}">{inner}</div>'
                f'<div class="{n["share"]}">分享到：微信 微博 【关闭窗口】</div>{related}</div>{self.footer}</body></html>')

    def _page(self, title: str, nav: str, content: str) -> str:
        return (f'<!DOCTYPE html><html><head><meta charset="{self.charset}"><title>{title}</title></head><body>'
                f'{nav}<div id="{self.names["wrap"]}">{content}</div>{self.footer}</body></html>')

    # TRS WCM ------------------------------------------------------------------------------------------

    def _build_trs(self) -> None:
        rng = self.rng
        self.charset = rng.choice(("utf-8", "gb2312"))
        ext = rng.choice(("html", "shtml"))
        top, channel = rng.choice(("xwzx", "jwzx", "gaxw")), rng.choice(("jwdt", "gadt", "jqtb"))
        folder = f"/{top}/{channel}/"
        self.start_url = f"http://{self.host}{folder}index.{ext}"
        stories = self._stories(rng.randint(40, 90), rng.randint(100000, 900000))
        detail = lambda f, s: f"{f}{s.published:%Y%m}/t{s.published:%Y%m%d}_{s.number}.{ext}"  # noqa: E731
        for story in stories:
            self.articles[detail(folder, story)] = story
        self.listed = set(self.articles)
        pictures = self._stories(rng.randint(2, 4), 990000)  # another channel's articles in the sidebar
        picture_folder = f"/{top}/tpxw/"
        for story in pictures:
            self.articles[detail(picture_folder, story)] = story
        menu = ("sy", "jwdt", "jqtb", "tzgg", "zwgk", "bsfw", "hdjl", "ztzl", "fzxc", "jtaq", "jdgz", "pajs")
        nav = self._nav(lambda k: f"/{top}/{menu[k]}/index.{ext}")
        per_page = rng.randint(12, 25)
        pages = [stories[i:i + per_page] for i in range(0, len(stories), per_page)]
        style = rng.choice(("next", "numbers"))
        side = "".join(f'<li><a href="{detail(picture_folder, s)}">{s.title}</a></li>' for s in pictures)
        side = (f'<div class="{self.names["side"]}"><h3>图片新闻</h3><ul>{side}</ul>'
                f'<p><a href="/zt/{rng.choice(("qmfz", "pajs"))}/index.{ext}">全民反诈 守护平安专题</a></p></div>')
        for i, page in enumerate(pages):
            name = lambda k: f"index_{k}.{ext}" if k else f"index.{ext}"  # noqa: E731
            items = "".join(f'<li><a href="./{detail("", s)}" title="{s.title}">{s.title}</a>'
                            f'<span class="{self.names["date"]}">{s.published}</span></li>' for s in page)
            script = f'<script>createPageHTML({len(pages)}, {i}, "index", "{ext}");</script>'
            if style == "next":
                links = [f'<a href="{name(0)}">首页</a>'] if i else []
                links += [f'<a href="{name(i + 1)}">下一页</a>'] if i + 1 < len(pages) else []
                links += [f'<a href="{name(len(pages) - 1)}">尾页</a>'] if i + 1 < len(pages) else []
            else:
                links = [f'<a href="{name(k)}">{k + 1}</a>' if k != i else f"<span>{k + 1}</span>"
                         for k in range(len(pages))]
            pager = f'<div class="{self.names["pager"]}">{script}{" ".join(links)} 共{len(pages)}页</div>'
            content = f'<ul class="{self.names["list"]}">{items}</ul>{pager}{side}'
            self.lists[folder + name(i)] = self._page("警务动态_某市公安局", nav, content)
        others = list(self.articles.items())
        self._render = lambda path, story: self._article(  # noqa: E731
            story, nav, self._related(story, others), f'<a href="{folder}index.{ext}">警务动态</a>')

    # Hanweb JCMS ----------------------------------------------------------------------------------------

    def _build_jcms(self) -> None:
        rng = self.rng
        column, unit = rng.randint(1229000000, 1229999999), rng.randint(1000000, 9999999)
        self.start_url = f"http://{self.host}/col/col{column}/index.html"
        stories = self._stories(rng.randint(40, 100), rng.randint(58000000, 59000000))
        detail = lambda s: (f"/art/{s.published.year}/{s.published.month}/{s.published.day}"  # noqa: E731
                            f"/art_{column}_{s.number}.html")
        for story in stories:
            self.articles[detail(story)] = story
        self.listed = set(self.articles)
        group = rng.choice((15, 20, 45))
        groups = [stories[i:i + group] for i in range(0, len(stories), group)]
        proxy = (f"/module/web/jpage/dataproxy.jsp?page={{}}&appid=1&webid={rng.randint(1, 300)}&path=/"
                 f"&columnid={column}&unitid={unit}&permissiontype=0")
        nav = self._nav(lambda k: f"/col/col{column - 40 + k * 3}/index.html")
        date_class = self.names["date"]
        for i, records in enumerate(groups):
            nextgroup = (f'<nextgroup><![CDATA[<a href="{proxy.format(i + 2)}"></a>]]></nextgroup>'
                         if i + 1 < len(groups) else "<nextgroup><![CDATA[]]></nextgroup>")
            recordset = "".join(f'<record><![CDATA[\n<li><a href="{detail(s)}" title="{s.title}" target="_blank">'
                                f'{s.title}</a><span class="{date_class}">{s.published}</span></li>]]></record>'
                                for s in records)
            datastore = (f'<script type="text/xml"><datastore>{nextgroup}<recordset>{recordset}</recordset>'
                         f'</datastore></script>')
            content = (f'<div id="{unit}" class="{self.names["list"]}">{datastore}</div>'
                       f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
                       f'<script>var totalRecord = {len(stories)}; var perpage = {group};</script>')
            path = f"/col/col{column}/index.html" if i == 0 else proxy.format(i + 1)
            self.lists[path] = self._page("警务动态 某市公安局", nav, content)
        others = list(self.articles.items())
        self._render = lambda path, story: self._article(  # noqa: E731
            story, nav, self._related(story, others), f'<a href="/col/col{column}/index.html">警务动态</a>')

    # Founder e-paper -------------------------------------------------------------------------------------

    def _build_epaper(self) -> None:
        rng = self.rng
        paper = rng.choice(("jzrb", "fzb", "gab", "pab"))
        name = rng.choice(("警务周报", "法治时报", "平安导报", "公安日报"))
        self.start_url = f"http://{self.host}/{paper}/index.htm"
        first_node = rng.choice((1, 2))
        issues, day, number = [], _START, rng.randint(1200000, 1300000)
        for _ in range(rng.randint(2, 3)):
            pages = []
            for _page in range(rng.randint(3, 6)):
                count = rng.randint(2, 5)
                stories = self._stories(count, number)
                for story in stories:
                    story.published, story.source = day, name
                number += count * 41 + 7
                pages.append(stories)
            issues.append((day, pages))
            day -= timedelta(days=rng.randint(1, 2))
        folder = lambda d: f"/{paper}/html/{d:%Y-%m}/{d:%d}/"  # noqa: E731
        node = lambda k: f"node_{k + first_node}.htm"  # noqa: E731
        content = lambda s: f"content_{s.number}.htm"  # noqa: E731
        printed = lambda d, k: f"../../../page/1/{d:%Y-%m}/{d:%d}/A0{k + 1}/{d:%Y%m%d}A0{k + 1}"  # noqa: E731
        n = self.names
        for i, (day, pages) in enumerate(issues):
            earlier = (f'<a href="../../{issues[i + 1][0]:%Y-%m}/{issues[i + 1][0]:%d}/{node(0)}">上一期</a>'
                       if i + 1 < len(issues) else "")
            page_nav = "".join(f'<tr><td><a id="pageLink" href="{node(k)}">第A0{k + 1}版：{rng.choice(_MENU[1:])}</a>'
                               f'</td><td><a href="{printed(day, k)}_pdf.pdf">PDF</a></td></tr>'
                               for k in range(len(pages)))
            page_nav = f'<table class="{n["nav"]}"><tr><td>版面导航</td></tr>{page_nav}</table>'
            for k, stories in enumerate(pages):
                titles = "".join(f'<tr><td><a href="{content(s)}"><div style="display:inline">{s.title}</div></a>'
                                 f'</td></tr>' for s in stories)
                areas = "".join(f'<area shape="polygon" coords="1,{j},9,{j}" href="{content(s)}">'
                                for j, s in enumerate(stories))
                turn = (f'<a href="{node(k - 1)}">上一版</a> ' if k else "") + (
                    f'<a href="{node(k + 1)}">下一版</a>' if k + 1 < len(pages) else "")
                body = (f'<div class="{n["crumb"]}">{day:%Y年%m月%d日} 第A0{k + 1}版 {turn} {earlier} '
                        f'<a href="/{paper}/html/{day:%Y-%m}/period.xml">往期回顾</a></div>'
                        f'<img src="{printed(day, k)}_brp.jpg" usemap="#PagePicMap">'
                        f'<map name="PagePicMap">{areas}</map>{page_nav}'
                        f'<table class="{n["list"]}"><tr><td>标题导航</td></tr>{titles}</table>')
                self.lists[folder(day) + node(k)] = self._page(f"{name}数字报", "", body)
                for s in stories:
                    self.articles[folder(day) + content(s)] = s
            if i == 0:
                today = folder(day).removeprefix(f"/{paper}/") + node(0)
                forward = (f'<meta http-equiv="refresh" content="0; URL={today}">' if rng.random() < 0.5 else
                           f'<script>window.location.href = "{today}";</script>')
                self.lists[f"/{paper}/index.htm"] = (
                    f'<html><head><meta charset="utf-8"><title>{name}数字报</title>{forward}</head><body>'
                    f'<p><a href="{today}">进入今日{name}（{day:%Y年%m月%d日}）</a></p></body></html>')
        self.listed = set(self.articles)
        by_issue = {s.number: (d, pages) for d, pages in issues for stories in pages for s in stories}

        def render(path: str, story: Story) -> str:
            day, pages = by_issue[story.number]
            siblings = [(content(s), s) for stories in pages for s in stories if s is not story]
            author = f'<p class="{n["info"]}">本报记者 {story.author}</p>'
            body = "".join(f"<p>{p}</p>" for p in story.paragraphs())
            titles = "".join(f'<li><a href="{p}">{s.title}</a></li>' for p, s in siblings[:8])
            return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}数字报-{story.title}</title></head>'
                    f'<body><div class="{n["crumb"]}">{day:%Y年%m月%d日} <a href="{node(0)}">返回版面</a></div>'
                    f'<table id="{n["wrap"]}"><tr><td><h3 class="{n["title"]}">{story.title}</h3>{author}'
                    f'<div id="{n["body"]}">{body}</div></td></tr></table>'
                    f'<ul class="{n["related"]}">{titles}</ul>{self.footer}</body></html>')
        self._render = render

    # Serving ---------------------------------------------------------------------------------------------

    def __call__(self, host: str, path: str) -> Answer | None:
        if host != self.host:
            return None
        if urlsplit(path).path == "/robots.txt":
            return Answer(200, b"User-agent: *\nDisallow: /search/\n", {"Content-Type": "text/plain"})
        headers = {"Content-Type": "text/html"}
        encoding = "gb18030" if self.charset == "gb2312" else "utf-8"
        if path in self.lists:
            return Answer(200, self.lists[path].encode(encoding), headers)
        if path in self.articles:
            return Answer(200, self._render(path, self.articles[path]).encode(encoding), headers)
        return _NOT_FOUND

    def allowed(self, path: str) -> bool:
        """Whether a crawl of this site may ask for `path`: a list page, an article or robots.txt."""
        return path in self.lists or path in self.articles or urlsplit(path).path == "/robots.txt"


def sites(seeds: range | list[int]) -> list[CmsSite]:
    """One site per family and seed."""
    return [CmsSite(family, seed) for family in FAMILIES for seed in seeds]


