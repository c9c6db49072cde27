"""WTForms' and Flask-WTF's own messages ("This field is required.") in the interface language.

WTForms ships no Vietnamese catalogue, so its built-in messages are listed here (the build script
extracts them into our catalogue, app/translations/vi/forms.py translates them) and every form
looks them up through Flask-Babel instead of WTForms' bundled catalogues."""
from __future__ import annotations

import flask_wtf.form
from flask import Flask
from flask_babel import gettext

from catalog.errors import N_

MESSAGES = (
    N_("This field is required."), N_("Invalid input."), N_("Invalid email address."), N_("Invalid URL."),
    N_("Not a valid choice."), N_("Not a valid integer value."), N_("Not a valid decimal value."),
    N_("Not a valid float value."), N_("Not a valid date value."), N_("Not a valid datetime value."),
    N_("Not a valid time value."), N_("Number must be at least %(min)s."), N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."), N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."), N_("Date must be between %(min)s and %(max)s."),
    N_("Field must be at least %(min)d character long."), N_("Field must be at least %(min)d characters long."),
    N_("Field cannot be longer than %(max)d character."), N_("Field cannot be longer than %(max)d characters."),
    N_("Field must be exactly %(max)d character long."), N_("Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."), N_("Field must be equal to %(other_name)s."),
    N_("Invalid value, must be one of: %(values)s."), N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("'%(value)s' is not a valid choice for this field."), N_("'%(value)s' are not valid choices for this field."),
    N_("Invalid CSRF Token."), N_("The CSRF token is missing."), N_("The CSRF token has expired."),
    N_("The CSRF token is invalid."), N_("The CSRF tokens do not match."),
    N_("The CSRF session token is missing."),
)


class Translations:
    """The gettext/ngettext pair WTForms asks for, answered from our own catalogue."""

    def gettext(self, string: str) -> str:
        return gettext(string) if string else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def init_app(app: Flask) -> None:
    """Route every form's built-in messages through our catalogue (Flask-WTF reads this name)."""
    flask_wtf.form.translations = Translations()
