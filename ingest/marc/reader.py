"""Streaming, permissive readers for ISO 2709 and MARCXML.

Each yields ReadResult: a pymarc.Record (Unicode, NFC) with warnings, or a failure with the reason,
always with the file name, the record's ordinal (1-based) and byte offset, and its raw bytes.
A record that cannot be read never stops the file. Memory stays flat: the file is read in blocks.

ISO 2709 records are split on the record terminator (0x1D) rather than trusting the leader's
length, and fields are located through the directory's offsets, each running to its field
terminator (0x1E): wrong record lengths, wrong field lengths and oversize fields still read.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Iterator

import pymarc
from pymarc import Field, Indicators, Subfield

from catalog.errors import N_
from ingest.marc.errors import MarcFileError
from ingest.marc.charsets import decoder as _decoder, nfc as _nfc
from ingest.marc.marcjson import clean_leader, is_control_tag
from ingest.marc.results import Problem, ReadResult
from ingest.marc.units import BLOCK, RECORD_END, iso2709_units, junk_unit

FIELD_END, SUBFIELD = b"\x1e", b"\x1f"
_TAG = re.compile(rb"^[ -~]{3}$")
_ENTRY = re.compile(rb"[0-9A-Za-z]{3}\d{9}")
# The codes MARC21slim allows for a subfield (its subfieldcodeDataType): "<" and "." are kept.
SUBFIELD_CODES = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "!\"#$%&'()*+,-./:;<=>?{}_^`~[]\\")


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
        return junk_unit(*unit[1:])
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
