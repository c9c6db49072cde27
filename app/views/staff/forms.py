"""Forms of the staff pages (Flask-WTF, CSRF on every one) and the helper that puts a domain
error next to the field it concerns, keeping what was typed."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField, SelectChoice, IntegerField, PasswordField, SelectField, StringField, TextAreaField, ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.display import labels
from app.db import get_session
from app.errors import translate_error
from catalog.errors import DuplicateBarcode, DuplicateCode, NotFound
from catalog.errors import ValidationError as DomainValidationError
from catalog.records.models import RECORD_TYPES, RecordDraft
from ingest.marc.isbn import is_valid_isbn

T = TypeVar("T")
SCHEMES = [("ddc", "DDC"), ("udc", "UDC"), ("bbk", "BBK"), ("lcc", "LCC"), ("other", "other")]


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


def lines(text: str | None) -> list[str]:
    """Non-empty lines of a textarea, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def attempt(form: FlaskForm, action: Callable[[], T]) -> T | None:
    """Run a service call; a validation or duplicate error goes next to its field (the typed
    values stay), the transaction is rolled back, and None is returned. Permission errors pass on."""
    try:
        return action()
    except (DomainValidationError, DuplicateBarcode, DuplicateCode, NotFound) as error:
        get_session().rollback()
        field = getattr(form, error.field, None) if error.field else None
        problems = getattr(error, "problems", None)
        messages = [_(p.template).format(**p.params) for p in problems] if problems else [translate_error(error)]
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages] if isinstance(field.errors, list) else messages
        else:
            form.form_errors.extend(messages)
        return None


def _isbn_lines(_form, field) -> None:
    bad = [isbn for isbn in lines(field.data) if not is_valid_isbn(isbn.split()[0])]
    if bad:
        raise ValidationError(_l("ISBN %(isbn)s has a wrong check digit or length.", isbn=bad[0]))


def _language_codes(_form, field) -> None:
    codes = [c.strip() for c in (field.data or "").replace(";", ",").split(",") if c.strip()]
    if any(len(c) != 3 or not c.isalpha() for c in codes):
        raise ValidationError(_l("Write languages as three-letter codes separated by commas, such as vie, eng."))


class RecordForm(FlaskForm):
    title = StringField(_l("Title proper"), validators=[DataRequired(), Length(max=2000)])
    subtitle = StringField(_l("Subtitle"), validators=[Length(max=2000)])
    responsibility = StringField(_l("Statement of responsibility"), validators=[Length(max=2000)])
    authors = TextAreaField(_l("Authors (one a line)"), validators=[Length(max=10000)])
    subjects = TextAreaField(_l("Subjects (one a line)"), validators=[Length(max=10000)])
    publisher = StringField(_l("Publisher"), validators=[Length(max=500)])
    place = StringField(_l("Place of publication"), validators=[Length(max=500)])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1000, max=2100)])
    languages = StringField(_l("Languages (codes)"), validators=[_language_codes, Length(max=200)])
    record_type = SelectField(_l("Type of material"), choices=[SelectChoice(t, labels.RECORD_TYPE.get(t, t)) for t in RECORD_TYPES], default="book")
    isbns = TextAreaField(_l("ISBN (one a line)"), validators=[_isbn_lines, Length(max=2000)])
    scheme = SelectField(_l("Classification scheme"), choices=[SelectChoice(v, label) for v, label in SCHEMES], default="ddc")
    classification = StringField(_l("Classification number"), validators=[Length(max=100)])
    call_number = StringField(_l("Call number"), validators=[Length(max=255)])
    edition = StringField(_l("Edition"), validators=[Length(max=500)])
    physical_description = StringField(_l("Physical description"), validators=[Length(max=500)])
    series = TextAreaField(_l("Series (one a line)"), validators=[Length(max=2000)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=20000)])
    notes = TextAreaField(_l("Notes (one a line)"), validators=[Length(max=20000)])

    def fill(self, draft: RecordDraft) -> None:
        """Show a record's fields."""
        for name in ("title", "subtitle", "responsibility", "publisher", "place", "year", "record_type",
                     "call_number", "edition", "physical_description", "summary"):
            getattr(self, name).data = getattr(draft, name)
        for name in ("authors", "subjects", "isbns", "series", "notes"):
            getattr(self, name).data = "\n".join(getattr(draft, name))
        self.languages.data = ", ".join(draft.languages)
        if draft.classifications:
            self.scheme.data = draft.classifications[0].get("scheme", "ddc")
            self.classification.data = draft.classifications[0].get("number", "")

    def draft(self, base: RecordDraft | None = None) -> RecordDraft:
        """The draft typed in the form; fields the form does not show come from `base`."""
        draft = base or RecordDraft(title="")
        for name in ("title", "subtitle", "responsibility", "publisher", "place", "record_type",
                     "call_number", "edition", "physical_description", "summary"):
            setattr(draft, name, (getattr(self, name).data or "").strip())
        draft.year = self.year.data
        for name in ("authors", "subjects", "series", "notes"):
            setattr(draft, name, lines(getattr(self, name).data))
        draft.isbns = [isbn.split()[0] for isbn in lines(self.isbns.data)]
        draft.languages = [c.strip().lower() for c in (self.languages.data or "").replace(";", ",").split(",")
                           if c.strip()]
        others = draft.classifications[1:] if draft.classifications else []
        first = dict(draft.classifications[0]) if draft.classifications else {}
        number = (self.classification.data or "").strip()
        if number:
            if first.get("scheme") != self.scheme.data:
                first = {}
            first.update(scheme=self.scheme.data, number=number)
            draft.classifications = [first, *others]
        else:
            draft.classifications = others
        return draft


class MarcForm(FlaskForm):
    marc = TextAreaField(_l("MARC fields"), validators=[DataRequired(), Length(max=200000)])


class DeleteRecordForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class AddCopiesForm(FlaskForm):
    library_id = SelectField(_l("Library"), coerce=int, validate_choice=False)
    barcodes = TextAreaField(_l("Barcodes (typed or scanned, one a line)"), validators=[Length(max=20000)])
    generate = IntegerField(_l("Generate this many barcodes"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=200)])
    call_number = StringField(_l("Call number (if not the record's)"), validators=[Length(max=255)])


class CopyForm(FlaskForm):
    status = SelectField(_l("Status"), validate_choice=False)
    location_id = SelectField(_l("Where it is"), coerce=int, validate_choice=False)
    call_number = StringField(_l("Call number"), validators=[Length(max=255)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])


class BulkForm(FlaskForm):
    barcodes = TextAreaField(_l("Scanned barcodes"), validators=[DataRequired(), Length(max=100000)])
    status = SelectField(_l("New status"), validate_choice=False)
    location_id = SelectField(_l("New location"), coerce=int, validate_choice=False)


class AccountForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    username = StringField(_l("User name"), validators=[Optional(), Length(max=64)])
    card_barcode = StringField(_l("Reader card number"), validators=[Length(max=64)])
    library_id = SelectField(_l("Library"), coerce=int, validate_choice=False)
    role = HiddenField(default="reader")
    phone = StringField(_l("Phone"), validators=[Length(max=64)])
    email = StringField(_l("Email"), validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("This is not an email address.")),
                                                  Length(max=255)])
    password = PasswordField(_l("Password (leave empty to generate one)"), validators=[Optional(), Length(min=8, max=256)])


class StaffAccountForm(AccountForm):
    role = SelectField(_l("Role"), validate_choice=False)


class BlockForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=256)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=256)])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=256)])

    def validate_confirm(self, field) -> None:
        if field.data != self.new.data:
            raise ValidationError(_l("The two new passwords differ."))
