"""Title, publication time, source and author, read from the places a reader reads them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from htmldate import find_date
from lxml.html import HtmlElement

from crawler.extraction.blocks import clean_line
from crawler.extraction.patterns import (
    AUTHOR_LABEL,
    CN_NUMERAL_DATE,
    DATE,
    DATE_ALONE,
    DATE_LABEL,
    DATE_META,
    LABEL_WORD,
    NOT_OUTLET,
    OTHER_DATES,
    OUTLET,
    OUTLET_SUFFIX,
    PAPER_NAME,
    SOURCE_META,
    TITLE_SEPARATORS,
    REPORTER_LABEL,
    SCRIPT_SOURCE,
    SCRIPT_SOURCE_KEYS,
    SOURCE_LABEL,
    TIME_LINE,
    UPDATE_LABEL,
    URL_DATES,
    VALUE_STOP,
    YEARLESS_TIME,
)
from storage import cpu_stages

SHANGHAI = timezone(timedelta(hours=8))
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")


_MONTH_NUMBERS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_AFTERNOON = ("下午", "晚上", "pm", "p.m.")


def iso_date(match: re.Match[str]) -> str | None:
    """ISO 8601 from a date match (DATE or OTHER_DATES): with +08:00 when a time is given, the day alone
    otherwise."""
    parts = match.groupdict()
    try:
        year = (int(parts["roc"]) + 1911 if parts.get("roc")
                else 2000 + int(parts["yy"]) if parts.get("yy") else int(parts["y"]))
        if parts.get("n1"):  # numbers before the year: read only when one of them is over 12, so the order is sure
            first, second = int(parts["n1"]), int(parts["n2"])
            if first <= 12 and second <= 12 and first != second:
                return None
            month, day_of_month = (second, first) if first > 12 else (first, second)
        else:
            month = _MONTH_NUMBERS[parts["mon"][:3].lower()] if parts.get("mon") else int(parts.get("m") or parts["m2"])
            day_of_month = int(parts.get("d") or parts["d2"])
        day = datetime(year, month, day_of_month)
        if not 1990 <= year <= datetime.now().year + 1:
            return None
        if parts.get("H") is None:
            return day.date().isoformat()
        hour = int(parts["H"])
        half = (parts.get("ampm") or parts.get("ampm2") or "").lower()
        if (half in _AFTERNOON and hour < 12) or (half == "中午" and hour < 11):  # 中午1:30 is 13:30
            hour += 12
        moment = day.replace(hour=hour, minute=int(parts.get("M") or 0), second=int(parts.get("S") or 0),
                             tzinfo=SHANGHAI)
    except (ValueError, KeyError, TypeError):
        return None
    return moment.isoformat()


_CN_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0", "○": "0"}


def _cn_number(numerals: str) -> str:
    """"十二" → 12, "二十一" → 21, "九" → 9 (a month or a day)."""
    if "十" not in numerals:
        return _CN_DIGITS[numerals]
    tens, _, units = numerals.partition("十")
    return str(int(_CN_DIGITS.get(tens, "1")) * 10 + int(_CN_DIGITS.get(units, "0")))


def _arabic_dates(text: str) -> str:
    """Dates in Chinese numerals written in digits ("二〇一九年九月七日" → "2019年9月7日")."""
    if "年" not in text:
        return text
    def digits(match: re.Match[str]) -> str:
        year, month, day = re.match(r"(.{4})年(.+)月(.+)日", match.group(0)).groups()
        try:
            return f"{''.join(_CN_DIGITS[c] for c in year)}年{_cn_number(month)}月{_cn_number(day)}日"
        except KeyError:
            return match.group(0)
    return CN_NUMERAL_DATE.sub(digits, text)


def date_matches(text: str) -> list[re.Match[str]]:
    """Every date the text prints, in any of the forms we read, in the order they stand."""
    text = _arabic_dates(text)
    found = [m for pattern in (DATE, *OTHER_DATES) for m in pattern.finditer(text)]
    return sorted(found, key=lambda m: m.start())


def date_in_text(text: str) -> str | None:
    """The first date the text prints; numbers before the year ("09/07/2019", which order?) only when no date
    in a form that says its order stands in the text."""
    matches = date_matches(text)
    if len(matches) > 1:  # a page that prints when it was updated beside when it was published
        matches = [m for m in matches if not UPDATE_LABEL.search(m.string, max(0, m.start() - 8), m.start())] or matches
    for match in sorted(matches, key=lambda m: m.groupdict().get("n1") is not None):
        found = iso_date(match)
        if found:
            return found
    return None


def date_in_labelled_line(lines: list[str], max_chars: int = 160) -> str | None:
    """The first short line that labels a time, for templates that print it away from the headline."""
    for line in lines:
        if len(line) <= max_chars and DATE_LABEL.search(line):
            found = date_in_text(line)
            if found:
                return found
    return None


def date_in_header_line(lines_above_body: list[str], max_chars: int = 80, reach: int = 15) -> str | None:
    """A date with its time on a short line just above the body, unlabelled ("AUTO.SOHU.COM 2003年11月12日16:36
    金羊网"): the nearest one, since lists of other stories' dates sit further away or below the body."""
    for line in reversed(lines_above_body[-reach:]):
        if len(line) > max_chars:
            continue
        for match in date_matches(line):
            if match.group("H") is not None and match.group("M") is not None:
                found = iso_date(match)
                if found:
                    return found
    return None


def date_signed(last_lines: list[str]) -> str | None:
    """The date an official notice signs off with, alone on a line at the story's end or just below it."""
    for line in last_lines:
        line = _arabic_dates(line)
        if DATE_ALONE.match(line):
            return date_in_text(line)
    return None


def with_time_of_day(day: str | None, info: str) -> str | None:
    """A day read elsewhere, with the time the info line prints beside a month and day without the year
    ("发布时间：10-08 12:00")."""
    if not day or len(day) != 10:
        return day
    for match in YEARLESS_TIME.finditer(info):
        month, day_of_month = int(match["m"]), int(match["d"])
        if (month, day_of_month) == (int(day[5:7]), int(day[8:10])) and int(match["H"]) < 24:
            moment = datetime(int(day[:4]), month, day_of_month, int(match["H"]), int(match["M"]),
                              int(match["S"] or 0), tzinfo=SHANGHAI)
            return moment.isoformat()
    return day


def date_in_meta(root: HtmlElement) -> str | None:
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in DATE_META and meta.get("content"):
            found = date_in_text(meta.get("content"))
            if found:
                return found
    return None


def date_in_url(url: str) -> str | None:
    for pattern in URL_DATES:
        match = pattern.search(url)
        if match:
            found = iso_date(match)
            if found:
                return found
    return None


def date_in_script(raw: str, patterns: tuple[str, ...]) -> str | None:
    """A portal's own publication time kept in a script (WeChat's `var ct = "1660545600"`)."""
    for pattern in patterns:
        match = re.search(pattern, raw)
        if not match:
            continue
        groups = match.groupdict()
        found = None
        if groups.get("epoch"):
            moment = datetime.fromtimestamp(int(groups["epoch"]), SHANGHAI)
            found = moment.isoformat() if 1990 <= moment.year <= datetime.now().year + 1 else None
        elif groups.get("date"):
            found = date_in_text(groups["date"])
        if found:
            return found
    return None


def date_by_htmldate(root: HtmlElement) -> str | None:
    """htmldate's reading of markup and structured data, for templates our rules do not know."""
    try:
        with cpu_stages.stage(cpu_stages.TRAFILATURA):  # trafilatura's own date reader
            found = find_date(root, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return found or None


def _value_after(label: re.Pattern[str], text: str) -> str | None:
    match = label.search(text)
    if not match:
        return None
    rest = text[match.end():]
    if LABEL_WORD.match(rest):
        return None
    stop = VALUE_STOP.search(rest)
    value = rest[: stop.start()] if stop else rest
    value = value.strip("()（）[]【】<>《》:：,，。.;；")
    return value or None


def source_in(text: str) -> str | None:
    return _value_after(SOURCE_LABEL, text)


def source_of_element(text: str) -> str:
    """The source a portal's source element names: the value after its label (`来源：新华社` -> 新华社), else its
    whole text (an account name)."""
    return source_in(text) or text


def author_in(text: str) -> str | None:
    """`作者:警安在线` → 警安在线; `记者 王晓峰 通讯员 徐超` → 王晓峰 徐超; `作者: 来源:…` → None."""
    value = _value_after(AUTHOR_LABEL, text)
    if value:
        return value
    names: list[str] = []
    for segment in REPORTER_LABEL.split(text)[1:]:
        for token in re.split(r"[\s、，,]+", segment.strip()):
            if not _CJK_NAME.match(token) or LABEL_WORD.match(token):
                break
            names.append(token)
    return " ".join(dict.fromkeys(names)) or None


_NAME_SEPARATORS = re.compile(r"[\s\[\]()（）【】|｜/]+")


def outlet_in(info: str, title: str | None = None) -> str | None:
    """An outlet or account printed without a label beside the story's time: after the time on its line, before
    it, or alone on the line above or below it."""
    lines = [line.strip(" ·•|｜-—　") for line in info.splitlines()]
    lines = [line for line in lines if line and line != title]
    for i, line in enumerate(lines):
        if not TIME_LINE.search(line):
            continue
        match = DATE.search(line)
        after, before = (line[match.end():], line[:match.start()]) if match else ("", "")
        words = [w for w in _NAME_SEPARATORS.split(after) if w][:1] + [w for w in _NAME_SEPARATORS.split(before) if w][-1:]
        neighbours = [w for j in (i - 1, i + 1) if 0 <= j < len(lines) and not TIME_LINE.search(lines[j])
                      for w in _NAME_SEPARATORS.split(lines[j]) if w]
        for candidate in [*words, *neighbours]:
            if _is_outlet(candidate):
                return candidate
    return None


def _is_outlet(text: str) -> bool:
    if not OUTLET.match(text) or NOT_OUTLET.search(text) or LABEL_WORD.match(text):
        return False
    return len(text) >= 4 or bool(OUTLET_SUFFIX.search(text))


def source_in_meta(root: HtmlElement) -> str | None:
    """A source a CMS writes in the head (`<meta name="ContentSource" content="新华网">`)."""
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        value = clean_line(meta.get("content") or "")
        if name in SOURCE_META and 2 <= len(value) <= 30 and not value.startswith("http"):
            return value
    return None


def source_in_script(raw: str) -> str | None:
    """A source named in a script's page config (`window.DATA = {"media": "扬眼"}`), in Chinese, not a URL: the
    first one the page holds."""
    found = [value for key in SCRIPT_SOURCE_KEYS if (value := _script_value(raw, key))]
    return min(found)[1] if found else None


def _script_value(raw: str, key: str) -> tuple[int, str] | None:
    at = raw.find(key)
    while at >= 0:
        match = SCRIPT_SOURCE.match(raw, at)
        if match and not (raw[at - 1:at].isalnum() or raw[at - 1:at] in "._"):
            value = clean_line(match.group(1))
            if _CJK.search(value) and "http" not in value and not LABEL_WORD.match(value):
                return at, value
        at = raw.find(key, at + 1)
    return None


def paper_name(head_title: str) -> str | None:
    """The newspaper an e-paper page belongs to, from its title ("宁波日报数字报-第A03版:要闻" → 宁波日报)."""
    for segment in TITLE_SEPARATORS.split(head_title):
        match = PAPER_NAME.match(clean_line(segment))
        if match:
            return match.group(1)
    return None
