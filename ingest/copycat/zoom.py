"""A small ctypes binding to YAZ's ZOOM C API (libyaz5), the Z39.50 client Koha uses.

No maintained Python package wraps ZOOM (PyZ3950 is dead), so this binds the few calls a search
needs: connection_create / option_set / connect / search_pqf / resultset_size / resultset_record /
record_get ("raw": the ISO 2709 bytes as the target sent them) / error. Stdlib only: worker.py
runs it in a child process that can be killed."""
from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses

LIBRARY = "libyaz.so.5"  # Debian libyaz5; other systems are found by ctypes.util.find_library
# ZOOM's own error codes (zoom.h); Bib-1 diagnostics are below 10000.
CONNECT, MEMORY, ENCODE, DECODE, CONNECTION_LOST, INIT, INTERNAL, TIMEOUT = range(10000, 10008)
UNSUPPORTED_PROTOCOL, UNSUPPORTED_QUERY, INVALID_QUERY = 10008, 10009, 10010


class ZoomError(Exception):
    """A ZOOM error: its code (ZOOM's 10000+ or a Bib-1 diagnostic), message and additional info."""

    def __init__(self, code: int, message: str, addinfo: str = "", diagset: str = ""):
        super().__init__(f"{code} {message} {addinfo}".strip())
        self.code, self.message, self.addinfo, self.diagset = code, message, addinfo, diagset


class ZoomUnavailable(ZoomError):
    """libyaz cannot be loaded on this machine."""


_lib = None


def library() -> ctypes.CDLL:
    """libyaz, loaded once, with the prototypes of the calls used here."""
    global _lib
    if _lib is not None:
        return _lib
    try:
        lib = ctypes.CDLL(LIBRARY)
    except OSError:
        found = ctypes.util.find_library("yaz")
        try:
            lib = ctypes.CDLL(found) if found else None
        except OSError:
            lib = None
        if lib is None:
            raise ZoomUnavailable(0, "libyaz (YAZ's ZOOM) is not installed", LIBRARY) from None
    p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    out = ctypes.POINTER(ctypes.c_char_p)
    for name, restype, argtypes in (
        ("ZOOM_connection_create", p, [p]),
        ("ZOOM_connection_option_set", None, [p, s, s]),
        ("ZOOM_connection_connect", None, [p, s, i]),
        ("ZOOM_connection_error_x", i, [p, out, out, out]),
        ("ZOOM_connection_search_pqf", p, [p, s]),
        ("ZOOM_connection_destroy", None, [p]),
        ("ZOOM_resultset_size", ctypes.c_size_t, [p]),
        ("ZOOM_resultset_record", p, [p, ctypes.c_size_t]),
        ("ZOOM_resultset_destroy", None, [p]),
        ("ZOOM_record_get", ctypes.POINTER(ctypes.c_char), [p, s, ctypes.POINTER(i)]),
        ("ZOOM_record_error", i, [p, out, out, out]),
    ):
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    _lib = lib
    return lib


def _text(value: bytes | None) -> str:
    return (value or b"").decode("utf-8", "replace")


@dataclasses.dataclass
class Fetched:
    """One search's outcome: the hit count and each fetched record's bytes (or its diagnostic)."""

    hits: int
    records: list[bytes | ZoomError]


class Connection:
    """One Z39.50 connection (synchronous: each call waits at most `timeout` seconds)."""

    def __init__(self, host: str, port: int, *, database: str = "", syntax: str = "usmarc", timeout: int = 10,
                 charset: str = "", options: dict[str, str] | None = None):
        self._lib = library()
        self._handle = self._lib.ZOOM_connection_create(None)
        settings = {"timeout": str(max(1, int(timeout))), "preferredRecordSyntax": syntax,
                    "databaseName": database or "Default", "elementSetName": "F", **(options or {})}
        if charset:
            settings["charset"] = charset  # asks the target to negotiate this character set
        for key, value in settings.items():
            self.set(key, value)
        self._lib.ZOOM_connection_connect(self._handle, host.encode("idna") if host.isascii() else host.encode(),
                                          int(port))
        try:
            self._check()
        except ZoomError:
            self.close()
            raise

    def set(self, key: str, value: str) -> None:
        """ZOOM_connection_option_set."""
        self._lib.ZOOM_connection_option_set(self._handle, key.encode(), value.encode("utf-8"))

    def _check(self) -> None:
        message, addinfo, diagset = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
        code = self._lib.ZOOM_connection_error_x(self._handle, ctypes.byref(message), ctypes.byref(addinfo),
                                                 ctypes.byref(diagset))
        if code:
            raise ZoomError(code, _text(message.value), _text(addinfo.value), _text(diagset.value))

    def search(self, pqf: str, *, limit: int = 10) -> Fetched:
        """Run a PQF query and fetch the first `limit` records as raw bytes."""
        self.set("count", str(limit))
        self.set("presentChunk", str(limit))
        results = self._lib.ZOOM_connection_search_pqf(self._handle, pqf.encode("utf-8"))
        try:
            self._check()
            hits = int(self._lib.ZOOM_resultset_size(results))
            records: list[bytes | ZoomError] = []
            for position in range(min(hits, limit)):
                record = self._lib.ZOOM_resultset_record(results, position)
                self._check()
                if not record:
                    break
                records.append(self._record(record))
            return Fetched(hits, records)
        finally:
            if results:
                self._lib.ZOOM_resultset_destroy(results)

    def _record(self, record) -> bytes | ZoomError:
        message, addinfo, diagset = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
        code = self._lib.ZOOM_record_error(record, ctypes.byref(message), ctypes.byref(addinfo), ctypes.byref(diagset))
        if code:
            return ZoomError(code, _text(message.value), _text(addinfo.value), _text(diagset.value))
        length = ctypes.c_int(0)
        data = self._lib.ZOOM_record_get(record, b"raw", ctypes.byref(length))
        return ctypes.string_at(data, length.value) if data else b""

    def close(self) -> None:
        """ZOOM_connection_destroy (idempotent)."""
        if self._handle:
            self._lib.ZOOM_connection_destroy(self._handle)
            self._handle = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
