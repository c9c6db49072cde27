"""Errors of scan ingest: each names the file and says why, in words a librarian understands."""
from __future__ import annotations

from catalog.errors import CatalogError


class ScanError(CatalogError):
    """A file (or the whole input) could not be ingested."""


class NothingToIngest(ScanError):
    """No page at all could be read from the input."""


class IiifError(ScanError):
    """A IIIF Image API request with a bad parameter (400)."""


class StorageError(ScanError):
    """The data directory could not be written (read-only, full, a file in the way): 503."""

    status = 503
