"""Line-level cleaning: drop chrome lines, cut inline markers, keep each body paragraph once."""

from __future__ import annotations

import re

from crawler.extraction.blocks import clean_line
from crawler.extraction.headline import agreement
from crawler.extraction.patterns import (
    BOX_HEADING,
    CAPTION_CHARS,
    CAPTION_LINE,
    COMMENT_PROMPT,
    COMMENT_PROMPT_CHARS,
    COMMENTS_HEADING,
    DATE,
    INFO_LINE,
    INLINE_NOISE,
    INTERVIEW_LINE,
    NOISE_LINE,
    SHORT_LINE_CHARS,
    SHORT_NOISE_LINE,
    SIGN_OFF,
    SIGNATURE,
    TOPIC_LABEL,
)

# A line this long is body text that a broken layout ran together with chrome (a breadcrumb and the
# whole article in one table cell): keeping the chrome costs less than losing the article.
LONG_LINE_CHARS = 400


# A paragraph this long that comes again is the page repeating itself (a lead printed twice); a shorter one
# may repeat for real (a refrain, "fi" in a listing of code).
REPEAT_CHARS = 12


def is_noise(line: str) -> bool:
    """Whether a whole line is chrome: a pattern that fits any line, or one that only fits a short line."""
    if INTERVIEW_LINE.match(line):
        return False
    if len(line) <= LONG_LINE_CHARS and NOISE_LINE.search(line):
        return True
    if len(line) <= COMMENT_PROMPT_CHARS and COMMENT_PROMPT.search(line):
        return True
    return len(line) <= SHORT_LINE_CHARS and bool(SHORT_NOISE_LINE.search(line) or INFO_LINE.search(line))


# A header line that is a timestamp and a few words around it ("AUTO.SOHU.COM 2003年11月12日16:36 金羊网—新快报").
HEADER_STAMP_CHARS = 60
_SENTENCE_MARK = re.compile(r"[。，！？；!?]")


def is_header_stamp(line: str) -> bool:
    """Whether a line above the story is its time stamp: a date with a time, and no sentence around it."""
    if len(line) > HEADER_STAMP_CHARS or _SENTENCE_MARK.search(line):
        return False
    match = DATE.search(line)
    return bool(match and match.group("M") is not None)


# A line above the story this close to the headline is the headline again, reworded or run on into its info
# ("姚明对周琦说了啥？大魔王…" under "姚明对周琦说了啥？周琦…", "标题 来源于：东区办事处").
HEADLINE_AGAIN = 0.6


def is_headline_again(line: str, title: str | None) -> bool:
    if not title or len(line) > len(title) + 30:
        return False
    if line.startswith(title):
        return True
    return len(line) <= len(title) + 10 and "。" not in line and agreement(line, title) >= HEADLINE_AGAIN


# An editor's sign-off or a forum poster's signature ends the story only when this much story precedes it (an
# editor named above the story does not end it); the heading of comments or other stories, when a short story's
# worth does (and more than follows it: a sidebar's heading above the story is no end).
STORY_BEFORE_END = 150
STORY_BEFORE_HEADING = 60


def _comments_below(lines: list[str], at: int, story: int) -> re.Match | None:
    """The heading of readers' comments or of a box of other stories below the story (`story` characters of
    it so far); a blog's sidebar of "最新评论" above it is no end."""
    heading = COMMENTS_HEADING.match(lines[at]) or BOX_HEADING.match(lines[at])
    return heading if heading and story >= sum(map(len, lines[at + 1 :])) else None


def is_caption(line: str, captions: set[str] = frozenset()) -> bool:
    """A caption the page's markup shows (`captions`), or a picture credit that says so ("图片来源：…",
    "（记者 王磊 摄）", "视频截图")."""
    return line in captions or (len(line) <= CAPTION_CHARS and bool(CAPTION_LINE.search(line)))


def clean_lines(lines: list[str], title: str | None, captions: set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(body paragraphs, removed chrome lines): chrome and captions dropped, markers cut, repeated paragraphs
    once, and nothing kept after the story's end (the editor's sign-off, the opening post's signature, or the
    heading of readers' comments or of other stories).

    A photo story whose captions are most of its text keeps them: there they are the story.
    """
    kept, removed = _clean(lines, title, captions)
    dropped = [line for line in removed if is_caption(line, captions)]
    if sum(map(len, dropped)) > sum(map(len, kept)):
        return _clean(lines, title, None)
    return kept, removed


def _clean(lines: list[str], title: str | None, captions: set[str] | None) -> tuple[list[str], list[str]]:
    """One pass of `clean_lines`; captions=None keeps them."""
    kept: list[str] = []
    removed: list[str] = []
    seen: set[str] = set()
    story = 0  # characters kept so far
    for at, line in enumerate(lines):
        end = SIGN_OFF.search(line) or SIGNATURE.search(line)
        heading = _comments_below(lines, at, story)
        if (end and story + end.start() >= STORY_BEFORE_END) or (heading and story >= STORY_BEFORE_HEADING):
            end = end or heading
            before = clean_line(INLINE_NOISE.sub("", line[: end.start()]))
            if before and before not in seen and not is_noise(line):
                kept.append(before)
            removed.extend([line[end.start() :].strip(), *lines[at + 1 :]])
            break
        if is_noise(line) or (captions is not None and is_caption(line, captions)) or (
                not kept and (is_headline_again(line, title) or is_header_stamp(line) or TOPIC_LABEL.match(line))):
            removed.append(line)
            continue
        line = clean_line(INLINE_NOISE.sub("", line))
        if not line or line in seen:
            continue
        if len(line) >= REPEAT_CHARS:
            seen.add(line)
        kept.append(line)
        story += len(line)
    return kept, removed
