"""Errors of the search side. They are CatalogErrors, so app/errors.py maps them like the rest."""
from catalog.errors import CatalogError


class SearchIndexError(CatalogError):
    """Base of every search-index error."""

    status = 503


class IndexUnavailable(SearchIndexError):
    """The index directory cannot be opened or written (missing, locked too long, damaged)."""


class IndexBusy(SearchIndexError):
    """Another process held the index lock for longer than we wait; the records stay stale."""


class IndexMissing(IndexUnavailable):
    """There is no index yet (`reindex` builds one)."""
