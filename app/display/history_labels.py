"""The audit trail and the record, copy and account histories in words: actions, field names and
stored values (lists, classifications, library ids, statuses) as a librarian reads them."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import gettext as _, lazy_gettext as _l

from app.display import labels

ACTION = {"create": _l("created"), "update": _l("changed"), "delete": _l("deleted"), "merge": _l("merged"),
          "denied": _l("refused attempt"), "block": _l("blocked"), "unblock": _l("unblocked"),
          "disable": _l("disabled"), "enable": _l("enabled"), "password_change": _l("password changed"),
          "password_reset": _l("password reset"), "unlock": _l("sign-in unlocked"),
          # offline desks (issue 18)
          "offline_checkout": _l("lent at an offline desk"), "offline_checkin": _l("returned at an offline desk"),
          "offline_visit": _l("visitors counted at an offline desk"),
          "offline_receive": _l("batch copy received at an offline desk"),
          "offline_finish_receipt": _l("batch receipt finished at an offline desk"),
          "offline_apply": _l("offline conflict applied"), "offline_dismiss": _l("offline conflict dismissed"),
          "revoke": _l("revoked"), "extend": _l("extended")}
ENTITY = {"record": _l("record"), "item": _l("copy"), "user": _l("account"), "request": _l("request"),
          "offline_action": _l("offline action"), "offline_device": _l("offline device")}
# The duplicates queue's decisions (catalog/records/duplicate_decisions.py).
ACTION.update({"not_duplicate": _l("marked not a duplicate"),
               "not_duplicate_withdrawn": _l("“not a duplicate” withdrawn")})
FIELD = {
    "title": _l("Title proper"), "subtitle": _l("Subtitle"), "responsibility": _l("Statement of responsibility"),
    "authors": _l("Authors"), "subjects": _l("Subjects"), "publisher": _l("Publisher"),
    "place": _l("Place of publication"), "year": _l("Year"), "languages": _l("Languages"),
    "record_type": _l("Type of material"), "isbns": _l("ISBN"), "issns": _l("ISSN"),
    "classifications": _l("Classification"), "call_number": _l("Call number"), "summary": _l("Summary"),
    "series": _l("Series"), "edition": _l("Edition"), "physical_description": _l("Physical description"),
    "notes": _l("Notes"), "links": _l("Links"), "control_number": _l("Control number"),
    "control_source": _l("Control number source"), "system_numbers": _l("System numbers"),
    "barcode": _l("Barcode"), "record_id": _l("Record"), "home_library_id": _l("Home library"),
    "current_library_id": _l("Where it is"), "status": _l("Status"), "item_type": _l("Type of copy"),
    "username": _l("User name"), "display_name": _l("Full name"), "email": _l("Email"), "phone": _l("Phone"),
    "role": _l("Role"), "library_id": _l("Library"), "card_barcode": _l("Reader card number"),
    "is_blocked": _l("Blocked"), "blocked_reason": _l("Reason"),
    "device": _l("Device"), "uid": _l("Device"), "action": _l("Action id"), "seq": _l("Order on the device"),
    "at": _l("Time on the device"), "card": _l("Reader card number"), "count": _l("Visitors"),
    "group": _l("Age group"), "batch": _l("Batch"), "outcome": _l("Outcome"), "conflict": _l("Conflict"),
    "loan_id": _l("Loan"), "expires_at": _l("Until"),
}
FIELD.update({"merged_into_id": _l("Merged into record"), "merged_from_id": _l("Merged from record"),
              "not_duplicate_of": _l("Not a duplicate of record"), "copies": _l("Copies"),
              "digital_objects": _l("Digital objects")})
# Stored values that are codes of a label set.
CODED = {"record_type": "record_type", "status": "item_status", "role": "role"}
LIBRARY_FIELDS = ("home_library_id", "current_library_id", "library_id")


def _library_names() -> dict[int, str]:
    from app.db import get_session
    from catalog.libraries import list_libraries

    if "history_libraries" not in g:
        g.history_libraries = {library.id: library.name for library in list_libraries(get_session())}
    return g.history_libraries


def shown_value(name: str, value: object) -> str:
    """A stored value as text: lists one after another, a classification as "DDC 895.9223"."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in CODED:
        return labels.label(CODED[name], value)
    if name in LIBRARY_FIELDS and isinstance(value, int):
        return _library_names().get(value, str(value))
    if isinstance(value, list):
        return "; ".join(shown_value(name, part) for part in value)
    if isinstance(value, dict):
        if "scheme" in value:
            edition = f"({value['edition']})" if value.get("edition") else ""
            return " ".join(str(v) for v in (str(value["scheme"]).upper(), value.get("number"), edition) if v)
        return " — ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)


def shown_changes(entry) -> list[tuple[str, str | None, str]]:
    """(field in words, before or None when created, after) for every changed field of an entry."""
    created = not entry.before
    return [(str(FIELD.get(name, name)), None if created else shown_value(name, before), shown_value(name, after))
            for name, before, after in entry.changes()]


def shown_action(entry) -> str:
    """"created record 1237" in the interface language."""
    action = str(ACTION.get(entry.action, entry.action))
    what = str(ENTITY.get(entry.entity_type, entry.entity_type or ""))
    number = f" {entry.entity_id}" if entry.entity_id else ""
    return _("{action}: {what}{number}").format(action=action, what=what, number=number).strip()


def init_app(app: Flask) -> None:
    """`shown_changes(entry)`, `shown_action(entry)` in templates."""
    app.jinja_env.globals.update(shown_changes=shown_changes, shown_action=shown_action)
