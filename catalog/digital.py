"""Digital objects (scanned books, PDFs) and their pages, with page text for search inside."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.db import Base, utcnow
from catalog.records import Record

# Who may read and download: open licences allow both; in-library only allows reading on site.
LICENCES = ("cc-by", "cc-by-sa", "cc-by-nc", "cc-by-nc-sa", "cc-by-nd", "cc-by-nc-nd", "cc0", "public-domain",
            "in-library", "all-rights-reserved")


class DigitalObject(Base):
    __tablename__ = "digital_object"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(String(500), default="")
    licence: Mapped[str] = mapped_column(String(32), default="in-library")
    source_kind: Mapped[str] = mapped_column(String(16), default="images")  # images | pdf
    source_name: Mapped[str] = mapped_column(String(500), default="")
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    ocr_status: Mapped[str] = mapped_column(String(16), default="none")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    record: Mapped[Record] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="object", order_by="Page.number", cascade="all, delete-orphan"
    )


class Page(Base):
    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("object_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("digital_object.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # Relative to LIBRARY_DATA_DIR.
    image_path: Mapped[str] = mapped_column(String(500), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str] = mapped_column(String(16), default="none")  # none | ocr | pdf | manual
    confidence: Mapped[float | None] = mapped_column(Float)
    # Word boxes: [[word, x, y, w, h], ...] in page pixels.
    words: Mapped[list | None] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    object: Mapped[DigitalObject] = relationship(back_populates="pages")
