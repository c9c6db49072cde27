"""Switching language keeps the page: same path, same query, only ?lang= changes."""
from __future__ import annotations

import html
import re


def _switch_link(page: str, language: str) -> str:
    match = re.search(r'<a href="([^"]*)" hreflang="%s"' % language, page)
    assert match, "no language switch on the page"
    return html.unescape(match.group(1))


def test_switching_language_keeps_the_search_and_its_filters(client):
    page = client.get("/search?q=lịch+sử&f=library:TTVH&f=decade:2000&sort=title").get_data(as_text=True)
    link = _switch_link(page, "en")
    assert link == "/search?q=l%E1%BB%8Bch+s%E1%BB%AD&f=library%3ATTVH&f=decade%3A2000&sort=title&lang=en"
    english = client.get(link).get_data(as_text=True)
    back = _switch_link(english, "vi")
    assert back == "/search?q=l%E1%BB%8Bch+s%E1%BB%AD&f=library%3ATTVH&f=decade%3A2000&sort=title&lang=vi"


def test_the_switch_never_links_off_the_site(client):
    page = client.get("/", environ_overrides={"PATH_INFO": "//evil.example/x"}).get_data(as_text=True)
    assert _switch_link(page, "en") == "/evil.example/x?lang=en"
