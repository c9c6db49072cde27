"""Fill Vietnamese translations into app/translations/vi/LC_MESSAGES/messages.po.

Usage: .venv/bin/python tools/translate.py FILE.py   (FILE defines VI = {english: vietnamese})
Run `make extract-messages` first so that the catalogue lists every new string.
"""
import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/translations/vi/LC_MESSAGES/messages.po"


def main(paths: list[str]) -> None:
    table: dict[str, str] = {}
    for path in paths:
        table.update(runpy.run_path(path)["VI"])
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    filled = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in table:
            message.string = table[key]
            message.flags.discard("fuzzy")
            filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for message_id in missing:
        print("  ", message_id)


if __name__ == "__main__":
    main(sys.argv[1:])
