"""Every code the interface shows, with its words: one definition per set (statuses, roles,
record types, licences, languages), used by every page, form, PDF and IIIF label. Codes never reach a page."""
from __future__ import annotations

import enum

from flask import Flask, current_app
from flask_babel import gettext, lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

ITEM_STATUS = {
    "available": _l("available"), "on_loan": _l("on loan"), "in_transit": _l("in transit"),
    "in_rotation": _l("in rotation"), "lost": _l("lost"), "damaged": _l("damaged"), "withdrawn": _l("withdrawn"),
}
HOLD_STATUS = {"waiting": _l("waiting for a copy"), "ready": _l("ready to collect"), "collected": _l("collected"),
               "cancelled": _l("cancelled"), "expired": _l("expired")}
BATCH_STATUS = {"draft": _l("being prepared"), "dispatched": _l("on its way"), "at_school": _l("at the school"),
                "returning": _l("coming back"), "closed": _l("closed")}
ITEM_STATE = {"packed": _l("packed"), "in_transit": _l("on its way"), "received": _l("received"),
              "missing": _l("missing"), "returned": _l("returned"), "lost": _l("lost"), "damaged": _l("damaged")}
# Background jobs and the OCR of a digital object share these words.
WORK_STATUS = {"none": _l("not started"), "queued": _l("queued"), "running": _l("running"), "done": _l("done"),
               "partial": _l("partly done"), "failed": _l("failed"), "unavailable": _l("OCR not available"),
               "refused": _l("refused: nothing written")}
ROLE = {"admin": _l("administrator"), "cataloguer": _l("cataloguer"), "librarian": _l("librarian"),
        "reader": _l("reader"), "district": _l("district culture office")}
RECORD_TYPE = {
    "book": _l("Book"), "serial": _l("Serial"), "map": _l("Map"), "music": _l("Printed music"),
    "sound": _l("Sound recording"), "video": _l("Video"), "image": _l("Picture"), "kit": _l("Kit"),
    "manuscript": _l("Manuscript"), "computer_file": _l("Computer file"), "mixed": _l("Mixed materials"),
    "other": _l("Other"),
}
LICENCE = {
    "cc-by": _l("Creative Commons Attribution (CC BY)"),
    "cc-by-sa": _l("Creative Commons Attribution-ShareAlike (CC BY-SA)"),
    "cc-by-nc": _l("Creative Commons Attribution-NonCommercial (CC BY-NC)"),
    "cc-by-nc-sa": _l("Creative Commons Attribution-NonCommercial-ShareAlike (CC BY-NC-SA)"),
    "cc-by-nd": _l("Creative Commons Attribution-NoDerivatives (CC BY-ND)"),
    "cc-by-nc-nd": _l("Creative Commons Attribution-NonCommercial-NoDerivatives (CC BY-NC-ND)"),
    "cc0": _l("No rights reserved (CC0)"), "public-domain": _l("Public domain"),
    "in-library": _l("Read in the library only"), "all-rights-reserved": _l("All rights reserved"),
}
# MARC language codes (008/35-37, 041) as the catalogue and the reports name them.
LANGUAGE = {"vie": _l("Vietnamese"), "eng": _l("English"), "fre": _l("French"), "chi": _l("Chinese"),
            "rus": _l("Russian"), "jpn": _l("Japanese"), "kor": _l("Korean"), "ger": _l("German"),
            "und": _l("Not stated")}
SETS = {"item_status": ITEM_STATUS, "hold_status": HOLD_STATUS, "batch_status": BATCH_STATUS,
        "item_state": ITEM_STATE, "work_status": WORK_STATUS, "role": ROLE, "record_type": RECORD_TYPE,
        "licence": LICENCE, "language": LANGUAGE}
# Which set an enum's values belong to, by the enum's class name (catalog stays free of labels).
ENUM_SETS = {"ItemStatus": ITEM_STATUS, "HoldStatus": HOLD_STATUS, "BatchStatus": BATCH_STATUS,
             "ItemState": ITEM_STATE, "JobStatus": WORK_STATUS, "Role": ROLE}
# A `{status}` or `{state}` in a domain message: the first set that knows the value names it.
PARAM_SETS = {"status": (ITEM_STATUS, BATCH_STATUS, HOLD_STATUS, WORK_STATUS), "state": (ITEM_STATE,),
              "role": (ROLE,)}


def label(kind: str, value: object) -> str:
    """The words for a code of one set (`label("licence", "cc-by")`); an unknown code as it is."""
    code = value.value if isinstance(value, enum.Enum) else value
    return str(SETS[kind].get(code, code)) if code is not None else ""


def label_of(value: enum.Enum) -> str:
    """The words for an enum member (ItemStatus.DAMAGED -> "hư hỏng")."""
    table = ENUM_SETS.get(type(value).__name__, {})
    return str(table.get(value.value, value.value))


def choices(kind: str, codes=None) -> list[SelectChoice]:
    """A form select's choices (code, words), in the set's order or the order of `codes`."""
    table = SETS[kind]  # lazy words: a form built at import time still speaks the page's language
    return [SelectChoice(code, table.get(code, code)) for code in (table if codes is None else codes)]


def message_param(name: str, value: object) -> object:
    """A domain message's parameter as a reader should see it: codes become words."""
    if isinstance(value, enum.Enum):
        return label_of(value)
    if isinstance(value, str):
        for table in PARAM_SETS.get(name, ()):
            if value in table:
                return str(table[value])
    return value


def note_text(note: str | dict) -> str:
    """A stored note of a digital object in the interface language ({"template", "params"} or text)."""
    if isinstance(note, dict):
        return gettext(note["template"]).format(**note.get("params", {}))
    return gettext(note)


def barcode_example(library) -> str:
    """What a generated barcode looks like (BARCODE_PATTERN "{library}{seq:06d}" -> "TTVH000001")."""
    code = (library.code if library is not None else "TTVH").replace("-", "")
    try:
        return current_app.config["BARCODE_PATTERN"].format(library=code, seq=1)
    except (KeyError, ValueError, IndexError):
        return current_app.config["BARCODE_PATTERN"]


def init_app(app: Flask) -> None:
    """`code_label(kind, code)` in every template."""
    app.jinja_env.globals.update(code_label=label, label_of=label_of, barcode_example=barcode_example,
                                 note_text=note_text)

