"""Issue 13.3: a record's link cannot run script, every response carries the security headers,
and no page holds inline script (the Content-Security-Policy forbids it)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from app.display.links import safe_link
from catalog.records.models import Record
from tests.app.test_staff_access import concrete
from tests.conftest import login
from tests.ingest.marc_fixtures import book, df, iso

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " \x01javascript:alert(2)",
    "java\tscript:alert(3)",
    "\njavascript:alert(4)",
    "data:text/html,<script>alert(5)</script>",
    "vbscript:msgbox(6)",
    "&#106;avascript:alert(7)",
    "javascript&colon;alert(8)",
    "http:alert(9)",
]
GOOD = ["https://thuvien.example.vn/sach/1", "http://example.org/a?b=1&c=2", "mailto:thuvien@example.vn"]


class Anchors(HTMLParser):
    """Every <a href> of a page with its text, and the inline-script offences."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.offences: list[str] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.offences.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and re.match(r"\s*(javascript|data|vbscript):",
                                                                             value or "", re.I):
                self.offences.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and not values.get("src") and values.get("type") != "application/ld+json":
            self.offences.append("<script> without src")
        if tag == "a":
            self._href = values.get("href")

    def handle_data(self, data):
        if self._href is not None:
            self.links.append((self._href, data))
            self._href = None


def parse(html: str) -> Anchors:
    parser = Anchors()
    parser.feed(html)
    return parser


@pytest.fixture
def hostile_record(runner, tmp_path, session) -> int:
    links = [df("856", "40", "u", url, "y", f"link {n}") for n, url in enumerate(HOSTILE + GOOD)]
    path = tmp_path / "hostile.mrc"
    path.write_bytes(iso(book("EVIL1", "Sách có liên kết độc", extra=links)))
    result = runner.invoke(args=["import-marc", str(path)])
    assert result.exit_code == 0, result.output
    return session.scalar(select(Record.id).where(Record.title.like("Sách có liên kết độc%")))


def test_hostile_856_links_are_not_clickable_on_the_record_page(client, hostile_record):
    page = client.get(f"/records/{hostile_record}")
    assert page.status_code == 200
    parsed = parse(page.get_data(as_text=True))
    assert parsed.offences == []
    linked = {text: href for href, text in parsed.links if text.startswith("link ")}
    assert linked == {f"link {len(HOSTILE) + n}": url for n, url in enumerate(GOOD)}
    text = page.get_data(as_text=True)
    assert all(f"link {n}" in text for n in range(len(HOSTILE)))  # still shown, as text


@pytest.mark.parametrize("url", HOSTILE + ["", "   ", "//evil.example/x", "/relative", None, 42])
def test_safe_link_refuses_every_other_scheme(url):
    assert safe_link(url) is None


def test_safe_link_keeps_good_links_as_the_browser_reads_them():
    assert [safe_link(url) for url in GOOD] == GOOD
    assert safe_link(" \thttps://example.org/\n") == "https://example.org/"


def test_templates_link_catalogue_data_only_through_safe_link():
    """Every href/src built from a template value is a url_for, a known helper, or |safe_link."""
    allowed = re.compile(r"^(url_for\(|static_url\(|light\.fallback\b|search_link\(|digital_image_url\(|href\b|url\b|back\b|"
                         r"self_url\b|licence_urls\[|switch_language_url\()")
    offenders = []
    for path in Path("app/templates").rglob("*.*"):
        for expr in re.findall(r'(?:href|src)="\{\{\s*(.*?)\s*\}\}', path.read_text(encoding="utf-8")):
            if not allowed.match(expr):
                offenders.append(f"{path}: {expr}")
    assert offenders == []


def test_templates_hold_no_inline_script_or_event_handler():
    offenders = []
    for path in Path("app/templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/ld+json" not in tag:
                offenders.append(f"{path}: {tag}")
        offenders += [f"{path}: {m}" for m in re.findall(r"<[^>]*\son[a-z]+\s*=", text)]
    assert offenders == []


EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("path, kind", [("/", "text/html"), ("/api/search?q=a", "application/json"),
                                        ("/static/style.css", "text/css"), ("/records/999999", "text/html"),
                                        ("/login", "text/html"), ("/oai?verb=Identify", "xml")])
def test_every_response_carries_the_security_headers(demo, path, kind):
    response = demo.test_client().get(path)
    response.close()  # a static file is streamed
    assert kind in response.content_type
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]


def html_pages(client, app):
    """Every GET page of the app (arguments 1), as this client sees it: (path, html)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = concrete(rule)
        response = client.get(path)
        if response.status_code == 200 and response.content_type.startswith("text/html"):
            yield path, response.get_data(as_text=True)


def test_no_rendered_page_holds_inline_script(demo, hostile_record):
    checked = []
    for who in (None, "admin"):
        client = demo.test_client()
        if who:
            login(client, who)
        for path, html in html_pages(client, demo):
            assert parse(html).offences == [], f"{path} as {who or 'anonymous'}"
            checked.append(path)
    pages = set(checked)
    assert {"/", "/search", "/login", "/records/1", "/staff/", "/account", "/staff/accounts"} <= pages
    assert len(pages) > 30
