"""Issue 13.7: request bodies are limited per route before anything reads them. An anonymous
450 MB POST is answered 413 while most of it is still unsent; only a signed-in account with the
upload route's role may send a large body."""
from __future__ import annotations

import io
import re
import socket

import pytest

from tests.conftest import login, serving
from tests.ingest.marc_fixtures import book, iso

HUGE = 450 * 1024 * 1024
SENT = 256 * 1024  # of HUGE: the server must answer long before the rest


@pytest.fixture
def served(demo):
    """The demo app served over real HTTP with CSRF on (as in production); yields (host, port)."""
    demo.config["WTF_CSRF_ENABLED"] = True
    with serving(demo) as server:
        yield "127.0.0.1", server.server_port


def post_huge(address, path: str, content_type: str, *, cookie: str = "", chunked: bool = False) -> bytes:
    """Start a 450 MB POST, send only its first SENT bytes, and return what the server answers."""
    with socket.create_connection(address, timeout=20) as sock:
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}"
        head = (f"POST {path} HTTP/1.1\r\nHost: {address[0]}\r\nContent-Type: {content_type}\r\n{length}\r\n"
                + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")
        sock.sendall(head.encode())
        body = b"username=admin&password=" + b"a" * SENT
        if chunked:
            sent = 0
            while sent < 8 * 1024 * 1024:  # more than the limit, far less than HUGE
                piece = b"a" * 65536
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += len(piece)
        else:
            sock.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def status(answer: bytes) -> int:
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    assert match, answer[:200]
    return int(match.group(1))


def test_a_huge_anonymous_post_to_login_is_refused_before_it_is_read(served):
    assert status(post_huge(served, "/login", "application/x-www-form-urlencoded")) == 413
    multipart = "multipart/form-data; boundary=xyz"
    assert status(post_huge(served, "/login", multipart)) == 413
    # Without a length (chunked), reading stops at the limit: the form is cut off and refused.
    assert status(post_huge(served, "/login", "application/x-www-form-urlencoded", chunked=True)) in (400, 413)


def test_upload_routes_take_a_large_body_only_from_the_right_role(demo, served):
    assert status(post_huge(served, "/staff/scans", "multipart/form-data; boundary=xyz")) == 413
    assert status(post_huge(served, "/staff/import", "multipart/form-data; boundary=xyz")) == 413
    reader = signed_in_cookie(demo, "bandoc")
    assert status(post_huge(served, "/staff/scans", "multipart/form-data; boundary=xyz", cookie=reader)) == 413
    librarian = signed_in_cookie(demo, "thuthu")  # staff, but MARC import is for cataloguers
    assert status(post_huge(served, "/staff/import", "multipart/form-data; boundary=xyz", cookie=librarian)) == 413


def signed_in_cookie(app, username: str) -> str:
    """A Cookie header of a session signed in through the real form (CSRF token included)."""
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    signed_in = client.post("/login", data={"username": username, "password": "hoclieu-demo", "csrf_token": token})
    assert signed_in.status_code == 302
    return f"session={client.get_cookie('session').value}"


def test_a_cataloguer_uploads_a_file_larger_than_the_small_limit(demo):
    demo.config["MAX_REQUEST_BYTES"] = 64 * 1024
    marc = iso(*[book(f"BIG{n}", f"Sách lớn {n}") for n in range(400)])
    assert len(marc) > 2 * 64 * 1024
    client = demo.test_client()
    login(client, "bienmuc")
    sent = client.post("/staff/import", data={"file": (io.BytesIO(marc), "lon.mrc")},
                       content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    # every other route keeps the small limit, signed in or not
    assert client.post("/account/password", data={"current": "x" * 100_000}).status_code == 413
