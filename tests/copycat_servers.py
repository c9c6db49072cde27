"""Servers the copy-cataloguing tests talk to: YAZ's yaz-ztest (Z39.50 and SRU on one port), a
local HTTP server answering garbage, HTML, slowly or with a fixed SRU answer, a port that accepts
connections and never answers (black hole), and a port nobody listens on."""
from __future__ import annotations

import contextlib
import http.server
import socket
import subprocess
import threading
import time

from tests.conftest import require_tool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def yaz_ztest(tmp_path):
    """yaz-ztest on a free loopback port; yields the port (fails in CI when yaz is missing)."""
    executable = require_tool("yaz-ztest")
    port = free_port()
    process = subprocess.Popen([executable, "-l", str(tmp_path / "ztest.log"), f"tcp:127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=5)


@contextlib.contextmanager
def http_answering(body: bytes, *, content_type: str = "text/xml", status: int = 200, delay: float = 0.0):
    """A threaded stdlib HTTP server giving every GET the same answer (after `delay` seconds);
    yields (port, list of request paths seen)."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            if delay:
                time.sleep(delay)
            with contextlib.suppress(OSError):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def black_hole():
    """A port whose connections are accepted by the kernel and then never answered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    return free_port()


SRU_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<srw:searchRetrieveResponse xmlns:srw="http://www.loc.gov/zing/srw/">
<srw:version>1.2</srw:version><srw:numberOfRecords>1</srw:numberOfRecords>
<srw:records><srw:record><srw:recordSchema>info:srw/schema/1/marcxml-v1.1</srw:recordSchema>
<srw:recordPacking>xml</srw:recordPacking><srw:recordData>
<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 i 4500</leader>
<controlfield tag="001">{control}</controlfield><controlfield tag="003">VNTVQG</controlfield>
<datafield tag="020" ind1=" " ind2=" "><subfield code="a">{isbn}</subfield></datafield>
<datafield tag="100" ind1="0" ind2=" "><subfield code="a">{author}</subfield></datafield>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title}</subfield></datafield>
<datafield tag="264" ind1=" " ind2="1"><subfield code="a">H.</subfield><subfield code="b">Giáo dục</subfield><subfield code="c">2020</subfield></datafield>
</record></srw:recordData><srw:recordPosition>1</srw:recordPosition></srw:record></srw:records>
</srw:searchRetrieveResponse>"""

DC_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<zs:searchRetrieveResponse xmlns:zs="http://docs.oasis-open.org/ns/search-ws/sruResponse">
<zs:numberOfRecords>1</zs:numberOfRecords><zs:records><zs:record>
<zs:recordSchema>info:srw/schema/1/dc-v1.1</zs:recordSchema><zs:recordXMLEscaping>xml</zs:recordXMLEscaping>
<zs:recordData><srw_dc:dc xmlns:srw_dc="info:srw/schema/1/dc-schema" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Địa lý huyện đảo Cát Hải</dc:title><dc:creator>Trần Văn Bình</dc:creator><dc:creator>Lê Thị Hoa</dc:creator>
<dc:publisher>Nxb. Hải Phòng</dc:publisher><dc:date>2018</dc:date><dc:subject>Địa lý</dc:subject>
<dc:identifier>ISBN 9786049999994</dc:identifier><dc:identifier>https://example.org/cat-hai</dc:identifier>
<dc:language>vie</dc:language></srw_dc:dc></zs:recordData><zs:recordPosition>1</zs:recordPosition>
</zs:record></zs:records></zs:searchRetrieveResponse>"""
