"""Build the labelled extraction set: pages in the portals' real templates and encodings, truth by construction.

Each article's body is composed here, so the truth (title, time, source, author, body paragraphs, and the
chrome strings that must not leak) is known exactly; the page around it is the site's real chrome.
Run `python benchmarks/labelled/make_pages.py` to rewrite pages/ and truth.jsonl.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
PAGES = HERE / "pages"

CITIES = ["杭州", "宁波", "温州", "绍兴", "湖州", "嘉兴", "金华", "衢州", "舟山", "台州", "丽水", "济南", "青岛", "德州", "烟台"]
POLICE = ["市公安局", "公安分局", "交警支队", "派出所", "刑侦大队", "反诈中心", "禁毒支队", "经侦支队"]
CASES = [
    ("电信网络诈骗", "冒充客服以退款为由诱导受害人转账", "涉案资金{n}万元"),
    ("入室盗窃", "趁夜色翻窗进入居民家中盗取现金和首饰", "涉案价值{n}万余元"),
    ("酒驾醉驾", "在夜查行动中被当场查获", "共查处违法行为{n}起"),
    ("网络赌博", "利用境外网站招揽参赌人员", "流水金额{n}余万元"),
    ("非法集资", "以高额回报为诱饵吸收公众存款", "涉案金额{n}余万元"),
    ("贩卖毒品", "通过网络联系买家并以快递方式交易", "缴获毒品{n}余克"),
    ("网上追逃", "潜逃多年后在外省落脚", "追回在逃人员{n}名"),
    ("养老诈骗", "以保健品推销为名骗取老人钱财", "挽回损失{n}万元"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = ["晓峰", "超", "明", "丽", "建国", "海燕", "志强", "静", "伟", "佳", "琼", "凯", "雪", "浩", "颖", "涛", "磊", "敏"]


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    lead: str
    reporter: str
    correspondent: str
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    headings: list[int] = field(default_factory=list)  # indexes of paragraphs that are headings

    def date(self, sep: str = "-") -> str:
        return f"{self.year}{sep}{self.month:02d}{sep}{self.day:02d}"

    def time(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}"

    def iso(self, with_seconds: bool = True) -> str:
        seconds = self.second if with_seconds else 0
        return f"{self.date()}T{self.hour:02d}:{self.minute:02d}:{seconds:02d}+08:00"


def story(seed: int, year: int, long: bool = False, short: bool = False, headings: bool = False,
          mention_404: bool = False) -> Story:
    rng = random.Random(seed)
    city, unit = rng.choice(CITIES), rng.choice(POLICE)
    crime, how, result = rng.choice(CASES)
    n = rng.randint(12, 980)
    reporter, correspondent = name(rng), name(rng)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    title = f"{city}{unit}破获一起{crime}案 {result.format(n=n)}" if rng.random() < 0.6 else \
        f"{city}警方侦破{crime}案件 抓获犯罪嫌疑人{rng.randint(2, 30)}名"
    lead = (f"近日，{city}{unit}成功侦破一起{crime}案件，抓获犯罪嫌疑人{rng.randint(2, 30)}名，"
            f"{result.format(n=n)}。")
    body = [
        f"{month}月{day}日，记者从{city}{unit}获悉，经过连续{rng.randint(2, 9)}个月的缜密侦查，警方成功打掉一个{crime}团伙。"
        f"据介绍，该团伙成员分工明确，{how}，作案手段隐蔽。",
        f"今年{rng.randint(1, 6)}月，{city}市民{name(rng)[0]}先生向警方报案称，自己{how.split('以')[0]}后被骗，"
        f"损失{rng.randint(2, 90)}万元。接报后，{unit}立即抽调精干警力成立专案组开展侦查。",
        f"专案组民警通过资金流向分析、视频追踪等手段，逐步摸清了团伙的组织架构和活动规律。"
        f"{rng.randint(1, 28)}日凌晨，警方在{rng.choice(CITIES)}、{rng.choice(CITIES)}等地同步收网。",
        f"目前，犯罪嫌疑人已被依法采取刑事强制措施，案件正在进一步侦办中。",
        f"警方提醒广大市民，要提高防范意识，不轻信陌生来电，不点击不明链接，如遇可疑情况请及时拨打110报警。",
    ]
    if long:
        body[3:3] = [
            f"据办案民警介绍，该团伙自{year - 1}年以来在多个省份流窜作案，涉及受害群众{rng.randint(50, 900)}余人。"
            f"为逃避打击，团伙成员频繁更换手机号码和银行账户，并利用虚拟货币转移资金。" * 2
            for _ in range(6)
        ]
    if short:
        body = body[:1] + [body[-1]]
    heads = []
    if headings:
        body = ["一、案件基本情况"] + body[:2] + ["二、侦查经过"] + body[2:4] + ["三、警方提醒"] + body[4:]
        heads = [0, 3, 6]
    if mention_404:
        body.insert(2, "民警介绍，诈骗分子搭建的虚假网站在被举报后会显示“404 Not Found”或“页面不存在”，"
                       "以此躲避监管，随后又换用新的域名继续行骗。")
    return Story(title, body, lead, reporter, correspondent, year, month, day, rng.randint(7, 22),
                 rng.randint(0, 59), rng.randint(0, 59), heads)


def related(rng: random.Random, n: int = 5) -> list[tuple[str, str]]:
    return [(f"{rng.choice(CITIES)}警方开展{rng.choice(CASES)[0]}专项整治行动",
             f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}") for _ in range(n)]


def paragraphs_html(s: Story, indent: str = "　　") -> str:
    return "".join(f"<p><strong>{p}</strong></p>" if i in s.headings else f"<p>{indent}{p}</p>"
                   for i, p in enumerate(s.paragraphs))


# Templates: each returns (html, truth fields beyond the body, must_not_contain) ---------------------------


def zjol_trs(s: Story, rng: random.Random):
    rel = related(rng)
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{s.title}_平安浙江网</title>
<meta name="keywords" content="平安浙江"><script>var pubtime="2030-01-01 00:00:00";</script></head><body>
<div class="topBar">浙江在线首页 | 天目新闻 | 客户端下载</div><div class="mainNav"><a href="/">首页</a> <a href="/zjnews/">新闻</a> <a href="/pazj/">平安浙江</a></div>
<div class="position w1200">您当前的位置 :<a href="/">浙江在线</a> &gt; <a href="/zjnews/">新闻中心</a> &gt; 平安浙江</div>
<div class="main w1200"><div class="left"><div class="contTit"><h1>{s.title}</h1></div>
<div class="artInfo"><span class="date">{s.year}年{s.month:02d}月{s.day:02d}日{s.hour:02d}时</span> <span>来源: 浙江在线</span> <span>作者: 记者 {s.reporter} 通讯员 {s.correspondent}</span> <span class="fontSet"><a>放大</a> <a>缩小</a> <a>默认</a></span></div>
<div class="contTxt" id="zoom"><div class="TRS_Editor">{paragraphs_html(s)}</div></div>
<p class="editor">(初审编辑:{name(rng)} 责任编辑:{name(rng)})</p>
<div class="relatedNews"><h3>相关稿件</h3><ul>{"".join(f'<li><a href="/x{i}.shtml">{t}</a><span>{d}</span></li>' for i, (t, d) in enumerate(rel))}</ul></div>
<div class="commentBox"><div class="commentTip">请您文明上网、理性发言并遵守相关规定，在注册后发表评论。</div><a>我要注册</a></div></div>
<div class="right"><div class="sideBox"><h3>平安时评 更多...</h3><ul><li><a href="/p1.shtml">守护“夜经济”，既要烟火气也要安全感</a></li></ul></div></div></div>
<div class="footer"><p>浙江在线版权所有 Copyright © 1999-2026 浙ICP备05035939号</p></div></body></html>"""
    truth = {"published": f"{s.date()}T{s.hour:02d}:00:00+08:00", "source": "浙江在线",
             "author": f"{s.reporter} {s.correspondent}"}
    return html, "utf-8", truth, ["您当前的位置", "相关稿件", rel[0][0], "请您文明上网", "浙ICP备", "初审编辑", "放大", "平安时评"]


def zjol_2011(s: Story, rng: random.Random):
    rel = related(rng, 4)
    stray = '<div style="display:none">404 Not Found<hr>ZJOL/1.22.95</div>' if rng.random() < 0.5 else ""
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>{s.title}-浙江新闻-浙江在线</title></head>
<body><table width="950"><tr><td><a href="/">首页</a> | <a href="/zjnews/">浙江新闻</a> | <a href="/gnxw/">国内新闻</a> | 平安浙江</td></tr></table>
<table width="950"><tr><td class="weizhi">您当前的位置 :<a href="/">浙江在线</a> &gt; 浙江新闻 &gt; 平安浙江</td></tr></table>
<table width="950"><tr><td width="640" valign="top">
<h1 class="title">{s.title}</h1><div class="info">{s.year}年{s.month:02d}月{s.day:02d}日 {s.time()} 来源：浙江在线 作者：记者 {s.reporter}</div>
<div id="article_body">{paragraphs_html(s)}</div>{stray}
<div class="xiangguan"><div class="xg_tit">相关新闻</div>{"".join(f'<a href="/r{i}.shtml">{t}</a> ({d})<br>' for i, (t, d) in enumerate(rel))}</div>
<div class="pinglun">网友评论 <a href="#">发表评论</a></div></td><td width="300" valign="top"><div class="r_tit">热点新闻排行</div></td></tr></table>
<div align="center">浙江在线新闻网站版权所有 浙ICP备05035939号</div></body></html>"""
    truth = {"published": s.iso(), "source": "浙江在线", "author": s.reporter}
    return html, "gb18030", truth, ["您当前的位置", "相关新闻", rel[0][0], "版权所有", "404 Not Found", "ZJOL/1.22.95", "发表评论"]


def dazhong(s: Story, rng: random.Random):
    rel = related(rng)
    html = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" /><title>{s.title}-大众网</title></head><body>
<div class="topnav"><a href="http://www.dzwww.com/">大众网首页</a> 新闻 山东 国内 国际 财经 体育 娱乐 大众论坛</div>
<div class="weizhi"><a href="/">大众网</a> &gt;&gt; <a href="/sdnews/">山东新闻</a> &gt;&gt; 正文</div>
<div class="layout"><div class="layout_left"><div id="news-head"><h2>{s.title}</h2>
<div class="edit">{s.date()} {s.time()}  来源: 大众网  作者: </div></div>
<div class="news-con" id="news-con"><div class="TRS_Editor">{paragraphs_html(s)}</div></div>
<div class="fenxiang">分享到：新浪微博 腾讯微博 QQ空间</div><div class="edit">[责任编辑：{name(rng)}]</div>
<div class="xgxw"><h3>相关新闻</h3><ul>{"".join(f'<li><a href="/x{i}.htm">{t}</a> {d}</li>' for i, (t, d) in enumerate(rel))}</ul></div>
<div class="pl">网友评论 请您文明上网、理性发言</div></div><div class="layout_right"><div class="r_box">热点排行</div></div></div>
<div id="footer">大众网版权所有 未经书面授权禁止使用 鲁ICP备09012531号 违法和不良信息举报电话：0531-85193202</div></body></html>"""
    truth = {"published": s.iso(), "source": "大众网", "author": None}
    return html, "gb18030", truth, ["相关新闻", rel[1][0], "责任编辑", "分享到", "鲁ICP备", "请您文明上网", "正文"]


def cnnb(s: Story, rng: random.Random):
    rel = related(rng)
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{s.title}_中国宁波网</title></head><body>
<div class="cnnb_top"><a href="http://www.cnnb.com.cn/">中国宁波网</a> 首页 新闻 宁波 法治 视频</div>
<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/nbnews/">宁波新闻</a> &gt; 法治</div>
<div class="box"><div class="main_left"><h1>{s.title}</h1>
<div class="main_info">{s.date()} {s.time()} 稿源: 中国宁波网 作者: 记者 {s.reporter} 通讯员 {s.correspondent}</div>
<div class="main_content" id="Zoom"><p class="summary">{s.lead}</p>{"<p>" + s.lead + "</p>" if rng.random() < 0.5 else ""}{paragraphs_html(s)}</div>
<div class="main_editor">编辑：{name(rng)}</div>
<div class="relate_news"><h3>相关阅读</h3>{"".join(f'<p><a href="/r{i}.shtml">{t}</a></p>' for i, (t, _) in enumerate(rel))}</div></div>
<div class="main_right">热门文章</div></div>
<div class="cnnb_footer">中国宁波网版权所有 未经授权禁止复制 浙ICP备05007462号</div></body></html>"""
    truth = {"published": s.iso(), "source": "中国宁波网", "author": f"{s.reporter} {s.correspondent}",
             "lead": s.lead}
    return html, "utf-8", truth, ["当前位置", "相关阅读", rel[2][0], "浙ICP备", "编辑："]


def epaper(s: Story, rng: random.Random, second: Story | None = None):
    nav = "".join(f'<tr><td><a href="content_{1267200 + i}.htm">{t}</a></td></tr>' for i, (t, _) in enumerate(related(rng, 3)))
    other = ""
    if second:
        other = f"""<hr class="split" /><table><tr><td><founder-title>{second.title}</founder-title></td></tr>
<tr><td><founder-author>记者 {second.reporter}</founder-author></td></tr><tr><td><div id="ozoom">{paragraphs_html(second)}</div></td></tr></table>"""
    body = paragraphs_html(s).replace(s.paragraphs[-1], s.paragraphs[-1] + "（下转A15版）", 1)
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>宁波日报数字报-第A03版:要闻</title></head><body>
<table class="masthead"><tr><td><img src="logo.gif" alt="宁波日报"></td><td class="default">{s.year}年{s.month:02d}月{s.day:02d}日 星期五</td><td>宁波日报 | 宁波晚报 | 东南商报</td></tr></table>
<table><tr><td valign="top"><table class="daohang"><tr><td class="banmian"><a href="node_4.htm">第A03版:要闻</a></td></tr>
<tr><td><a href="node_3.htm">上一版</a> <a href="node_5.htm">下一版</a></td></tr><tr><td class="title2">标题导航</td></tr>{nav}</table></td>
<td valign="top"><table><tr><td><a href="#">上一篇</a> <a href="#">下一篇</a> <a href="node_4.htm">返回目录</a></td></tr></table>
<table><tr><td class="font01"><founder-title>{s.title}</founder-title></td></tr><tr><td><founder-author>记者 {s.reporter} 通讯员 {s.correspondent}</founder-author></td></tr>
<tr><td><div id="ozoom"><founder-content>{body}</founder-content></div></td></tr></table>{other}</td></tr></table>
<table class="foot"><tr><td>宁波日报报业集团 版权所有 未经授权不得转载 浙ICP备06004040号</td></tr></table></body></html>"""
    truth = {"published": s.date(), "source": "宁波日报", "author": f"{s.reporter} {s.correspondent}"}
    lacks = ["上一版", "下一版", "标题导航", "上一篇", "返回目录", "第A03版", "宁波日报报业集团", "下转A15版"]
    if second:
        lacks.append(second.paragraphs[1])
    return html, "utf-8", truth, lacks


def gat(s: Story, rng: random.Random, traditional: bool = False):
    source = "象山公安" if traditional else "省公安厅"
    label = "來源" if traditional else "来源"
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{s.title}</title>
<meta name="PubDate" content="{s.date()} {s.hour:02d}:{s.minute:02d}"><meta name="ContentSource" content="{source}"></head><body>
<div class="header"><a href="/">浙江省公安厅</a> 首页 警务资讯 政务公开 办事服务 互动交流</div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1229488108/index.html">警务资讯</a></div>
<div class="article"><div class="title"><h1>{s.title}</h1></div>
<div class="info">发布日期：{s.date()}  {label}：{source}  浏览次数：<span id="hits">1024</span>  字号：[大 中 小]</div>
<div id="zoom">{paragraphs_html(s)}</div>
<div class="print"><a>【打印本页】</a> <a>【关闭窗口】</a></div></div>
<div class="footer"><p>主办单位：浙江省公安厅 网站标识码：3300000042 浙ICP备05003617号 浙公网安备 33010602009999号</p></div></body></html>"""
    truth = {"published": f"{s.date()}T{s.hour:02d}:{s.minute:02d}:00+08:00", "source": source, "author": None}
    return html, "utf-8", truth, ["当前位置", "发布日期", "浏览次数", "打印本页", "浙ICP备", "主办单位"]


def wechat(s: Story, rng: random.Random):
    account = rng.choice(["平安宁波", "杭州公安", "浙江公安", "温州警方"])
    ct = 1660545600 + rng.randint(0, 10_000_000)
    from datetime import datetime, timedelta, timezone

    moment = datetime.fromtimestamp(ct, timezone(timedelta(hours=8)))
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{s.title}</title>
<meta property="og:title" content="{s.title}"><meta name="author" content="{account}"></head><body>
<div class="rich_media"><h1 class="rich_media_title" id="activity-name">{s.title}</h1>
<div class="rich_media_meta_list"><span class="rich_media_meta rich_media_meta_text">{account}</span>
<a id="js_name">{account}</a><em id="publish_time"></em></div>
<div class="rich_media_content" id="js_content"><section>{"".join(f"<p><span>{p}</span></p>" for p in s.paragraphs)}</section>
<p><img data-src="https://mmbiz.qpic.cn/x.png"></p><p>图片1.png</p></div>
<div class="rich_media_tool">阅读 10万+ 在看 分享 留言</div><div id="js_pc_qr_code">微信扫一扫 关注该公众号</div></div>
<script>var ct = "{ct}"; var nickname = "{account}"; var publish_time = "2020-01-01";</script></body></html>"""
    truth = {"published": moment.isoformat(), "source": account, "author": None}
    return html, "utf-8", truth, ["微信扫一扫", "阅读 10万+", "图片1.png", "关注该公众号"]


def city_police(s: Story, rng: random.Random):
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>{s.title}--{rng.choice(CITIES)}市公安局</title></head><body>
<div id="top">{rng.choice(CITIES)}市公安局 首页 | 警务公开 | 网上办事 | 警民互动</div>
<div class="location">您现在的位置：首页 &gt; 警务动态</div>
<div class="art"><h1>{s.title}</h1><div class="source">时间:{s.date()} 来源:{rng.choice(POLICE)} 作者:{s.reporter} 点击数:233</div>
<div class="art_con">{paragraphs_html(s)}</div></div>
<div class="share">分享到：</div><div class="links">友情链接： <a href="http://www.mps.gov.cn/">公安部</a> <a href="http://www.zj.gov.cn/">浙江省人民政府</a></div>
<div id="footer">版权所有：{rng.choice(CITIES)}市公安局 备案号：浙ICP备12004325号</div></body></html>"""
    source = html.split("来源:")[1].split(" ")[0]
    truth = {"published": s.date(), "source": source, "author": s.reporter}
    return html, "gb18030", truth, ["您现在的位置", "点击数", "友情链接", "备案号", "分享到"]


def police_news(s: Story, rng: random.Random):
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{s.title}-中国警察网</title>
<meta name="publishdate" content="{s.date()} {s.time()}"></head><body>
<div class="nav">中国警察网 首页 要闻 警务 法治 反诈 视频</div>
<div class="crumb">首页 &gt; 警务 &gt; 正文</div><div class="article"><h1>{s.title}</h1>
<div class="meta">{s.date()} {s.time()} 来源：人民公安报 作者：{s.reporter}</div>
<div class="article-content">{paragraphs_html(s)}</div>
<div class="editor">责任编辑：{name(rng)}</div></div>
<div class="recommend"><h3>推荐阅读</h3>{"".join(f'<a href="/r{i}.html">{t}</a>' for i, (t, _) in enumerate(related(rng, 4)))}</div>
<div class="footer">Copyright © 中国警察网 版权所有 京ICP备10014011号</div></body></html>"""
    truth = {"published": s.iso(), "source": "人民公安报", "author": s.reporter}
    return html, "utf-8", truth, ["推荐阅读", "责任编辑", "京ICP备", "首页 > 警务"]


# Negative pages --------------------------------------------------------------------------------------------

NEGATIVES = [
    ("nginx404", 404, "not_found", "utf-8", "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
    ("iis404", 404, "not_found", "gb18030", '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>无法找到该页</title></head><body><h1>无法找到该页</h1><p>您正在搜索的页面可能已经删除、更名或暂时不可用。</p><hr><p>HTTP 错误 404 - 文件或目录未找到。<br>Internet 信息服务 (IIS)</p></body></html>'),
    ("zjol_soft404", 200, "not_found", "utf-8", '<html><head><meta charset="utf-8"><title>浙江在线</title></head><body><div class="topBar">浙江在线首页</div><div class="error"><p>对不起,您访问的页面不存在</p><a href="/">返回首页</a></div><div class="footer">浙江在线版权所有</div></body></html>'),
    ("dazhong_soft404", 200, "not_found", "gb18030", '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>页面不存在-大众网</title></head><body><div class="topnav">大众网首页 新闻 山东</div><p>您访问的页面不存在或已被删除！</p><p><a href="/">返回首页</a></p></body></html>'),
    ("gat_soft404", 200, "not_found", "utf-8", '<!DOCTYPE html><html><head><meta charset="utf-8"><title>浙江省公安厅</title></head><body><div class="header">浙江省公安厅 首页 警务资讯</div><div class="err"><img src="/images/404.png"><p>抱歉，页面未找到！</p><a href="/">返回首页</a></div><div class="footer">主办单位：浙江省公安厅</div></body></html>'),
    ("cnnb_soft404", 200, "not_found", "utf-8", '<html><head><meta charset="utf-8"><title>404 - 中国宁波网</title></head><body><div class="cnnb_top">中国宁波网</div><div>很抱歉，您要访问的页面不存在！<br>5秒后自动返回首页</div></body></html>'),
    ("jcms404", 404, "not_found", "utf-8", '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404错误页面</title></head><body><div class="header">浙江省公安厅</div><div class="main"><h2>404</h2><p>抱歉！您访问的页面不存在或已被删除</p><p><a href="/">返回网站首页</a></p></div></body></html>'),
    ("city_expired", 200, "not_found", "gb18030", '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"><title>提示信息</title></head><body><div id="top">宁波市公安局 首页 | 警务公开</div><table><tr><td>该页面已失效，信息可能已被撤回。</td></tr><tr><td><a href="javascript:history.back()">返回上一页</a> <a href="/">返回首页</a></td></tr></table></body></html>'),
    ("wechat_deleted", 200, "not_found", "utf-8", '<html><head><meta charset="utf-8"><title></title></head><body><div class="weui-msg"><h2 class="weui-msg__title">该内容已被发布者删除</h2><p>此内容因违规无法查看</p></div></body></html>'),
]


def empty_template(rng: random.Random) -> str:
    s = story(9999, 2024)
    html, *_ = zjol_trs(s, rng)
    start, end = html.index('<div class="TRS_Editor">') + len('<div class="TRS_Editor">'), html.index("</div></div>\n<p class=\"editor\"")
    return html[:start] + html[end:]


def list_page(kind: str, rng: random.Random) -> tuple[str, str]:
    items = [(f"{rng.choice(CITIES)}{rng.choice(POLICE)}开展{rng.choice(CASES)[0]}专项行动 抓获嫌疑人{rng.randint(2, 40)}名",
              f"20{rng.randint(14, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}") for _ in range(25)]
    if kind == "zjol":
        lis = "".join(f'<li class="listLi"><a href="/zjnews/202608/t202608{i:02d}_3183{i:04d}.shtml">{t}</a><span>{d}</span></li>' for i, (t, d) in enumerate(items))
        return f'<html><head><meta charset="utf-8"><title>平安浙江_浙江在线</title></head><body><div class="position">您当前的位置 :浙江在线 &gt; 平安浙江</div><ul class="listUl">{lis}</ul><div class="page"><a href="index_1.shtml">下一页</a></div></body></html>', "utf-8"
    if kind == "dazhong":
        lis = "".join(f'<li><a href="./201409/t201409{i:02d}_1098{i:04d}.htm">{t}</a><span>{d}</span></li>' for i, (t, d) in enumerate(items))
        return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>山东新闻-大众网</title></head><body><div class="topnav">大众网首页</div><ul class="list">{lis}</ul><a href="index_1.htm">下一页</a> <a href="index_9.htm">尾页</a></body></html>', "gb18030"
    if kind == "gat":
        visible = "".join(f"<li><a href='/art/2024/1/{i + 1}/x.html'>{t}</a><span>{d}</span></li>"
                          for i, (t, d) in enumerate(items[:15]))
        records = "".join(f'<record><![CDATA[<li><a href="/art/2024/1/{i + 1}/art_1229488108_5909{i:04d}.html" title="{t}">{t}</a><span>{d}</span></li>]]></record>' for i, (t, d) in enumerate(items))
        return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>警务资讯 浙江省公安厅</title></head><body><div class="header">浙江省公安厅 首页 警务资讯</div><div id="div1229488108"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/jpage/dataproxy.jsp?page=1"></a>]]></nextgroup><recordset>{records}</recordset></datastore></script><ul class="list">{visible}</ul></div></body></html>', "utf-8"
    if kind == "epaper":
        lis = "".join(f'<tr><td><a href="content_{1267300 + i}.htm">{t}</a></td></tr>' for i, (t, _) in enumerate(items[:12]))
        return f'<html><head><meta charset="utf-8"><title>宁波日报数字报-第A02版:要闻</title></head><body><table><tr><td>2021年04月02日 星期五</td></tr><tr><td><a href="node_2.htm">上一版</a> <a href="node_4.htm">下一版</a></td></tr><tr><td class="title2">标题导航</td></tr>{lis}</table><img src="A02.jpg" usemap="#PagePicMap"><map name="PagePicMap">{"".join(f"<area href=content_{1267300 + i}.htm>" for i in range(12))}</map></body></html>', "utf-8"
    if kind == "search":
        lis = "".join(f'<div class="result"><h3><a href="/r{i}.html">{t}</a></h3><p>……{t[:8]}……</p><span>{d}</span></div>' for i, (t, d) in enumerate(items[:15]))
        return f'<html><head><meta charset="utf-8"><title>搜索结果 - 民警</title></head><body><form><input name="q" value="民警"></form><p>找到相关结果约1,234个</p>{lis}<div class="pages"><a>1</a><a>2</a><a>下一页</a></div></body></html>', "utf-8"
    lis = "".join(f'<li><a href="/tag/x{i}.html">{t}</a> <em>{d}</em></li>' for i, (t, d) in enumerate(items))
    return f'<html><head><meta charset="utf-8"><title>标签：反诈 - 中国警察网</title></head><body><div class="nav">中国警察网 首页</div><h2>标签：反诈</h2><ul>{lis}</ul></body></html>', "utf-8"


# Assembly --------------------------------------------------------------------------------------------------

ARTICLE_SPECS = [
    # (id prefix, template, url pattern, count, story options)
    ("zjol_trs", zjol_trs, "https://zjnews.zjol.com.cn/zjnews/{y}{m:02d}/t{y}{m:02d}{d:02d}_318{n:05d}.shtml", 8, {}),
    ("zjol_2011", zjol_2011, "http://zjnews.zjol.com.cn/05zjnews/system/{y}/{m:02d}/{d:02d}/0181{n:05d}.shtml", 5, {}),
    ("dazhong", dazhong, "http://sd.dzwww.com/sdnews/{y}{m:02d}/t{y}{m:02d}{d:02d}_109{n:05d}.htm", 7, {}),
    ("cnnb", cnnb, "http://news.cnnb.com.cn/system/{y}/{m:02d}/{d:02d}/0302{n:05d}.shtml", 6, {}),
    ("cnnb_epaper", epaper, "http://daily.cnnb.com.cn/nbrb/html/{y}-{m:02d}/{d:02d}/content_126{n:04d}.htm", 5, {}),
    ("gat_zj", gat, "https://gat.zj.gov.cn/art/{y}/{m}/{d}/art_1229488108_590{n:05d}.html", 5, {}),
    ("wechat", wechat, "https://mp.weixin.qq.com/s/Ab{n:06d}", 4, {}),
    ("city_police", city_police, "http://www.nbgaj.gov.cn/jwdt/{y}{m:02d}/t{y}{m:02d}{d:02d}_{n}.html", 3, {}),
    ("police_news", police_news, "http://www.cpd.com.cn/n{n}/c{y}{m:02d}{d:02d}/content.html", 3, {}),
]
PORTAL_OF = {"zjol_trs": "zjol", "zjol_2011": "zjol", "dazhong": "dazhong", "cnnb": "cnnb",
             "cnnb_epaper": "cnnb_epaper", "gat_zj": "gat_zj", "wechat": "wechat"}


def build() -> list[dict]:
    rng = random.Random(2026)
    rows = []
    PAGES.mkdir(exist_ok=True)
    for old in PAGES.glob("*.html"):
        old.unlink()

    def write(page_id: str, html: str, encoding: str, raw: bytes | None = None) -> str:
        path = PAGES / f"{page_id}.html"
        path.write_bytes(raw if raw is not None else html.encode(encoding))
        return f"pages/{page_id}.html"

    seed = 0
    for prefix, template, url_pattern, count, _ in ARTICLE_SPECS:
        for i in range(count):
            seed += 1
            year = {"zjol_2011": 2011 + i % 3, "dazhong": 2014 + i}.get(prefix, 2020 + (seed % 7))
            s = story(seed, year, long=(i == 1), short=(i == 2), headings=(i == 3), mention_404=(i == 4))
            args = (s, rng)
            if prefix == "cnnb_epaper" and i == 0:
                html, encoding, truth, lacks = epaper(s, rng, second=story(seed + 500, year))
            elif prefix == "gat_zj" and i == 4:
                s.paragraphs = [p.translate(str.maketrans("警侦查获诈骗报门围经过团伙现场号码账户转移资金进协调", "警偵查獲詐騙報門圍經過團夥現場號碼帳戶轉移資金進協調")) for p in s.paragraphs]
                s.title = s.title.translate(str.maketrans("警侦破获诈骗团伙", "警偵破獲詐騙團夥"))
                html, encoding, truth, lacks = gat(s, rng, traditional=True)
            else:
                html, encoding, truth, lacks = template(*args)
            url = url_pattern.format(y=s.year, m=s.month, d=s.day, n=seed * 37)
            page_id = f"{prefix}_{i + 1:02d}"
            raw = None
            charset = encoding
            if prefix == "dazhong" and i == 5:  # declares gb2312, bytes are UTF-8 (a re-saved copy)
                raw, charset = html.encode("utf-8"), "utf-8"
            if prefix == "city_police" and i == 2:  # declares nothing at all
                html = html.replace('<meta http-equiv="Content-Type" content="text/html; charset=gbk">', "")
            if prefix == "cnnb" and i == 4:  # declares utf-8, bytes are GB18030
                raw, charset = html.encode("gb18030"), "gb18030"
            body = [p for j, p in enumerate(s.paragraphs)]
            if "lead" in truth:
                lead = truth.pop("lead")
                body = [lead] + body
            lacks = [x for x in lacks if x in html]
            rows.append({"id": page_id, "file": write(page_id, html, encoding, raw), "url": url,
                         "portal": PORTAL_OF.get(prefix, "other"), "http_status": 200, "charset_bytes": charset,
                         "page_type": "article", "title": s.title, **truth, "body": "\n".join(body),
                         "must_not_contain": lacks})
    for page_id, status, page_type, encoding, html in NEGATIVES:
        rows.append({"id": page_id, "file": write(page_id, html, encoding), "url": f"http://example.gov.cn/{page_id}.html",
                     "portal": "other", "http_status": status, "charset_bytes": encoding, "page_type": page_type})
    rows.append({"id": "zjol_empty_template", "file": write("zjol_empty_template", empty_template(rng), "utf-8"),
                 "url": "https://zjnews.zjol.com.cn/zjnews/202608/t20260812_31849999.shtml", "portal": "zjol",
                 "http_status": 200, "charset_bytes": "utf-8", "page_type": "not_found"})
    for kind, url in [("zjol", "https://zjnews.zjol.com.cn/zjnews/pazj/index.shtml"),
                      ("dazhong", "http://sd.dzwww.com/sdnews/index.htm"),
                      ("gat", "https://gat.zj.gov.cn/col/col1229488108/index.html"),
                      ("epaper", "http://daily.cnnb.com.cn/nbrb/html/2021-04/02/node_3.htm"),
                      ("search", "http://www.cpd.com.cn/search?q=民警"),
                      ("tag", "http://www.cpd.com.cn/tag/fanzha.html")]:
        html, encoding = list_page(kind, rng)
        rows.append({"id": f"list_{kind}", "file": write(f"list_{kind}", html, encoding), "url": url,
                     "portal": {"gat": "gat_zj", "epaper": "cnnb_epaper"}.get(kind, kind if kind in ("zjol", "dazhong") else "other"),
                     "http_status": 200, "charset_bytes": encoding, "page_type": "not_article"})
    (HERE / "truth.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return rows


if __name__ == "__main__":
    built = build()
    kinds = {}
    for row in built:
        kinds[row["page_type"]] = kinds.get(row["page_type"], 0) + 1
    print(f"{len(built)} pages: {kinds}")
