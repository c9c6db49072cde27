"""Streaming, permissive readers for ISO 2709 and MARCXML.

Each yields ReadResult: a pymarc.Record (Unicode, NFC) with warnings, or a failure with the reason,
always with the file name, the record's ordinal (1-based) and byte offset, and its raw bytes.
A record that cannot be read never stops the file. Memory stays flat: the file is read in blocks.

ISO 2709 records are split on the record terminator (0x1D) rather than trusting the leader's
length, and fields are located through the directory's offsets, each running to its field
terminator (0x1E): wrong record lengths, wrong field lengths and oversize fields still read.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path
from typing import BinaryIO, Iterator

import pymarc
from pymarc import Field, Indicators, Subfield
from pymarc import marc8_mapping
from pymarc.marc8 import MARC8ToUnicode

from catalog.errors import N_
from ingest.marc.errors import MarcFileError
from ingest.marc.marcjson import clean_leader, is_control_tag

RECORD_END, FIELD_END, SUBFIELD = b"\x1d", b"\x1e", b"\x1f"
BLOCK = 1 << 20
_NOT_ANSEL = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in range(0x80, 0x100)
                                          if b not in marc8_mapping.CODESETS[0x45]) + b"]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_TAG = re.compile(rb"^[ -~]{3}$")
_LEADER_START = re.compile(rb"\d{5}[ -~]{7}\d{5}")
_ENTRY = re.compile(rb"[0-9A-Za-z]{3}\d{9}")
_DOUBLE_UTF8 = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")
# The codes MARC21slim allows for a subfield (its subfieldcodeDataType): "<" and "." are kept.
SUBFIELD_CODES = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "!\"#$%&'()*+,-./:;<=>?{}_^`~[]\\")


@dataclasses.dataclass
class Problem:
    """A reason in words a librarian understands: an English template and its parameters."""

    template: str
    params: dict = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


@dataclasses.dataclass
class ReadResult:
    file_name: str
    ordinal: int
    offset: int
    raw: bytes
    record: pymarc.Record | None = None
    warnings: list[Problem] = dataclasses.field(default_factory=list)
    error: Problem | None = None


def detect_format(path: Path, name: str | None = None) -> str:
    """"iso2709" or "marcxml", by content (any extension); MarcFileError when it is neither."""
    name = name or path.name
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise MarcFileError(N_("File {file} does not exist."), file=str(path)) from None
    except (IsADirectoryError, PermissionError) as exc:
        raise MarcFileError(N_("File {file} cannot be opened ({reason})."), file=str(path), reason=exc.strerror) from None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    if not text:
        raise MarcFileError(N_("File {file} is empty."), file=name)
    if text.startswith(b"<"):
        if re.search(rb"<(?:\w+:)?(?:record|collection)[\s>/]", head):
            return "marcxml"
        raise MarcFileError(N_("File {file} is XML but holds no MARCXML record."), file=name)
    if text[:5].isdigit() and text[:24].isascii():
        return "iso2709"
    raise MarcFileError(N_("File {file} is not MARC (neither ISO 2709 nor MARCXML)."), file=name)


def read_file(path: Path, *, name: str | None = None) -> Iterator[ReadResult]:
    """Every record of a MARC file (ISO 2709 or MARCXML, detected by content), in order."""
    for unit in file_units(path, name):
        yield decode_unit(unit)


# ---------------------------------------------------------------- ISO 2709

def _chunks(handle: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(offset, bytes, terminated) for each record-terminated chunk, streamed in blocks."""
    buffer, base = b"", 0
    while True:
        block = handle.read(BLOCK)
        if not block:
            break
        buffer += block
        start = 0
        while True:
            end = buffer.find(RECORD_END, start)
            if end < 0:
                break
            yield base + start, buffer[start:end + 1], True
            start = end + 1
        buffer, base = buffer[start:], base + start
    if buffer:
        yield base, buffer, False


# This many pieces in a row with no record start (no leader) are junk, set aside as one span:
# 30 MB of junk split on every stray 0x1D byte would otherwise be 100,000 rejected "records".
JUNK_RUN = 8


def _pieces(handle: BinaryIO) -> Iterator[tuple[int, bytes, bytes, bool, bool]]:
    """(offset, original bytes, record bytes (b"" when blank), terminated, has a record start) per chunk."""
    for offset, chunk, terminated in _chunks(handle):
        stripped = chunk.lstrip(b"\r\n \t\x00\x1a")
        junk = None if stripped[:5].isdigit() else _LEADER_START.search(stripped[:64])
        if junk is not None:
            stripped = stripped[junk.start():]
        if not stripped.rstrip(RECORD_END + b"\r\n \t\x00"):
            stripped = b""  # blank: no record, but its bytes belong to a junk span around it
        yield offset + len(chunk) - len(stripped), chunk, stripped, terminated, stripped[:5].isdigit()


def iso2709_units(handle: BinaryIO, file_name: str) -> Iterator[tuple]:
    """The raw records of an ISO 2709 stream, not yet decoded (picklable: decode may run elsewhere).
    A run of JUNK_RUN or more pieces without a leader comes out as one "junk" unit."""
    ordinal, run, in_run = 0, [], 0  # in_run: the run's pieces that are not blank
    for offset, chunk, stripped, terminated, has_start in _pieces(handle):
        if not stripped:
            if run:
                run.append((offset, chunk, stripped, terminated))
            continue
        if not has_start:
            found = _LEADER_START.search(stripped) if in_run >= JUNK_RUN - 1 else None
            if found is None:
                run.append((offset, chunk, stripped, terminated))
                in_run += 1
                continue
            # A record right after the junk: its piece starts with the junk's tail.
            tail = len(chunk) - len(stripped) + found.start()
            run.append((offset, chunk[:tail], stripped[:found.start()], False))
            offset, stripped = offset + found.start(), stripped[found.start():]
        for unit in _run_units(run, file_name, ordinal):
            ordinal += 1
            yield unit
        run, in_run = [], 0
        ordinal += 1
        yield ("iso2709", file_name, ordinal, offset, stripped, terminated)
    for unit in _run_units(run, file_name, ordinal):
        ordinal += 1
        yield unit


def _run_units(run: list[tuple], file_name: str, ordinal: int) -> Iterator[tuple]:
    """Leaderless pieces one by one, or, past JUNK_RUN of them, as one span of the original bytes."""
    pieces = [piece for piece in run if piece[2]]
    if len(pieces) < JUNK_RUN:
        for number, (offset, _chunk, stripped, terminated) in enumerate(pieces, start=1):
            yield ("iso2709", file_name, ordinal + number, offset, stripped, terminated)
        return
    start = run[0][0] - (len(run[0][1]) - len(run[0][2]))
    yield ("junk", file_name, ordinal + 1, start, b"".join(chunk for _o, chunk, _s, _t in run), len(pieces))


def _junk_unit(file_name: str, ordinal: int, offset: int, raw: bytes, pieces: int) -> ReadResult:
    result = ReadResult(file_name, ordinal, offset, raw)
    result.error = Problem(N_("{size} bytes from byte {offset} hold no MARC record ({pieces} pieces with no leader); "
                              "they were set aside as one piece. Records before and after them were read."),
                           {"size": len(raw), "offset": offset, "pieces": pieces})
    return result


def _decode_iso_unit(file_name: str, ordinal: int, offset: int, raw: bytes, terminated: bool) -> ReadResult:
    result = ReadResult(file_name, ordinal, offset, raw)
    if not terminated:
        result.error = Problem(N_("The file ends in the middle of this record ({size} bytes, no end-of-record mark): "
                                  "the file was cut short."), {"size": len(raw)})
    else:
        try:
            result.record = decode_iso2709(raw, result.warnings)
        except MarcRecordError as exc:
            result.error = exc.problem
    return result


def read_iso2709(handle: BinaryIO, file_name: str) -> Iterator[ReadResult]:
    """Permissive ISO 2709 reader (see module docstring)."""
    for unit in iso2709_units(handle, file_name):
        yield decode_unit(unit)


def decode_unit(unit: tuple) -> ReadResult:
    """Decode one raw record from iso2709_units or marcxml_units."""
    if unit[0] == "iso2709":
        return _decode_iso_unit(*unit[1:])
    if unit[0] == "junk":
        return _junk_unit(*unit[1:])
    return _decode_xml_unit(*unit[1:])


def file_units(path: Path, name: str | None = None) -> Iterator[tuple]:
    """The raw records of a file (format detected by content), in order, streamed."""
    kind = detect_format(path, name)
    with open(path, "rb") as handle:
        units = iso2709_units if kind == "iso2709" else marcxml_units
        yield from units(handle, name or path.name)


class MarcRecordError(Exception):
    def __init__(self, template: str, **params):
        super().__init__(template.format(**params))
        self.problem = Problem(template, params)


def _declared_directory(data: bytes) -> tuple[bytes, int] | None:
    """The directory the leader's base address delimits, when every entry in it is well formed
    (a record whose directory lost its end mark still reads)."""
    declared = data[12:17]
    if not declared.isdigit():
        return None
    base = int(declared)
    if base <= 24 or base >= len(data) or (base - 25) % 12:
        return None
    directory = data[24:base - 1]
    if directory and all(_ENTRY.fullmatch(directory[i:i + 12]) for i in range(0, len(directory), 12)):
        return directory, base
    return None


def _directory(data: bytes, warnings: list[Problem]) -> tuple[list[tuple[str, int]], int]:
    """Directory entries (tag, offset) and the base address; tolerant of wrong lengths."""
    end = data.find(FIELD_END, 24)
    if end < 0:
        raise MarcRecordError(N_("The record has no directory (no field terminator after the leader)."))
    directory, base = data[24:end], end + 1
    declared = data[12:17]
    found_ok = not len(directory) % 12 and all(
        _TAG.match(directory[i:i + 3]) and directory[i + 7:i + 12].isdigit() for i in range(0, len(directory), 12))
    trusted = _declared_directory(data) if not found_ok else None
    if trusted is not None:
        directory, base = trusted
        warnings.append(Problem(N_("The record's directory had lost its end mark; the leader's base address was used.")))
    elif declared.isdigit() and int(declared) != base:
        warnings.append(Problem(N_("The leader gives the data a wrong start ({declared} instead of {actual}); "
                                   "the real position was used."), {"declared": int(declared), "actual": base}))
    if len(directory) % 12:
        repaired = _repair_directory(data, directory, base)
        if repaired is None:
            raise MarcRecordError(N_("The record's directory is damaged ({size} bytes, not a multiple of 12)."),
                                  size=len(directory))
        warnings.append(Problem(N_("The record's directory was damaged (one byte too many or too few); it was repaired.")))
        directory = repaired
    entries = []
    for i in range(0, len(directory), 12):
        entry = directory[i:i + 12]
        if not _TAG.match(entry[:3]) or not entry[7:12].isdigit():
            raise MarcRecordError(N_("The record's directory is damaged (entry {number}: {entry})."),
                                  number=i // 12 + 1, entry=entry.decode("latin-1"))
        entries.append((entry[:3].decode("ascii"), int(entry[7:12])))
    if not entries:
        raise MarcRecordError(N_("The record has no fields."))
    return entries, base


def _entries_fit(data: bytes, directory: bytes, base: int) -> bool:
    """Every entry is well formed and points just after a field terminator."""
    for i in range(0, len(directory), 12):
        entry = directory[i:i + 12]
        if not _ENTRY.fullmatch(entry):
            return False
        start = base + int(entry[7:12])
        if start >= len(data) or data[start - 1:start] != FIELD_END:
            return False
    return bool(directory)


def _repair_directory(data: bytes, directory: bytes, base: int) -> bytes | None:
    """A directory one byte too long or too short: find the single byte to drop or the "0" to
    restore so that every entry points at a field (seen in real files: Hathi, pride-and-prejudice)."""
    if len(directory) % 12 == 1:
        candidates = (directory[:i] + directory[i + 1:] for i in range(len(directory)))
    elif len(directory) % 12 == 11:
        candidates = (directory[:i] + b"0" + directory[i:] for i in range(len(directory) + 1))
    else:
        return None
    return next((c for c in candidates if _entries_fit(data, c, base)), None)


def _field_bytes(data: bytes, entries: list[tuple[str, int]], base: int) -> list[tuple[str, bytes]]:
    """Each entry's bytes. When the data area holds exactly one field per entry, fields are taken
    in offset order whatever the lengths and offsets say (off-by-one lengths are common);
    otherwise each field runs from its offset to the next field terminator."""
    parts = data[base:].rstrip(RECORD_END + b"\r\n").split(FIELD_END)
    if parts and not parts[-1]:
        parts.pop()
    if len(parts) == len(entries):
        order = sorted(range(len(entries)), key=lambda i: entries[i][1])
        by_entry = {index: parts[rank] for rank, index in enumerate(order)}
        return [(tag, by_entry[i]) for i, (tag, _offset) in enumerate(entries)]
    found = []
    for tag, offset in entries:
        start = base + offset
        if start >= len(data):
            raise MarcRecordError(N_("Field {tag} points past the end of the record."), tag=tag)
        end = data.find(FIELD_END, start)
        found.append((tag, data[start:end if end >= 0 else len(data) - 1]))
    return found


def decode_iso2709(data: bytes, warnings: list[Problem]) -> pymarc.Record:
    """One ISO 2709 record (with its terminator) as a Unicode pymarc.Record; raises MarcRecordError."""
    if len(data) < 25:
        raise MarcRecordError(N_("The record is too short to be MARC ({size} bytes)."), size=len(data))
    leader_bytes = data[:24]
    leader = leader_bytes.decode("latin-1")
    if not leader_bytes.isascii() or not leader[:5].isdigit():
        warnings.append(Problem(N_("The leader is damaged ({leader}); it was repaired."), {"leader": leader.strip()}))
    if leader[:5].isdigit() and int(leader[:5]) != len(data):
        warnings.append(Problem(N_("The leader gives a wrong record length ({declared} instead of {actual})."),
                                {"declared": int(leader[:5]), "actual": len(data)}))
    entries, base = _directory(data, warnings)
    raw_fields = _field_bytes(data, entries, base)
    decode = _decoder(leader, b"".join(v for _t, v in raw_fields), warnings)
    fields = [_field(tag, value, decode, warnings) for tag, value in raw_fields]
    record = pymarc.Record(leader=clean_leader(leader), force_utf8=True)
    record.fields = fields
    return record


def _field(tag: str, value: bytes, decode, warnings: list[Problem]) -> Field:
    if is_control_tag(tag):
        return Field(tag=tag, data=decode(value))
    head, *parts = value.split(SUBFIELD)
    indicators = head.decode("latin-1")
    if len(indicators) != 2:
        warnings.append(Problem(N_("Field {tag} has {count} indicators instead of 2; blanks were used."),
                                {"tag": tag, "count": len(indicators)}))
        indicators = (indicators + "  ")[:2]
    subfields = []
    for part in parts:
        if not part:
            continue
        code, size = part[:1].decode("latin-1"), 1
        if code not in SUBFIELD_CODES:
            size = next((k for k in (2, 3, 4) if _is_utf8(part[:k])), 1) if part[0] >= 0xC0 else 1
            warnings.append(Problem(N_("Field {tag} has a subfield with an invalid code ({code}); it was kept as $?."),
                                    {"tag": tag, "code": part[:size].decode("utf-8", "replace").strip() or repr(code)}))
            code = "?"
        subfields.append(Subfield(code, decode(part[size:])))
    return Field(tag=tag, indicators=Indicators(*indicators), subfields=subfields)


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Control bytes other than the subfield mark (0x1F), which is inside a field's bytes by design.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1e\x7f]")


def _nfc(text: str) -> str:
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


def _decoder(leader: str, body: bytes, warnings: list[Problem]):
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
        return lambda b: _nfc(b.decode("ascii"))
    try:
        body.decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False
    if leader[9] == "a":
        if is_utf8:
            if _DOUBLE_UTF8.search(body.decode("utf-8")):
                return _double_utf8_decoder(warnings)
            return lambda b: _nfc(b.decode("utf-8", "replace"))
        if b"\x1b" in body or re.search(rb"[\xe0-\xfe][A-Za-z]", body) and not re.search(rb"[\xc2-\xdf][\x80-\xbf]", body):
            warnings.append(Problem(N_("The leader says UTF-8 but the text is MARC-8; it was converted from MARC-8.")))
            return _marc8_decoder(warnings)
        warnings.append(Problem(N_("Some bytes are not valid UTF-8; they were replaced by \u201c\ufffd\u201d.")))
        return lambda b: _nfc(b.decode("utf-8", "replace"))
    if is_utf8:
        warnings.append(Problem(N_("The leader says MARC-8 but the text is UTF-8; it was read as UTF-8.")))
        return lambda b: _nfc(b.decode("utf-8", "replace"))
    legacy = _legacy_codepage(body)
    if legacy:
        warnings.append(Problem(N_("The text is neither MARC-8 nor UTF-8; it was read as {encoding}."),
                                {"encoding": legacy}))
        return lambda b: _nfc(b.decode(legacy, "replace"))
    return _marc8_decoder(warnings)


def _double_utf8_decoder(warnings: list[Problem]):
    """UTF-8 that was encoded twice ("rÃ¶mische" for "römische"): undone, with a warning."""
    def decode(value: bytes) -> str:
        text = value.decode("utf-8", "replace")
        if _DOUBLE_UTF8.search(text):
            try:
                fixed = text.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                return _nfc(text)
            problem = Problem(N_("Some text was encoded as UTF-8 twice (“{text}”); it was repaired."),
                              {"text": text[:40]})
            if not any(w.template == problem.template for w in warnings):
                warnings.append(problem)
            return _nfc(fixed)
        return _nfc(text)

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
            return _nfc(value.decode("ascii"))
        whole = _whole_eacc(value)
        if whole is not None:
            value = whole
            if broken not in warnings:
                warnings.append(broken)
        try:
            return _nfc(MARC8ToUnicode(quiet=True).translate(value))
        except (IndexError, TypeError, KeyError, ValueError):
            if broken not in warnings:
                warnings.append(broken)
            return _nfc(value.replace(b"\x1b", b"").decode("ascii", "replace"))

    return decode


# ---------------------------------------------------------------- MARCXML

_START = re.compile(rb"<(?:[\w.-]+:)?record(?=[\s>/])")
_END = re.compile(rb"</(?:[\w.-]+:)?record\s*>|<(?:[\w.-]+:)?record(?:\s[^<>]*)?/>")
_NAMESPACES = re.compile(rb"""xmlns(?::[\w.-]+)?\s*=\s*(["'])[^"']*\1""")
_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([\w.-]+)["']""")


def _xml_snippets(handle: BinaryIO) -> Iterator[tuple[int, bytes, bytes, bool]]:
    """(offset, record bytes, namespace declarations, complete) for each <record> element."""
    buffer, base, pos, declarations, eof = b"", 0, 0, None, False

    def more() -> bool:
        nonlocal buffer, eof
        block = handle.read(BLOCK)
        eof = not block
        buffer += block
        return not eof

    more()
    while True:
        begin = _START.search(buffer, pos)
        comment = buffer.find(b"<!--", pos)
        if comment >= 0 and (begin is None or comment < begin.start()):
            close = buffer.find(b"-->", comment + 4)
            if close < 0:
                if eof:
                    return
                base, buffer, pos = base + comment, buffer[comment:], 0
                more()
                continue
            pos = close + 3  # records inside comments are not records
            continue
        if begin is None:
            if eof:
                return
            base, buffer, pos = base + max(pos, len(buffer) - 64), buffer[max(pos, len(buffer) - 64):], 0
            more()
            continue
        if declarations is None:
            declarations = b" ".join(m.group(0) for m in _NAMESPACES.finditer(buffer[:begin.start()]))
        end = _END.search(buffer, begin.start())
        if end is None and not eof:
            base, buffer, pos = base + begin.start(), buffer[begin.start():], 0
            more()
            continue
        self_closing = end is not None and end.start() == begin.start()
        nested = None if self_closing else _START.search(buffer, begin.end(), end.start() if end else len(buffer))
        if end is None or nested is not None:
            stop = nested.start() if nested is not None else len(buffer)
            yield base + begin.start(), buffer[begin.start():stop], declarations, False
            pos = stop
            continue
        yield base + begin.start(), buffer[begin.start():end.end()], declarations, True
        pos = end.end()


def marcxml_units(handle: BinaryIO, file_name: str) -> Iterator[tuple]:
    """The raw <record> elements of a MARCXML stream, not yet parsed."""
    head = handle.read(512)
    handle.seek(0)
    found = _ENCODING.search(head)
    encoding = found.group(1).decode("ascii") if found else "utf-8"
    for ordinal, (offset, snippet, declarations, complete) in enumerate(_xml_snippets(handle), start=1):
        yield ("marcxml", file_name, ordinal, offset, snippet, declarations, complete, encoding)


def _decode_xml_unit(file_name: str, ordinal: int, offset: int, snippet: bytes, declarations: bytes,
                     complete: bool, encoding: str) -> ReadResult:
    from xml.etree import ElementTree

    result = ReadResult(file_name, ordinal, offset, snippet)
    if not complete:
        result.error = Problem(N_("This record is not closed (no </record>): the file is cut short or broken."))
        return result
    wrapped = b"<wrap " + declarations + b">" + snippet + b"</wrap>"
    try:
        element = ElementTree.fromstring(wrapped.decode(encoding, "strict"))[0]
        result.record = _record_from_xml(element, result.warnings)
    except (UnicodeDecodeError, LookupError):
        result.error = Problem(N_("The record has bytes that are not valid {encoding}."), {"encoding": encoding})
    except ElementTree.ParseError as exc:
        result.error = Problem(N_("The record is not well-formed XML ({reason})."), {"reason": str(exc)})
    except MarcRecordError as exc:
        result.error = exc.problem
    return result


def read_marcxml(handle: BinaryIO, file_name: str) -> Iterator[ReadResult]:
    """MARCXML (with or without namespace, <collection> or a single <record>); each record is
    parsed on its own, so one broken record does not lose the others."""
    for unit in marcxml_units(handle, file_name):
        yield decode_unit(unit)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _record_from_xml(element, warnings: list[Problem]) -> pymarc.Record:
    leader = ""
    fields: list[Field] = []
    for child in element:
        name = _local(child.tag)
        if name == "leader":
            leader = child.text or ""
        elif name == "controlfield":
            tag = child.get("tag")
            if not tag:
                warnings.append(Problem(N_("A control field has no tag; it was left out: {text}"),
                                        {"text": (child.text or "")[:60]}))
                continue
            fields.append(Field(tag=tag, data=_nfc(child.text or "")))
        elif name == "datafield":
            field = _datafield_from_xml(child, warnings)
            if field is not None:
                fields.append(field)
    if not fields:
        raise MarcRecordError(N_("The record has no fields."))
    if len(leader) != 24:
        warnings.append(Problem(N_("The leader is damaged ({leader}); it was repaired."), {"leader": leader.strip()}))
    record = pymarc.Record(leader=clean_leader(leader), force_utf8=True)
    record.fields = fields
    return record


def _datafield_from_xml(child, warnings: list[Problem]) -> Field | None:
    tag = child.get("tag")
    subfields = []
    for sub in child:
        if _local(sub.tag) != "subfield":
            continue
        code = sub.get("code")
        if not code:
            warnings.append(Problem(N_("Field {tag} has a subfield without a code; it was kept as $?."),
                                    {"tag": tag or "?"}))
            code = "?"
        subfields.append(Subfield(code[:1], _nfc(sub.text or "")))
    if not tag:
        text = " ".join(s.value for s in subfields)[:60]
        warnings.append(Problem(N_("A data field has no tag; it was left out: {text}"), {"text": text}))
        return None
    indicators = [(child.get(name) or " ")[:1] for name in ("ind1", "ind2")]
    return Field(tag=tag, indicators=Indicators(*indicators), subfields=subfields)
