"""ISBN and ISSN: check digits, ISBN-10 -> ISBN-13, and pulling the number out of a MARC 020/022 $a
("978-604-0-00000-0 (bìa mềm) : 45000đ" -> "9786040000000")."""
from __future__ import annotations

import re

_ISBN_CANDIDATE = re.compile(r"(?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx]")
_ISSN_CANDIDATE = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")


def _isbn10_check(digits: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _isbn13_check(digits: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(digits[:12]))
    return str((10 - total % 10) % 10)


def compact_isbn(text: str) -> str:
    """The ISBN's characters only (digits and a final X), upper case."""
    return re.sub(r"[^0-9Xx]", "", text or "").upper()


def is_valid_isbn(text: str) -> bool:
    """True for an ISBN-10 or ISBN-13 with a correct check digit (hyphens and spaces allowed)."""
    code = compact_isbn(text)
    if len(code) == 10 and code[:9].isdigit():
        return _isbn10_check(code) == code[9]
    if len(code) == 13 and code.isdigit() and code[:3] in ("978", "979"):
        return _isbn13_check(code) == code[12]
    return False


def isbn10_to_13(isbn10: str) -> str:
    """Convert a valid ISBN-10 to ISBN-13 (prefix 978, new check digit)."""
    code = compact_isbn(isbn10)
    body = "978" + code[:9]
    return body + _isbn13_check(body)


def isbn13_to_10(isbn13: str) -> str | None:
    """The ISBN-10 of a 978 ISBN-13, or None (979 numbers have no ISBN-10)."""
    code = compact_isbn(isbn13)
    if len(code) != 13 or not code.startswith("978"):
        return None
    return code[3:12] + _isbn10_check(code[3:12])


def normalise_isbn(text: str) -> str | None:
    """The ISBN-13 form of an ISBN-10 or ISBN-13 written any way, or None when it is not valid."""
    code = compact_isbn(text)
    if not is_valid_isbn(code):
        return None
    return isbn10_to_13(code) if len(code) == 10 else code


def find_isbn(text: str) -> str | None:
    """The first valid ISBN in a MARC 020 $a (which may carry qualifiers and prices), as ISBN-13."""
    for match in _ISBN_CANDIDATE.finditer(text or ""):
        found = normalise_isbn(match.group(0))
        if found:
            return found
    return None


def is_valid_issn(text: str) -> bool:
    """True for an ISSN with a correct check digit ("0317-8471")."""
    code = re.sub(r"[^0-9Xx]", "", text or "").upper()
    if len(code) != 8 or not code[:7].isdigit():
        return False
    total = sum((8 - i) * int(d) for i, d in enumerate(code[:7]))
    check = (11 - total % 11) % 11
    return code[7] == ("X" if check == 10 else str(check))


def find_issn(text: str) -> str | None:
    """The first ISSN in a MARC 022 $a, written NNNN-NNNC, or None."""
    for match in _ISSN_CANDIDATE.finditer(text or ""):
        code = f"{match.group(1)}-{match.group(2).upper()}"
        if is_valid_issn(code):
            return code
    return None
