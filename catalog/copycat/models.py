"""A copy-cataloguing target: another library's catalogue searched over SRU or Z39.50."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db import Base, utcnow

PROTOCOLS = ("sru", "z3950")
# marc21: ISO 2709 (Z39.50 "usmarc"); marcxml and dc: SRU record schemas.
RECORD_SYNTAXES = ("marc21", "marcxml", "dc")
# "auto": as the leader says (LDR/09), checked against the bytes.
CHARSETS = ("auto", "utf-8", "marc-8", "iso-8859-1")
SRU_VERSIONS = ("1.2", "2.0")


class CopycatTarget(Base):
    __tablename__ = "copycat_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    protocol: Mapped[str] = mapped_column(String(8), default="z3950")
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer, default=210)
    # Z39.50 database name, or the SRU base path ("sru" for http://host:port/sru).
    database: Mapped[str] = mapped_column(String(255), default="")
    record_syntax: Mapped[str] = mapped_column(String(16), default="marc21")
    charset: Mapped[str] = mapped_column(String(16), default="auto")
    sru_version: Mapped[str] = mapped_column(String(4), default="1.2")
    # MARC organisation code written to 003 / 035 of copied records (the name when empty).
    org_code: Mapped[str] = mapped_column(String(32), default="")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    timeout: Mapped[int] = mapped_column(Integer, default=5)  # seconds
    last_tested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_test_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_test_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def source_code(self) -> str:
        """What 003 and the 035 prefix say: the organisation code, else the name."""
        return (self.org_code or self.name).strip()

    def __repr__(self) -> str:
        return f"<CopycatTarget {self.id} {self.name!r} {self.protocol}>"
