"""What Chinese news-portal chrome and error pages look like: data for the extraction rules, no logic.

Portal-specific selectors live in portals.toml; what is here holds across the CMSs these portals run
(TRS, JCMS, Founder e-paper, WeChat).
"""

from __future__ import annotations

import re

# Elements never part of an article, removed before any text is read.
# Not <form>: old ASP.NET pages wrap the whole page in one.
DROP_TAGS = ("script", "style", "noscript", "iframe", "button", "select", "textarea", "object",
             "embed", "svg", "canvas", "template")
# Class/id fragments of chrome containers (lower-case; matched inside class and id attributes).
CHROME_HINTS = (
    "breadcrumb", "crumb", "position", "location", "daohang", "navbar", "topnav", "menu",
    "footer", "copyright", "banquan", "related", "xgxw", "xgwz", "relate", "recommend", "tuijian",
    "comment", "pinglun", "share", "fenxiang", "print", "fontsize", "zihao", "editor_info",
    "sidebar", "side_", "right_", "friendlink", "youqing", "links", "pagenav", "toolbar", "keyword", "tags",
)
# Containers that hold the body in the CMSs these portals use, best first.
# Only CMS-specific names: generic ones (#content, article) too often hold sidebars on other sites.
BODY_SELECTORS = (
    "#js_content", ".rich_media_content", ".TRS_Editor", "#zoom", "#ozoom", ".artCon", ".art_con",
    ".article-content", ".article_content", "#artibody", ".contTxt", ".content_text",
)
# Headline elements: by class or id, then by tag. Every one is a candidate; the one the page's <title> repeats
# wins (see headline.py).
TITLE_CLASSES = frozenset(("rich_media_title", "artTitle", "art_title", "article-title", "title"))
TITLE_IDS = frozenset(("title", "activity-name"))
TITLE_TAGS = ("founder-title", "h1", "h2", "h3")

# Class/id fragments of image captions (lower-case), as one pattern: "caption", "pic_txt", "img-desc", "photodesc" …
CAPTION_HINTS = re.compile(r"caption|(?:pic|img|photo)[-_]?(?:txt|text|desc|title|intro)")
# What a caption says: where the picture is from, or what it shows ("图为民警在现场", "（记者 王磊 摄）", "视频截图").
CAPTION_TEXT = re.compile(
    r"^(?:图[为片中示：:]|圖[為片中示：:]|图\s*\d|資料圖|资料图|上图|下图|左图|右图|组图|▲|△|↑)|"
    r"(?:(?<!拍)摄|攝|供图|供圖|资料图片?|資料圖片?|视频截图|截图|视觉中国|图虫创意|IC\s*photo)(?:\s+\S{1,8})?\s*[)）]?$|"
    r"^[(（]?\s*(?:图片来源|圖片來源|图源|图片来自|图片由)"
)
CAPTION_CHARS = 60  # a caption is short; a longer text beside a picture is the story's
# A caption that says so whatever stands around it: a picture credit ("图片来源：…", "…供图 华龙网发", "视频截图").
CAPTION_LINE = re.compile(
    r"^[(（]?\s*(?:图片来源|圖片來源|图源|图片来自|图片均来自|图片由)|"
    r"(?:(?:记者|通讯员|[\s(（])\s*[\u4e00-\u9fff·]{2,4}\s*(?:摄|攝)|供图|供圖|资料图片?|資料圖片?|视频截图|视觉中国|图虫创意)"
    r"(?:\s+\S{1,8})?\s*[)）]?$"
)

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol table tr td th section article blockquote br pre dd dt dl center "
    "header footer aside nav figure figcaption hr".split()
)

_NOISE_LINES = [
    r"^(您|你)?(当前|现在)?(所在)?(的)?(所在)?位置\s*[:：]",
    r"^首页\s*[>›»]",
    r"^[(（]?\s*(初审编辑|责任编辑|編輯|编辑|责编|审核|校对|签发|终审|二审|一审)\s*[:：]",
    r"^(本文|文章|稿件|信息)?(来源|來源|稿源|作者|作\s*者|记者|通讯员|出处|发布时间|发布日期|时间|日期|浏览次数|点击数)(于)?\s*[:：]",
    # the story's other names and the paper's credits: "（原标题：…）", "原创：…", "编辑 刘晓阳 校对 李铭", "责编|陈梦莹"
    r"^[(（]?\s*原(?:标)?题(?:为)?\s*[:：]|^原创\s*[:：]",
    r"^(?:(?:[\u4e00-\u9fff]{2,6}记者|责任编辑|编辑|责编|校对|审核|审校|终审|监制|统筹|制作|美编|排版|策划|出品|主编|撰文|文案)"
    r"\s*[:：|｜/]?\s*(?:[\u4e00-\u9fff·]{2,4}(?:_[A-Z]+\d+)?(?:[\s、，,]+|$))+)+$|^来源\s*[|｜]",
    # a byline of names only: "记者 王晓峰 通讯员 徐超", "本报记者王晓峰"
    r"^(?:(?:(?:本报|本网)(?:见习)?(?:记者|記者|通讯员|通訊員)[\s:：]*|(?:见习)?(?:记者|記者|通讯员|通訊員|实习生|摄影)[\s:：]+)"
    r"(?:[\u4e00-\u9fff·]{2,4}(?:[\s、，,]+|$))+)+(?:报道|報道|摄|攝)?$",
    r"^(相关稿件|相关新闻|相关报道|相关链接|相关阅读|相关文章|特别策划|平安时评|延伸阅读|推荐阅读|热点推荐|热门文章|猜你喜欢|"
    r"其他报道|新闻排行|排行榜|图片精选|今\s*日\s*推\s*荐)",
    r"^(?:此前报道|前情回顾|点击进入专题|进入专题|专题)\s*[:：]",
    r"^[^>»›]{1,12}(?:\s*(?:>>|>|»|›)\s*[^>»›]{1,12}){2,}$",  # a breadcrumb without its label: "汽车 >> 车坛动态 >> 业界新闻"
    r"更多\s*\.{2,}$|更多>>$",
    r"^((放大|缩小|默认|打印|关闭|关闭窗口|打印本页|打印本稿|打印此文|分享到|收藏|收藏本页|推荐给朋友|字号|大|中|小|【|】|\[|\]|\s)+)$",
    r"^(上一版|下一版|上一篇|下一篇|上一页|下一页|标题导航|返回目录|本版导航|版面导航|往期回顾|返回页首|返回顶部)",
    r"^[←<«]?\s*返回\s*$",
    r"^(?:[^\s|｜]{1,6}\s*[|｜]\s*){3,}[^\s|｜]{0,6}\s*$",  # "关于我们 | 网站公告 | 联系方式 | …"
    r"^第\s*\d+\s*页\s*/\s*共\s*\d+\s*页",
    r"^\S+\.(png|jpe?g|gif|bmp|webp)$",
    r"^(Loading|加载中)\s*\.{0,3}$",
    r"^(404 Not Found|nginx(/[\d.]+)?|ZJOL/[\d.]+|Apache|IIS)$",
    r"^【纠错】|^【(责任)?编辑|^返回搜狐|^Notice: The content above",
    r"^扫一扫|^(用)?微信扫(码|一扫)|^分享至|^分享到|^手机看新闻|^关注我们",
    r"^(?:19|20)\d{2}-\d{2}-\d{2}\s+\d{2}:\d{2}(?::\d{2})?\s*[·・|]\s*\S{1,20}$",  # "2024-05-20 14:33·新华社"
    r"^\S{0,12}(?:版权与免责声明|版权声明|免责声明|著作权声明)\s*[:：]",  # "振兴东北网版权与免责声明： ① 凡本网…"
    r"^[·•\s]+$",  # the bullets of a list whose items were links
    # forum chrome: the greeting, the counters, the reply box
    r"^(?:游客|访客)[\s,，]*欢迎你|在线用户\s*[:：]\s*\d+|^您是本文第\s*\d+\s*个阅览者|^[|｜]?\s*(?:回复线索|主题已经关闭)",
    # a public account's boilerplate around its post (WeChat, 头条号, 百家号)
    r"^(?:点击|点)?上方.{0,8}(?:蓝字|关注|公众号)|长按.{0,8}二维码|^(?:扫码|扫描二维码|微信扫一扫).{0,6}关注|"
    r"点[个一下]*[“\"「]?在看|^(?:点击|点)(?:下方|左下角|文末|底部)?.{0,4}[“\"「]?阅读原文|扫描.{0,4}二维码|^(?:\d+\s*[、.])?\s*回复\s*[【\[「“\"].{1,12}[】\]」”\"]|^(?:阅读原文|写留言|在看|赞赏|知道了|喜欢此内容的人还喜欢|预览时标签不可点)$|"
    r"^[—\-－=\s]*(?:END|完|The\s*End)[—\-－=\s]*$|^(?:往期推荐|往期回顾|往期精选|推荐阅读)\s*[:：]?$",
    # a media player's controls and messages
    r"^(?:\d{1,2}:)?\d{1,2}:\d{2}\s*/\s*(?:\d{1,2}:)?\d{1,2}:\d{2}$|浏览器(?:暂时?)?(?:不支持|无法播放)|无法播放此视频|does not support (?:the )?(?:video|audio)|"
    r"^(?:视频|音频)?(?:加载中|正在加载)|^(?:播放|暂停|全屏|退出全屏|倍速|清晰度|静音|重播|正在播放|Play Video)(?:\s*[\d.]+\s*[xX×倍]?)?$",
]
NOISE_LINE = re.compile("|".join(f"(?:{p})" for p in _NOISE_LINES), re.IGNORECASE)
# Chrome that only counts as noise in a short line (a long paragraph may quote it).
# Footers run long (address, phone, licence numbers), so they count up to SHORT_LINE_CHARS.
SHORT_NOISE_LINE = re.compile(
    r"版权所有|Copyright|©|ICP备|ICP证|公网安备|备案号|免责声明|不代表本网|转载请注明|违法和不良信息|仅提供信息存储服务|only provides information storage|"
    # a notice below the story: the platform's disclaimer, the reprint terms, the app to download
    r"^(?:特别|版权|免责|郑重)?声明\s*[:：]|不代表本?(?:网|站|平台|刊|报)|未经.{0,8}授权.{0,6}(?:不得|禁止)|"
    r"^(?:下载|打开|安装).{0,10}(?:APP|客户端).{0,12}(?:阅读|查看|接收|获取|资讯|新闻)|更多(?:原创)?资讯请|"
    r"^(?:本文|文章|以上内容)?仅代表.{0,8}(?:个人)?观点|(?:转发|转载)请注明",
    re.IGNORECASE,
)
SHORT_LINE_CHARS = 160
# Comment prompts are short; a paragraph about "文明上网" is not one.
# "发表评论" is a prompt at a line's start or end, not in "没有立即发表评论，但…".
COMMENT_PROMPT = re.compile(
    r"请您?文明上网|理性发言|我要注册|^(我要)?发表评论|发表评论\s*[。.]?$|^网友评论|评论须知|参与评论|已有\d+人参与|^查看评论$"
)
COMMENT_PROMPT_CHARS = 80
# Fragments cut out of a line that is otherwise body text.
INLINE_NOISE = re.compile(
    r"[(（]\s*(下转|上接|转|接)\s*[A-Z]?\d+\s*版\s*[)）]|404 Not Found|ZJOL/\d+(?:\.\d+)+|"
    r"[(（]\s*(初审编辑|责任编辑|编辑)\s*[:：][^)）]*[)）]",
    re.IGNORECASE,
)
# An interviewer's question ("记者：你们的市场在哪？") starts like a byline but is body text: a sentence.
INTERVIEW_LINE = re.compile(
    r"^(?:本报|本网)?(?:记者|記者|主持人)\s*[:：](?!.*(?:通讯员|通訊員|来源|來源|编辑|摄影|实习生)).{4,}?[。？！?!]"
)
# The editor's sign-off that closes a story ("(责任编辑：王芳)", "来源：新闻晨报 编辑：山石"): what follows it is
# the page's, not the story's. The match takes in the source printed just before it.
SIGN_OFF = re.compile(
    r"(?:(?:(?:来源|來源|稿源)\s*[:：]\s*\S{1,20}\s*)?[(（【\[]?\s*(?:责任编辑|責任編輯|编辑|編輯|责编)\s*[:：]\s*"
    r"[\u4e00-\u9fffA-Za-z0-9·_]{1,20}\s*[)）】\]]?)\s*$"
)
# A forum poster's signature after their post ("…融会贯通。 ------------------------------ 我的博客 …"): the
# opening post is over and the replies follow. Only after text on the same line: a rule of dashes on a line of
# its own may separate two parts of a story.
SIGNATURE = re.compile(r"(?<=\S)\s+-{20,}(?:\s|$)")
# A forum thread's subject printed above the opening post ("主题： 你知道导游为什么…"); only above the story, where
# it is the headline again (a notice's "主题：" inside the story is body text).
TOPIC_LABEL = re.compile(r"^(?:主题|标题)\s*[:：]")
# The heading of the readers' comments below a story ("热门评论", "更多评论 共 4 条评论"): the story is over.
COMMENTS_HEADING = re.compile(r"^(?:查看|热门|最新|网友|全部|精彩|更多)评论(?:\s*共\s*\d+\s*条评论)?\s*[:：]?$")
# The heading of a box of other stories below the story ("延伸 · 推荐", "相关新闻"): what follows is not this story.
# The heading may come in brackets or behind a marker ("【相关阅读】", "▶ 推荐阅读").
BOX_HEADING = re.compile(r"^[\s【\[「『《<▶►▼■●◆◇★☆>·•|｜]*(?:延伸[\s·•|｜]*(?:阅读|推荐)|相关(?:新闻|报道|阅读|文章|链接|推荐)|推荐阅读|"
                         r"热点推荐|热门推荐|精彩推荐|为您推荐|猜你喜欢|大家都在看|往期(?:推荐|回顾|精选))"
                         r"\s*[:：]?[\s】\]」』》>]*$")
# An "info line": a date next to a source/author label.
INFO_LINE = re.compile(r"\d{4}\s*[-年/.]\s*\d{1,2}.{0,60}(来源|來源|稿源|作者|编辑|记者|浏览)")

# Error pages served with any status.
NOT_FOUND_TEXT = re.compile(
    r"404\s*Not\s*Found|页面不存在|页面未找到|访问的页面不存在|您访问的页面|已被删除|找不到(该|您要|此)?页面|"
    r"Page\s*Not\s*Found|文章不存在|信息不存在|内容不存在|页面已失效|无法找到该页|出错啦|HTTP\s*404|"
    r"已被发布者删除|因违规无法查看|内容已删除|页面(?:找不到|不见|走丢|丢失|飞走)了?|(?:网页|页面|文章|内容|信息)已经?被?(?:删除|撤下)|"
    r"找不到(?:该|您要|此|你要|您所|您要访问|您访问)的?(?:网页|页面|文章|内容)",
    re.IGNORECASE,
)

# Titles of pages that are never articles: search results, tag and column pages.
NON_ARTICLE_TITLE = re.compile(r"搜索结果|检索结果|^标签[:：]|栏目列表|频道首页")

# Labels before source and author values.
# The colon may be missing ("来源CSDN|"), but not before a verb ("来源于网络" is no source named).
SOURCE_LABEL = re.compile(
    r"(?:信息来源|来源|來源|稿源|出处|发布机构|發佈機構|发文机关|发布单位|来源单位)于?\s*[:：]\s*|(?:^|(?<=[\s|｜\d日）)\]】]))(?:来源|來源|稿源)(?![于自是的为])[ \t\u3000]*\n?[ \t\u3000]*(?=[A-Za-z\u4e00-\u9fff])",
    re.M)
AUTHOR_LABEL = re.compile(r"(?:作者|作\s+者)\s*[:：]\s*")
REPORTER_LABEL = re.compile(r"(?:本报|本网)?(?:记者|記者|通讯员|通訊員|实习生)\s*[:：]?\s*")
# A value that is really the next label: `作者: 来源:大众网` means no author.
LABEL_WORD = re.compile(
    r"^(来源|來源|稿源|作者|编辑|責任|责任|时间|日期|发布|浏览|点击|字号|记者|通讯员|放大|缩小|默认|打印|关闭|分享|收藏|"
    r"【|\[|$)"
)
VALUE_STOP = re.compile(r"[\s|｜/　,，;；]|(来源|來源|稿源|作者|编辑|时间|日期|发布|浏览|点击|字号)")

# A time after a date, on a 24- or 12-hour clock ("15:10", "下午3:20", "3:20 PM").
_TIME = (r"(?:\s*(?P<ampm>上午|下午|中午|晚上|凌晨|早上))?"
         r"(?:,?\s*(?P<H>[0-2]?\d)\s*[:：时]\s*(?:(?P<M>[0-5]\d)\s*(?:[:：分]\s*(?P<S>[0-5]\d))?)?"
         r"(?:\s*(?P<ampm2>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?)?")
DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/年.]\s*(?P<m>\d{1,2})\s*[-/月.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?" + _TIME
)
_MONTHS = r"(?<![A-Za-z])(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
# Other forms: English month names in either order, Taiwan's Minguo years (民國108年 = 2019), labelled two-digit
# years, numbers before the year.
OTHER_DATES = (
    re.compile(_MONTHS + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})" + _TIME, re.I),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s+" + _MONTHS + r",?\s+(?P<y>(?:19|20)\d{2})" + _TIME, re.I),
    re.compile(r"(?:民國|民国)\s*(?P<roc>\d{2,3})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日" + _TIME),
    # a two-digit year, only after a time label ("发布时间：18-03-08 23:16")
    re.compile(r"(?:发布时间|发表时间|发布日期|更新时间|时间|日期)\s*[:：]\s*(?P<yy>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{2}|\d(?!\d))" + _TIME),
    re.compile(r"(?<![\d/.])(?P<roc>1[01]\d)\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日|"
               r"/(?P<m2>\d{1,2})/(?P<d2>\d{1,2})(?![\d/.]))" + _TIME),
    # numbers before the year ("09/27/2019", "27-09-2019"), read when the order is sure: "3/6/2005" is the 3rd of
    # June as often as the 6th of March
    re.compile(r"(?<![\d/.-])(?P<n1>\d{1,2})([/-])(?P<n2>\d{1,2})\2(?P<y>(?:19|20)\d{2})(?![\d/.-])" + _TIME),
)
# A month and day without the year, with a time ("发布时间：10-08 12:00", "09月07日 15:10"): sites print the current
# year's posts so; the year comes from another reading of the same day.
YEARLESS_TIME = re.compile(r"(?<![\d/.-])(?P<m>[01]?\d)\s*[-/月]\s*(?P<d>[0-3]?\d)\s*日?\s+(?P<H>[0-2]?\d)[:：](?P<M>[0-5]\d)"
                           r"(?:[:：](?P<S>[0-5]\d))?(?![\d/.-])")
# A date in Chinese numerals, as official documents sign off ("二〇一九年九月七日"); read after its digits are written.
CN_NUMERAL_DATE = re.compile(r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日")
# A date alone on its line, Chinese numerals written as digits first (an official notice's sign-off under the
# signature: "2019年9月7日").
DATE_ALONE = re.compile(r"^\s*(?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?\s*$")
URL_DATES = (
    re.compile(r"/t(?P<y>20\d{2}|19\d{2})(?P<m>\d{2})(?P<d>\d{2})_"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})/(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)/"),
)
# Publication times that content-management systems leave in the page whatever the site
# (the Founder e-paper system's `<!--enpproperty <date>2022-02-13 00:00:00:0</date>`: the print edition's
# day; its time is always midnight, so only the day is taken).
CMS_DATES = (r"<!--enpproperty\s*<date>(?P<date>\d{4}-\d{1,2}-\d{1,2})",
             r'var ct = "(?P<epoch>\d{10})"')  # a WeChat post's publication time, seconds since 1970
# Elements whose text is the source in the CMSs and platforms many sites share (a WeChat account's name).
CMS_SOURCES = ("#js_name", ".rich_media_meta_nickname", ".account_nickname_inner", ".profile_nickname",
               ".wx_follow_nickname")
# A source a page keeps in its script's config object (`source: '补壹刀微信公号', // 来源`, `"media": "扬眼"`, a WeChat
# account's `var nickname = "平安浙江"`): the first such value in Chinese. The keys are found by a plain search
# first (a pattern tried at every byte of a large page costs more than the rest of the source readings).
SCRIPT_SOURCE_KEYS = ("source", "media", "nickname")
SCRIPT_SOURCE = re.compile(r"""(?:source|media|mediaName|media_name|sourceName|source_name|nickname)"""
                           r"""["']?\s*[:=]\s*(?:htmlDecode\()?["']([^"'<>\\\n]{2,30})["']""")
# <meta> names that carry the source (TRS's ContentSource, "source").
SOURCE_META = ("contentsource", "source", "article:source", "og:article:source")
# A Founder e-paper (or one like it): the paper is the source; its name is in the page's title
# ("宁波日报数字报-第A03版:要闻" → 宁波日报).
EPAPER_MARKUP = re.compile(r"<founder-|<!--enpcontent|<!--enpproperty", re.I)
EPAPER_URL = re.compile(r"/html/\d{4}-\d{2}/\d{2}/(?:content_|nw\.D\d+)|/pc/content/\d{6}/\d{2}/|/content/\d{6}/\d{2}/content_")
PAPER_NAME = re.compile(r"^(\S{2,10}?(?:日报|晚报|早报|商报|时报|日報|晚報|時報|报|報))(?:数字报|数字版|电子版|电子报|數位版|數字報)?$")
# A time printed with its label outside the info line ("发布时间：2005/05/17 22:11:42", "时间：2004年10月21日").
# Not "引用日期" (a citation) nor a story's "2017年7月18日…记者会": a label that stands alone, or a date whose
# line goes on to a source/author label with its colon.
DATE_LABEL = re.compile(
    r"(?<![\u4e00-\u9fff])(发布时间|发表时间|发布日期|更新时间|时间|日期|发表于|发布于|更新于|发文时间)\s*[:：]?\s*"
    r"(?:19|20)\d{2}\s*[-/年.]|(?i:posted|published)\s+(?i:on\s+)?|"
    r"(?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}.{0,60}(来源|來源|稿源|作者|编辑)\s*[:：]"
)
# The label of a time that is not the publication's ("更新时间：", "最后修改于").
UPDATE_LABEL = re.compile(r"(?:更新|修改|修订|编辑于|updated|modified)[^\d]{0,5}$", re.I)
# <meta> names that carry a publication time.
DATE_META = ("article:published_time", "pubdate", "publishdate", "publish_date", "og:release_date",
             "dc.date", "dc.date.issued", "datepublished", "firstpublishedtime", "publishtime")
# Title separators before a site or channel name: "标题_平安浙江网", "标题-大众网".
TITLE_SEPARATORS = re.compile(r"\s*(?:_|－|—{1,2}|\s-\s|-|\||｜|丨)\s*")
# What CMSs append to a headline about its pictures or video: "标题(图)", "标题[组图]", "标题（附视频）".
TITLE_DECORATION = re.compile(r"\s*[(（\[【](?:组?图|多图|图文|高清组?图|附?视频|附图|图\+视频)[)）\]】]$")
SITE_WORDS = re.compile(r"网|網|在线|在線|日报|日報|晚报|晚報|报|報|新闻|新聞|频道|頻道|公安|政府|门户|門戶|首页|首頁|中国|中國|平台|"
                        r"官网|官網|数字报|電子報|电子版|客户端|博客|论坛|論壇|社区|社區|百科|号$|號$|资讯|資訊")
# <meta> names that carry the page's own title, beside <title>.
TITLE_META = ("og:title", "twitter:title", "title", "articletitle", "headline")
# A line that prints the story's time, with or without the year ("发布时间：10-08 12:00", "2019-09-05 11:10").
TIME_LINE = re.compile(r"(?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}|^\s*(?:(?:发布时间|发表时间|发表于)\s*[:：]?|(?:时间|日期)\s*[:：])|"
                       r"\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?\s*\d{1,2}:\d{2}")
# An outlet or account named without a label next to the time ("2019-09-05 11:10 游民星空[整理]", an account name
# above "发布时间：…"): a short name, not a control, a counter or a person's two- or three-character name.
OUTLET = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9·][\u4e00-\u9fffA-Za-z0-9·-]{1,15}$")
OUTLET_SUFFIX = re.compile(r"(?:网|報|报|社|台|新闻|在线|客户端|发布|杂志|周刊|频道|号|之家|日报|晚报|时报|TV|News)$", re.I)
NOT_OUTLET = re.compile(r"星期|农历|農曆|^周[一二三四五六日天]$|字号|分享|打印|评论|阅读|点击|收藏|举报|关注|原创|整理|转载|编辑|作者|记者|"
                        r"责编|来源|發布|发布|更新|浏览|首页|返回|订阅|登录|注册|^\d+$|^[A-Za-z]$|^[AaＡ][+-]?$|"
                        r"^(?i:updated?|modified|posted|published)$")
# A line with a label of the info line ("来源：", "作者：", "编辑："): metadata, never a caption.
LABELLED = re.compile(r"(?:来源|來源|稿源|作者|编辑|責任|责任|记者|通讯员|发布|时间|日期)\s*[:：]")
# A page that only sends the reader on: a meta refresh at once, or a script that sets the location and says so.
META_REFRESH = re.compile(
    r"<meta[^>]+http-equiv=[\"']?refresh[\"']?[^>]*content=[\"']?\s*[0-3]?\s*;\s*url\s*=\s*['\"]?(?P<to>[^\"'>\s]+)", re.I)
SCRIPT_REDIRECT = re.compile(
    r"(?:location(?:\.href)?\s*=|location\.replace\(|location\.assign\()\s*[\"'](?P<to>[^\"']+)[\"']", re.I)
REDIRECT_WORDS = re.compile(r"跳转|转向|正在前往|正在进入|redirect", re.I)
