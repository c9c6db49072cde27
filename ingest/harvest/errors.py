"""Errors of the harvest part: catalog errors, so the app maps them in one place."""
from __future__ import annotations

from ingest.marc.errors import MarcError, MarcFileError


class DcFileError(MarcFileError):
    """A whole Dublin Core file cannot be read: missing, empty, neither DC XML nor a DC CSV."""


class HarvestError(MarcError):
    """A harvest could not go on (the partner's server, the network, its answer)."""

    status = 502


class UnsafeXml(HarvestError):
    """XML with a document type or entity declarations (XXE, billion laughs): refused unread."""


class OaiProtocolError(HarvestError):
    """The partner answered with an OAI-PMH error (badArgument, badResumptionToken, ...)."""

    def __init__(self, template: str, *, code: str = "", **params):
        super().__init__(template, code=code, **params)
        self.code, self.response_date = code, ""
