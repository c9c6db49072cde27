"""OCR in parts, for workers sharing one object's pages: which pages are left, reading a few.

A page is done for a job once it has OCR text written since the job began (`since`). A part run
twice (its worker was killed after a commit, the job was started again) skips the pages already
read, so no page is read twice and a retried job does only what is left."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from catalog.db import utcnow
from catalog.digital.models import DigitalObject, Page, add_note, pages_without_text, set_page_text
from ingest.scans import images
from ingest.scans.errors import ScanError
from ingest.scans.ocr import ocr_image
from ingest.scans.pipeline import OcrReport


def _left(obj: DigitalObject, *, again: bool, since: dt.datetime) -> list[Page]:
    return [p for p in pages_without_text(obj, include_ocr=again)
            if not (p.text_source == "ocr" and p.updated_at is not None and p.updated_at >= since)]


def pages_left(session: Session, object_id: int, *, again: bool, since: dt.datetime) -> list[int]:
    """Numbers of the object's pages this OCR job still has to read."""
    return [p.number for p in _left(session.get(DigitalObject, object_id), again=again, since=since)]


def read_pages(session_factory: sessionmaker, object_id: int, numbers: list[int], *, again: bool,
               since: dt.datetime, data_dir: Path, languages: str, command: str = "tesseract") -> int:
    """OCR these pages (those still left), one transaction each; returns how many were handled."""
    handled = 0
    for number in numbers:
        with session_factory.begin() as session:
            obj = session.get(DigitalObject, object_id)
            page = next((p for p in _left(obj, again=again, since=since) if p.number == number), None)
            if page is None:
                continue  # read by an earlier run of this part
            obj.ocr_status = "running"
            try:
                result = ocr_image(images.safe_join(data_dir, page.image_path), languages=languages, command=command)
            except ScanError as exc:
                add_note(obj, f"page {page.number}: {exc.message}")
            else:
                set_page_text(page, text=result.text, words=result.words, source="ocr",
                              confidence=result.confidence, now=max(utcnow(), since))
            handled += 1
    return handled


def finish_ocr(session: Session, object_id: int, *, again: bool, since: dt.datetime, pages: int,
               missing: list[str]) -> OcrReport:
    """The object's OCR state once every part has run: done, partial or failed."""
    obj = session.get(DigitalObject, object_id)
    failed = len(_left(obj, again=again, since=since))
    read = max(pages - failed, 0)
    obj.ocr_status = "done" if not failed else ("partial" if read else "failed")
    if missing:
        add_note(obj, f"OCR ran without {'+'.join(missing)} (not installed).")
    message = f"{failed} page(s) could not be read: see the object's notes." if failed else ""
    return OcrReport(object_id, obj.ocr_status, read, failed, message)
