"""Issue 16: a 2,400-character query (a pasted page) is searched as its first 300 characters with
a message saying so, echoed cut short in the heading and title, and not copied into every facet
link (the page was 133 KB)."""
from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.ingest.scan_samples import text_pdf

LONG = ("nuôi tôm " * 300)[:2400]  # one pasted phrase over and over: it matches demo records


def test_a_pasted_page_as_a_query_is_bounded(demo):
    client = demo.test_client()
    response = client.get("/search", query_string={"q": LONG})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Câu tìm kiếm đã được rút gọn còn 300 ký tự đầu." in page
    heading = re.search(r'<h1 id="results-heading">(.*?)</h1>', page, re.S).group(1)
    assert len(html.unescape(heading)) < 140 and "…" in heading
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert len(html.unescape(title)) < 160
    links = [html.unescape(h) for h in re.findall(r'href="(/search\?[^"]*)"', page)]
    assert len(links) >= 5, "facet links are there"
    for link in links:
        assert all(len(q) <= 300 for q in parse_qs(urlsplit(link).query).get("q", [])), link
    assert len(response.get_data()) < 60_000
    assert LONG[:300].strip() not in html.unescape(heading)


def test_search_inside_echo_is_bounded_too(demo, tmp_path):
    pdf = text_pdf(tmp_path / "sach.pdf", [["Lịch sử địa phương"], ["Hải Phòng"]])
    result = demo.test_cli_runner().invoke(args=["ingest-scans", str(pdf), "--licence", "cc-by", "--json"])
    object_id = json.loads(result.output.strip().splitlines()[-1])["object_id"]
    page = demo.test_client().get(f"/read/{object_id}/1", query_string={"q": LONG}).get_data(as_text=True)
    assert LONG[:400] not in html.unescape(page)
    links = [html.unescape(h) for h in re.findall(rf'href="(/read/{object_id}/\d+\?[^"]*)"', page)]
    assert links and all(len(parse_qs(urlsplit(link).query)["q"][0]) <= 300 for link in links)
