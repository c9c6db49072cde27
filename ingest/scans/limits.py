"""Limits that protect the server from hostile or accidental input (all configurable)."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Limits:
    max_page_pixels: int = 100_000_000     # LIBRARY_MAX_PAGE_PIXELS: a 300-megapixel page is refused
    max_file_bytes: int = 1024 * 1024 * 1024  # LIBRARY_MAX_SCAN_FILE_BYTES
    max_pages: int = 2000                  # LIBRARY_MAX_SCAN_PAGES: pages per ingest
    max_zip_members: int = 5000            # LIBRARY_MAX_ZIP_MEMBERS
    max_zip_bytes: int = 4 * 1024 ** 3     # LIBRARY_MAX_ZIP_BYTES: uncompressed total
    max_zip_ratio: int = 200               # a member expanding more than this is a zip bomb
    # All members together may expand to this many times the archive's size (scans hardly
    # compress; many small members of zeros do), but always to 64 MB: LIBRARY_MAX_ZIP_TOTAL_RATIO.
    max_zip_total_ratio: int = 20
    pdf_dpi: int = 300                     # LIBRARY_PDF_DPI: rendering resolution of PDF pages
    pdf_min_dpi: int = 72                  # below this a page is too large to render usefully
    pdf_max_render_pixels: int = 40_000_000  # LIBRARY_PDF_MAX_RENDER_PIXELS: larger pages render at lower dpi

    @classmethod
    def from_config(cls, config) -> Limits:
        """Limits from a mapping with the LIBRARY_ names without prefix (Flask config)."""
        names = {
            "max_page_pixels": "MAX_PAGE_PIXELS", "max_file_bytes": "MAX_SCAN_FILE_BYTES",
            "max_pages": "MAX_SCAN_PAGES", "max_zip_members": "MAX_ZIP_MEMBERS", "max_zip_bytes": "MAX_ZIP_BYTES",
            "max_zip_total_ratio": "MAX_ZIP_TOTAL_RATIO",
            "pdf_dpi": "PDF_DPI", "pdf_max_render_pixels": "PDF_MAX_RENDER_PIXELS",
        }
        values = {field: int(config[key]) for field, key in names.items() if config.get(key) not in (None, "")}
        return cls(**values)
