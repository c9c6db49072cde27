"""Errors of the MARC part. They are catalog errors so the app maps them in one place."""
from catalog.errors import CatalogError


class MarcError(CatalogError):
    """Base of MARC ingest and export errors."""


class MarcFileError(MarcError):
    """A whole file cannot be read: missing, empty, not MARC."""


class MarcStorageError(MarcError):
    """The data folder cannot be written (read-only, full, not a folder): nothing was lost."""

    status = 503
