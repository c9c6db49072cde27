"""Domain errors. Each carries a message a librarian understands; app/errors.py maps them."""


def N_(template: str) -> str:
    """Mark a message template for translation (extracted by pybabel; app/errors.py translates)."""
    return template


class CatalogError(Exception):
    """Base of every domain error: a message template (English, translated by the app), its
    parameters, and the form field it concerns."""

    status = 400

    def __init__(self, template: str, *, field: str | None = None, **params):
        self.template = template
        self.params = params
        self.field = field
        self.message = template.format(**params)
        super().__init__(self.message)


class NotFound(CatalogError):
    status = 404


class RecordNotFound(NotFound):
    pass


class ItemNotFound(NotFound):
    pass


class LibraryNotFound(NotFound):
    pass


class UserNotFound(NotFound):
    pass


class DuplicateBarcode(CatalogError):
    status = 409


class DuplicateCode(CatalogError):
    status = 409


class InvalidLibraryTree(CatalogError):
    pass


class ValidationError(CatalogError):
    pass


class PermissionDenied(CatalogError):
    status = 403
