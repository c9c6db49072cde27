"""A tiny OAI-PMH server (stdlib http.server, a free 127.0.0.1 port) answering from a script:
hand-written responses in the shape of the OAI-PMH 2.0 specification's examples, and the faults
real partners show (503 with Retry-After, an HTML error page, an answer cut off mid-stream, a
charset it did not declare, badResumptionToken, noRecordsMatch)."""
from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"><responseDate>{date}</responseDate>'
        '<request verb="{verb}">http://an.oa.org/OAI-script</request>')


def response(body: str, *, verb: str = "ListRecords", date: str = "2026-11-30T10:00:00Z") -> bytes:
    return (HEAD.format(date=date, verb=verb) + body + "</OAI-PMH>\n").encode("utf-8")


def identify(granularity: str = "YYYY-MM-DD") -> bytes:
    return response("<Identify><repositoryName>Thư viện tỉnh (mẫu)</repositoryName><baseURL>http://an.oa.org/OAI-script"
                    "</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>somebody@an.oa.org</adminEmail>"
                    "<earliestDatestamp>1990-02-01</earliestDatestamp><deletedRecord>transient</deletedRecord>"
                    f"<granularity>{granularity}</granularity></Identify>", verb="Identify")


def dc_record(number: int, title: str, *, creator: str = "", isbn: str = "", date: str = "2026-11-01",
              deleted: bool = False) -> str:
    status = ' status="deleted"' if deleted else ""
    header = (f"<header{status}><identifier>oai:arXiv.org:cs/{number:07d}</identifier>"
              f"<datestamp>{date}</datestamp><setSpec>cs</setSpec></header>")
    if deleted:
        return f"<record>{header}</record>"
    fields = f"<dc:title>{escape(title)}</dc:title>"
    fields += f"<dc:creator>{escape(creator)}</dc:creator>" if creator else ""
    fields += f"<dc:identifier>ISBN {isbn}</dc:identifier>" if isbn else ""
    fields += "<dc:date>2001</dc:date><dc:type>Text</dc:type><dc:language>vi</dc:language>"
    return (f'<record>{header}<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/">{fields}</oai_dc:dc></metadata></record>')


def list_records(records: list[str], token: str = "", *, size: int | None = None, date: str = "2026-11-30T10:00:00Z",
                 resumed: bool = False) -> bytes:
    tail = ""
    if token or resumed:
        attrs = f' completeListSize="{size}"' if size else ""
        tail = f"<resumptionToken{attrs}>{token}</resumptionToken>"
    return response("<ListRecords>" + "".join(records) + tail + "</ListRecords>", date=date)


def error(code: str, text: str = "") -> bytes:
    return response(f'<error code="{code}">{escape(text or code)}</error>')


# A reply: (status, headers, body) or a callable doing something odd with the handler.
Reply = tuple[int, dict, bytes] | Callable[[BaseHTTPRequestHandler], None]


class Script:
    """What the server answers: `route(params) -> Reply`, and every request it saw."""

    def __init__(self, route: Callable[[dict[str, str]], Reply]):
        self.route, self.seen = route, []


def ok(body: bytes, content_type: str = "text/xml; charset=utf-8") -> Reply:
    return 200, {"Content-Type": content_type}, body


def cut_off(body: bytes) -> Reply:
    """Promise the whole body, send half of it, close the connection."""

    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[:len(body) // 2])
        handler.wfile.flush()
        handler.close_connection = True

    return send


@contextlib.contextmanager
def serving(script: Script):
    """The stub on a free port; yields its base URL (…/oai)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            script.seen.append(params)
            reply = script.route(params)
            if callable(reply):
                reply(self)
                return
            status, headers, body = reply
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/oai"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
