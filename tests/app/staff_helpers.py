"""Shared helpers of the staff tests."""
from __future__ import annotations

import pypdfium2
from sqlalchemy import select

from catalog.audit import AuditEntry
from catalog.copies.items import Item
from catalog.libraries import Library


def pdf_text(data: bytes) -> str:
    """All text of a PDF (to check what a label or card shows)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        parts = []
        for page in pdf:
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(parts)
    finally:
        pdf.close()


def library_id(session, code: str) -> int:
    return session.scalar(select(Library.id).where(Library.code == code))


def item_of(session, library_code: str) -> Item:
    """A copy whose home is this library."""
    return session.scalars(
        select(Item).join(Library, Item.home_library_id == Library.id).where(Library.code == library_code)
        .order_by(Item.id)
    ).first()


def denied_entries(session) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "denied")))
