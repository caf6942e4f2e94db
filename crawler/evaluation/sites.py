"""Which site a labelled page comes from, and the fixed split of sites into tuning and validation.

Extraction rules are written looking at tuning sites only; validation sites are scored, never read. A site
is a publisher (people.com.cn and its subdomains are one site, and so are a corpus's `sina/` folder and
sina.com.cn), so a template never sits on both sides of the split.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

# Suffixes under which a name is registered: "people" in news.people.com.cn, "163" in biz.163.com.
_PUBLIC_SUFFIXES = ("com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "com.tw", "org.tw", "gov.tw",
                    "com.hk", "org.hk", "com", "net", "org", "cn", "tw", "hk", "info", "cc", "tv")
# Corpora that name a page's site by a folder or file name, not a URL, sometimes by another name.
_ALIASES = {"netease": "163", "wechat": "qq", "weixin": "qq", "baijiahao": "baidu", "china": "chinanews"}
# One site in VALIDATION_MODULUS is a validation site (by the hash of its name: fixed, and blind to content).
VALIDATION_MODULUS = 3
_NAME = re.compile(r"[a-z0-9]+")


def site_of(page_id: str, url: str | None) -> str:
    """The publisher's name: from the URL's host when known, else from the corpus's folder or file name;
    a page with neither (a saved page without its address) is a site of its own."""
    host = (urlsplit(url).hostname or "") if url else ""
    if host and host not in ("web.archive.org", "example.invalid"):
        return _registered_name(host)
    parts = page_id.split("/")
    if parts[0] == "gne-unlabeled" and len(parts) >= 3:
        name = parts[2]
    elif parts[0] in ("readability-zh", "gerapy-pagetype"):
        name = match.group(0) if (match := _NAME.match(parts[-1])) else parts[-1]
    else:
        return page_id
    return _ALIASES.get(name, name)


def _registered_name(host: str) -> str:
    labels = host.lower().split(".")
    for suffix in _PUBLIC_SUFFIXES:
        n = suffix.count(".") + 1
        if len(labels) > n and ".".join(labels[-n:]) == suffix:
            return _ALIASES.get(labels[-n - 1], labels[-n - 1])
    return host


def split_of(site: str) -> str:
    """'validation' or 'tuning', fixed per site."""
    digest = int(hashlib.sha1(site.encode("utf-8")).hexdigest()[:8], 16)
    return "validation" if digest % VALIDATION_MODULUS == 0 else "tuning"
