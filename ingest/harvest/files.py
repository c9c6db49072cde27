"""Dublin Core files, detected by content: an OAI-PMH response (ListRecords or GetRecord; oai_dc,
or marc21 read as MARC), a DC XML file (simpledc, <metadata> of dc: elements, one or many
records) or a CSV with Dublin Core columns (UTF-8 with or without BOM, repeated values split on
";"). Each record reads as a ReadResult like the MARC readers' (ordinal, byte offset, raw bytes)."""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterator
from xml.etree import ElementTree

from catalog.errors import N_
from ingest.harvest.dc import ELEMENTS, marc_from_dc
from ingest.harvest.errors import DcFileError, UnsafeXml
from ingest.harvest.records import OAI_NS, is_dc_container, is_oai_record, oai_item, result_from_metadata, raw_of
from ingest.harvest.safexml import iter_elements
from ingest.marc.results import Problem, ReadResult

HEAD = 16 * 1024
_COLUMN = re.compile(r"^\s*(?:dc[:.]|dcterms[:.])?([a-z]+)\s*$", re.IGNORECASE)
_OAI = re.compile(rb"<(?:[\w.-]+:)?OAI-PMH[\s>]")
_DC = re.compile(rb"http://purl\.org/dc/elements/1\.1/?")


def _head(path: Path, name: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD)
    except FileNotFoundError:
        raise DcFileError(N_("File {file} does not exist."), file=str(path)) from None
    except (IsADirectoryError, PermissionError) as exc:
        raise DcFileError(N_("File {file} cannot be opened ({reason})."), file=str(path), reason=exc.strerror) from None


def _csv_columns(head: bytes) -> list[str]:
    """The DC element each column holds ('' for others), when the first line is a DC header."""
    text = head.decode("utf-8-sig", "replace")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    names = next(csv.reader([first], delimiter=delimiter), [])
    columns = []
    for name in names:
        found = _COLUMN.match(name)
        columns.append(found.group(1).lower() if found and found.group(1).lower() in ELEMENTS else "")
    return columns if "title" in columns and sum(1 for c in columns if c) >= 2 else []


def sniff(path: Path, name: str | None = None) -> str | None:
    """"oai", "dcxml" or "csv" when the file is Dublin Core by its content, else None."""
    head = _head(path, name or path.name)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        if _OAI.search(head):  # oai_dc, or marc21 (the MARC reader cannot unwrap OAI-PMH records)
            return "oai"
        return "dcxml" if _DC.search(head) else None
    return "csv" if text and _csv_columns(head) else None


def detect(path: Path, name: str | None = None) -> str:
    """The DC kind of the file; DcFileError naming the file when it is none (or empty)."""
    name = name or path.name
    head = _head(path, name)
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n\x00"):
        raise DcFileError(N_("File {file} is empty."), file=name)
    kind = sniff(path, name)
    if kind is None:
        raise DcFileError(N_("File {file} is not Dublin Core (neither an OAI-PMH response, DC XML, nor a CSV with a "
                             "title column and other Dublin Core columns)."), file=name)
    return kind


def read_dc_file(path: Path, *, name: str | None = None) -> Iterator[ReadResult]:
    """Every record of a DC file, in order; a record that cannot be read never stops the file.
    The file as a whole (wrong kind, an OAI-PMH error answer, unsafe XML) raises DcFileError."""
    name = name or path.name
    kind = detect(path, name)
    if kind == "csv":
        yield from _read_csv(path, name)
    else:
        yield from _read_xml(path, name, kind)


def _read_xml(path: Path, name: str, kind: str) -> Iterator[ReadResult]:
    wanted = is_oai_record if kind == "oai" else is_dc_container
    ordinal = 0
    with open(path, "rb") as handle:
        try:
            for offset, element in iter_elements(handle, lambda e, d: wanted(e, d) or _is_oai_error(e)):
                if _is_oai_error(element):
                    if ordinal == 0:
                        raise DcFileError(N_("File {file} is an OAI-PMH error answer ({code}: {text}); it holds no "
                                             "records."), file=name, code=element.get("code") or "?",
                                          text=(element.text or "").strip()[:200])
                    continue
                ordinal += 1
                if kind == "oai":
                    item = oai_item(element, name, ordinal, offset)
                    if item.is_deleted:
                        ordinal -= 1
                        continue
                    yield item.result
                else:
                    yield result_from_metadata(element, name, ordinal, offset, raw_of(element))
        except UnsafeXml as exc:
            raise DcFileError(N_("File {file} was refused: {reason}"), file=name, reason=exc.message) from None
        except ElementTree.ParseError as exc:
            if ordinal == 0:
                raise DcFileError(N_("File {file} is not well-formed XML ({reason}); no record could be read."),
                                  file=name, reason=str(exc)) from None
            result = ReadResult(name, ordinal + 1, exc.position[0] if exc.position else 0, b"")
            result.error = Problem(N_("The file stops being well-formed XML here ({reason}): it is cut short or "
                                      "broken. The records before this point were read."), {"reason": str(exc)})
            yield result


def _is_oai_error(element: ElementTree.Element) -> bool:
    return element.tag == f"{{{OAI_NS}}}error"


def _lines(handle) -> Iterator[tuple[int, str]]:
    """(byte offset, line) of a UTF-8 file; bytes that are not UTF-8 stay as surrogates."""
    offset = 0
    for raw in handle:
        start = offset
        offset += len(raw)
        if start == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        yield start, raw.decode("utf-8", "surrogateescape")


def _read_csv(path: Path, name: str) -> Iterator[ReadResult]:
    with open(path, "rb") as handle:
        columns = _csv_columns(handle.read(HEAD))
        handle.seek(0)
        lines = _lines(handle)
        positions: list[int] = []

        def feed() -> Iterator[str]:
            for offset, line in lines:
                positions.append(offset)
                yield line

        header = next(feed(), "")
        delimiter = "\t" if header.count("\t") > header.count(",") else ","
        reader = csv.reader(feed(), delimiter=delimiter)
        ordinal = 0
        while True:
            mark = len(positions)
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                ordinal += 1
                result = ReadResult(name, ordinal, positions[mark] if mark < len(positions) else 0, b"")
                result.error = Problem(N_("This CSV row cannot be read ({reason})."), {"reason": str(exc)})
                yield result
                return
            if not any(cell.strip() for cell in row):
                continue
            ordinal += 1
            offset = positions[mark] if mark < len(positions) else 0
            raw = delimiter.join(row).encode("utf-8", "surrogateescape")
            yield _csv_result(name, ordinal, offset, raw, columns, row)


def _csv_result(name: str, ordinal: int, offset: int, raw: bytes, columns: list[str], row: list[str]) -> ReadResult:
    result = ReadResult(name, ordinal, offset, raw)
    if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
        result.error = Problem(N_("This CSV row has bytes that are not valid UTF-8 (save the file as UTF-8)."))
        return result
    values: dict[str, list[str]] = {}
    for column, cell in zip(columns, row):
        if column:
            values.setdefault(column, []).extend(v.strip() for v in cell.split(";") if v.strip())
    if len(row) > len(columns):
        result.warnings.append(Problem(N_("This CSV row has {count} cells but the header names {columns}; the "
                                          "extra cells were left out."), {"count": len(row), "columns": len(columns)}))
    if not values:
        result.error = Problem(N_("This CSV row holds no Dublin Core value."))
        return result
    result.record, warnings = marc_from_dc({k: [" ".join(v.split()) for v in vs] for k, vs in values.items()})
    result.warnings += warnings
    return result
