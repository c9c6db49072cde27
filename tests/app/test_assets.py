"""Issue 16, slow links, through the test client: hashed static names cached for a year, the plain
names still served, text responses gzipped when asked for, and a favicon."""
from __future__ import annotations

import gzip
import re


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_content_hash_cached_immutable(client):
    html = client.get("/").get_data(as_text=True)
    urls = asset_urls(html)
    assert any(re.fullmatch(r"/static/style\.[0-9a-f]{10}\.css", u) for u in urls), urls
    assert any(re.fullmatch(r"/static/favicon\.[0-9a-f]{10}\.ico", u) for u in urls), urls
    style = next(u for u in urls if "/style." in u)
    response = client.get(style)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/style.css") as plain:
        assert response.get_data() == plain.get_data()


def test_an_old_hash_gets_todays_file_revalidated_and_a_bad_name_a_404(client):
    old = client.get("/static/style.0123456789.css")
    assert old.status_code == 200 and old.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/nothing.0123456789.css").status_code == 404
    assert client.get("/static/..%2Fconfig.0123456789.py").status_code == 404
    with client.get("/static/style.css") as plain:
        assert plain.status_code == 200 and "immutable" not in plain.headers.get("Cache-Control", "")


def test_html_is_gzipped_for_a_client_that_asks(client):
    plain = client.get("/search?q=l%E1%BB%8Bch+s%E1%BB%AD")
    packed = client.get("/search?q=l%E1%BB%8Bch+s%E1%BB%AD", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    refused = client.get("/search?q=x", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers


def test_the_favicon_is_there(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/x-icon", "image/vnd.microsoft.icon")
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an ICO file
