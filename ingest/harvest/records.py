"""One OAI-PMH <record> (or a DC container) -> a ReadResult holding a pymarc.Record: Dublin Core
through the crosswalk (ingest/harvest/dc.py), MARCXML through the MARC import's own reader."""
from __future__ import annotations

import dataclasses
from xml.etree import ElementTree

from catalog.errors import N_
from ingest.harvest.dc import DC_NS, dc_values, local, marc_from_dc
from ingest.marc.reader import _decode_xml_unit
from ingest.marc.results import Problem, ReadResult

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
MARC_NS = "http://www.loc.gov/MARC21/slim"


@dataclasses.dataclass
class OaiItem:
    """A record of a ListRecords/GetRecord answer: its header and what it reads as."""

    identifier: str
    datestamp: str
    is_deleted: bool
    result: ReadResult


def raw_of(element: ElementTree.Element) -> bytes:
    return ElementTree.tostring(element, encoding="utf-8")


def _is_marc(element: ElementTree.Element) -> bool:
    return local(element.tag) == "record" and any(
        local(child.tag) in ("leader", "controlfield", "datafield") for child in element)


def result_from_metadata(metadata: ElementTree.Element | None, file_name: str, ordinal: int, offset: int,
                         raw: bytes, *, oai_identifier: str = "") -> ReadResult:
    """What one record's metadata reads as: MARC, Dublin Core, or a rejection with the reason."""
    marc = next((child for child in metadata.iter() if _is_marc(child)), None) if metadata is not None else None
    if marc is not None:
        result = _decode_xml_unit(file_name, ordinal, offset, raw_of(marc), b"", True, "utf-8")
        result.raw = raw
        return result
    result = ReadResult(file_name, ordinal, offset, raw)
    values = dc_values(metadata) if metadata is not None else {}
    if not values:
        result.error = Problem(N_("The record holds neither Dublin Core elements nor a MARC record."))
        return result
    result.record, result.warnings = marc_from_dc(values, oai_identifier=oai_identifier)
    return result


def oai_item(element: ElementTree.Element, file_name: str, ordinal: int, offset: int) -> OaiItem:
    """An OAI-PMH <record>: header (identifier, datestamp, deleted) and its metadata read."""
    header = element.find(f"{{{OAI_NS}}}header")
    identifier = datestamp = ""
    is_deleted = False
    if header is not None:
        identifier = (header.findtext(f"{{{OAI_NS}}}identifier") or "").strip()
        datestamp = (header.findtext(f"{{{OAI_NS}}}datestamp") or "").strip()
        is_deleted = header.get("status") == "deleted"
    raw = raw_of(element)
    if is_deleted:
        return OaiItem(identifier, datestamp, True, ReadResult(file_name, ordinal, offset, raw))
    if not identifier:
        result = ReadResult(file_name, ordinal, offset, raw)
        result.error = Problem(N_("The OAI-PMH record has no header identifier."))
        return OaiItem("", datestamp, False, result)
    metadata = element.find(f"{{{OAI_NS}}}metadata")
    result = result_from_metadata(metadata, file_name, ordinal, offset, raw, oai_identifier=identifier)
    return OaiItem(identifier[:500], datestamp, False, result)


def is_oai_record(element: ElementTree.Element, depth: int) -> bool:
    return element.tag == f"{{{OAI_NS}}}record"


def is_dc_container(element: ElementTree.Element, depth: int) -> bool:
    """An element holding dc: elements directly (<oai_dc:dc>, <record>, <metadata>)."""
    if element.tag.startswith(f"{{{DC_NS}}}"):
        return False
    return any(isinstance(child.tag, str) and child.tag.startswith(f"{{{DC_NS}}}") for child in element)
