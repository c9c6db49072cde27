"""Character sets of ISO 2709 records: UTF-8, MARC-8 (with its CJK, Cyrillic ... escapes), and the
mislabelled ones real files hold (MARC-8 that is UTF-8, UTF-8 encoded twice, Cyrillic code pages)."""
from __future__ import annotations

import re
import unicodedata
from typing import Callable

from pymarc import marc8_mapping
from pymarc.marc8 import MARC8ToUnicode

from catalog.errors import N_
from ingest.marc.results import Problem

_NOT_ANSEL = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in range(0x80, 0x100)
                                          if b not in marc8_mapping.CODESETS[0x45]) + b"]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_DOUBLE_UTF8 = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Control bytes other than the subfield mark (0x1F), which is inside a field's bytes by design.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1e\x7f]")


def nfc(text: str) -> str:
    """NFC without control characters (NUL and escapes cannot be stored in PostgreSQL or XML)."""
    text = _CONTROL.sub("", text) if _CONTROL.search(text) else text
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _clean_utf8(value: bytes) -> str:
    """The common case made quick: valid UTF-8 without control characters."""
    text = value.decode("utf-8", "replace")
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def decoder(leader: str, body: bytes, warnings: list[Problem]) -> Callable[[bytes], str]:
    """Pick the record's character set: UTF-8, MARC-8, or a mislabelled one, with a warning."""
    if leader[9] == "a" and not _CONTROL_BYTES.search(body):
        try:
            text = body.decode("utf-8")
            if not _DOUBLE_UTF8.search(text):
                return _clean_utf8
        except UnicodeDecodeError:
            pass
    if body.isascii():
        if b"\x1b" in body and leader[9] != "a":
            return _marc8_decoder(warnings)  # all ASCII, yet escapes to CJK, Cyrillic ... sets
        return lambda b: nfc(b.decode("ascii"))
    try:
        body.decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False
    if leader[9] == "a":
        if is_utf8:
            if _DOUBLE_UTF8.search(body.decode("utf-8")):
                return _double_utf8_decoder(warnings)
            return lambda b: nfc(b.decode("utf-8", "replace"))
        if b"\x1b" in body or re.search(rb"[\xe0-\xfe][A-Za-z]", body) and not re.search(rb"[\xc2-\xdf][\x80-\xbf]", body):
            warnings.append(Problem(N_("The leader says UTF-8 but the text is MARC-8; it was converted from MARC-8.")))
            return _marc8_decoder(warnings)
        warnings.append(Problem(N_("Some bytes are not valid UTF-8; they were replaced by \u201c\ufffd\u201d.")))
        return lambda b: nfc(b.decode("utf-8", "replace"))
    if is_utf8:
        warnings.append(Problem(N_("The leader says MARC-8 but the text is UTF-8; it was read as UTF-8.")))
        return lambda b: nfc(b.decode("utf-8", "replace"))
    legacy = _legacy_codepage(body)
    if legacy:
        warnings.append(Problem(N_("The text is neither MARC-8 nor UTF-8; it was read as {encoding}."),
                                {"encoding": legacy}))
        return lambda b: nfc(b.decode(legacy, "replace"))
    return _marc8_decoder(warnings)


def _double_utf8_decoder(warnings: list[Problem]):
    """UTF-8 that was encoded twice ("rÃ¶mische" for "römische"): undone, with a warning."""
    def decode(value: bytes) -> str:
        text = value.decode("utf-8", "replace")
        if _DOUBLE_UTF8.search(text):
            try:
                fixed = text.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                return nfc(text)
            problem = Problem(N_("Some text was encoded as UTF-8 twice (“{text}”); it was repaired."),
                              {"text": text[:40]})
            if not any(w.template == problem.template for w in warnings):
                warnings.append(problem)
            return nfc(fixed)
        return nfc(text)

    return decode


def _legacy_codepage(body: bytes) -> str | None:
    """cp1251 / cp866 Cyrillic records labelled MARC-8 (runs of high bytes, no escapes)."""
    if b"\x1b" in body or not _NOT_ANSEL.search(body):
        return None  # every high byte is a MARC-8 (ANSEL) character: it is MARC-8
    best, share = None, 0.0
    for encoding in ("cp1251", "cp866"):
        text = body.decode(encoding, "replace")
        high = [ch for ch in text if ord(ch) > 127]
        ratio = sum(1 for ch in high if _CYRILLIC.match(ch)) / max(1, len(high))
        if ratio > share:
            best, share = encoding, ratio
    return best if share > 0.9 else None


_EACC_RUN = re.compile(rb"\x1b\$1([^\x1b]*)")


def _whole_eacc(value: bytes) -> bytes | None:
    """The value with each EACC (CJK, three bytes a character) run cut to whole characters, or
    None when every run is whole (pymarc would write to stderr and blank a broken one)."""
    if b"\x1b$1" not in value or all(len(m.group(1)) % 3 == 0 for m in _EACC_RUN.finditer(value)):
        return None
    return _EACC_RUN.sub(lambda m: b"\x1b$1" + m.group(1)[:len(m.group(1)) - len(m.group(1)) % 3], value)


def _marc8_decoder(warnings: list[Problem]):
    broken = Problem(N_("A MARC-8 escape sequence is broken; unreadable characters were replaced by \u201c\ufffd\u201d."))

    def decode(value: bytes) -> str:
        if value.isascii() and b"\x1b" not in value:
            return nfc(value.decode("ascii"))
        whole = _whole_eacc(value)
        if whole is not None:
            value = whole
            if broken not in warnings:
                warnings.append(broken)
        try:
            return nfc(MARC8ToUnicode(quiet=True).translate(value))
        except (IndexError, TypeError, KeyError, ValueError):
            if broken not in warnings:
                warnings.append(broken)
            return nfc(value.replace(b"\x1b", b"").decode("ascii", "replace"))

    return decode
