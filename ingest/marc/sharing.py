"""One record as the XML other systems ask for over SRU and unAPI: MARCXML (the export's, valid
MARC21slim) and Dublin Core (the OAI-PMH oai_dc mapping, also under SRU's own DC schema)."""
from __future__ import annotations

from catalog.records.models import Record
from ingest.marc import oai
from ingest.marc.export import MARCXML_NS, record_marc, to_marcxml
from ingest.marc.marcjson import marc_json_to_record

SRW_DC_NS = "info:srw/schema/1/dc-schema"
_OAI_DC_OPEN = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
                'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">')


def marcxml_record(record: Record) -> str:
    """<record xmlns="http://www.loc.gov/MARC21/slim">…</record>, repaired for MARC21slim."""
    xml = to_marcxml(marc_json_to_record(record_marc(record))).decode("utf-8")
    return xml.replace("<record", f'<record xmlns="{MARCXML_NS}"', 1)


def oai_dc_record(record: Record, record_url: str) -> str:
    """<oai_dc:dc>…</oai_dc:dc>, exactly as OAI-PMH gives it; record_url has "{id}"."""
    repository = oai.Repository(base_url="", record_url=record_url, name="", admin_emails=[])
    return oai._dublin_core(record, repository)


def srw_dc_record(record: Record, record_url: str) -> str:
    """The same elements under SRU's DC schema (info:srw/schema/1/dc-v1.1): <srw_dc:dc>."""
    xml = oai_dc_record(record, record_url)
    body = xml[len(_OAI_DC_OPEN):-len("</oai_dc:dc>")] if xml.startswith(_OAI_DC_OPEN) else ""
    return (f'<srw_dc:dc xmlns:srw_dc="{SRW_DC_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"{body}</srw_dc:dc>")
