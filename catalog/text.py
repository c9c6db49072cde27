"""Vietnamese text rules shared by the catalogue, ingest and search (see shared/VIETNAMESE.md).

- nfc(): one normal form for every input path.
- canonical_tones(): one tone placement ("hoà" -> "hòa", "thuỷ" -> "thủy", "khoẻ" -> "khỏe").
- fold(): every mark removed, đ/Đ and the look-alike Ð mapped to d, lower case.
- sort_key(): Vietnamese alphabetical order (a ă â b c d đ e ê ... o ô ơ ... u ư ...).
"""
from __future__ import annotations

import re
import unicodedata

_TONE_MARKS = {
    "\u0300": 1,  # huyền (grave)
    "\u0301": 2,  # sắc (acute)
    "\u0309": 3,  # hỏi (hook above)
    "\u0303": 4,  # ngã (tilde)
    "\u0323": 5,  # nặng (dot below)
}
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D", "ð": "d"})


def nfc(text: str | None) -> str:
    """NFC-normalise; None becomes ''. Eth (Ð, U+00D0) pasted for Đ is mapped to Đ."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text).replace("Ð", "Đ").replace("ð", "đ")


def fold(text: str | None) -> str:
    """Lower case with every diacritic removed and đ mapped to d ("Đường" -> "duong")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


# Two tone placements exist for open syllables ending in oa, oe, uy: "hòa"/"hoà", "khỏe"/"khoẻ",
# "thủy"/"thuỷ". The index keeps the traditional one (tone on the first vowel, as most printed
# text and the default of common keyboards). With a final consonant ("hoàng", "huỳnh") both styles
# agree, and "qu" is a consonant ("quý", "quà"), so those are left alone.
# The tone must end the syllable: not followed by a letter nor by another mark, so "hoặc" and
# "ngoặt" (dot below, then the breve of ă) are left alone.
_TONE_CLASS = "[\u0300\u0301\u0309\u0303\u0323]"
_SYLLABLE_END = r"(?![\w\u0300-\u036f])"
_NEW_STYLE = re.compile(
    r"([oO])([aAeE])(" + _TONE_CLASS + r")" + _SYLLABLE_END
    + r"|(?<![qQ])([uU])([yY])(" + _TONE_CLASS + r")" + _SYLLABLE_END
)
# The same placements in composed text, and white space normalise() would change: text matching
# neither (and already NFC) is returned as it is, without decomposing it.
_NEW_STYLE_NFC = re.compile("[oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ](?!\\w)|(?<![qQ])[uU][ỳýỷỹỵỲÝỶỸỴ](?!\\w)")
_UNEVEN_SPACE = re.compile(r"^\s|\s$|\s\s|[^\S ]")


def canonical_tones(text: str | None) -> str:
    """Put tone marks where traditional spelling does ("hoà" -> "hòa", "thuỷ" -> "thủy"); NFC."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", nfc(text))

    def move(match: re.Match) -> str:
        if match.group(1):
            return match.group(1) + match.group(3) + match.group(2)
        return match.group(4) + match.group(6) + match.group(5)

    return unicodedata.normalize("NFC", _NEW_STYLE.sub(move, decomposed))


def normalise(text: str | None) -> str:
    """NFC, canonical tone placement and collapsed white space: the form stored and indexed."""
    if not text:
        return ""
    if has_normal_marks(text) and not _UNEVEN_SPACE.search(text):
        return text  # the common case (stored and already normalised text): nothing to change
    return " ".join(canonical_tones(text).split())


def has_normal_marks(text: str) -> bool:
    """True when nfc() and canonical_tones() would leave the text as it is (a cheap check)."""
    return unicodedata.is_normalized("NFC", text) and "Ð" not in text and "ð" not in text \
        and not _NEW_STYLE_NFC.search(text)


_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_BASE_OF = {"ă": "a", "â": "a", "đ": "d", "ê": "e", "ô": "o", "ơ": "o", "ư": "u"}


def _letter_and_tone(ch: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", ch.lower().translate({0x00F0: "đ"}))
    tone = 0
    base = []
    for part in decomposed:
        if part in _TONE_MARKS:
            tone = _TONE_MARKS[part]
        else:
            base.append(part)
    return unicodedata.normalize("NFC", "".join(base)), tone


def sort_key(text: str | None) -> tuple:
    """A key that orders strings the Vietnamese way: letters first, then tones, then case."""
    letters: list[tuple[int, str]] = []
    tones: list[int] = []
    for ch in normalise(text):
        letter, tone = _letter_and_tone(ch)
        if letter in _LETTER_RANK:
            letters.append((0, f"{_LETTER_RANK[letter]:02d}"))
        elif letter.isalnum():
            folded = fold(letter)
            rank = _LETTER_RANK.get(folded)
            letters.append((0, f"{rank:02d}") if rank is not None else (1, letter))
        else:
            letters.append((-1, " "))
        tones.append(tone)
    return (tuple(letters), tuple(tones))


def sort_string(text: str | None) -> str:
    """A plain string with the same order as sort_key, storable in a database column."""
    primary, tones = sort_key(text)
    # The separator before the tones must sort below every mark in the head (a word break is
    # "!"), so that a title comes before the same title with more words after it.
    head = "".join(("0" + code) if kind == 0 else ("~" + code if kind == 1 else "!") for kind, code in primary)
    return head[:400] + " " + "".join(str(t) for t in tones)[:100]


_WORD = re.compile(r"\w+")


def words(text: str | None) -> list[str]:
    """The syllables/words of a text, normalised (NFC, canonical tones) and lower-cased."""
    return [w.lower() for w in _WORD.findall(normalise(text))]


def folded_words(text: str | None) -> list[str]:
    """The words of a text with every mark removed ("Đường về" -> ["duong", "ve"])."""
    return _WORD.findall(fold(normalise(text)))


def has_marks(text: str | None) -> bool:
    """True when the text carries Vietnamese marks or đ (folding changes more than the case)."""
    value = nfc(text).lower()
    return fold(value) != value


def isbn_forms(value: str | None) -> list[str]:
    """The ISBN-13 and ISBN-10 forms of an ISBN (hyphens, spaces and qualifiers removed).

    "0-306-40615-2" -> ["9780306406157", "0306406152"]; a value that is not an ISBN gives []."""
    match = re.search(r"[0-9][0-9\- ]{8,16}[0-9Xx]", nfc(value))
    if not match:
        return []
    digits = re.sub(r"[\- ]", "", match.group(0)).upper()
    if len(digits) == 10 and digits[:9].isdigit():
        core = digits[:9]
        thirteen = "978" + core
        return [thirteen + _isbn13_check(thirteen), core + _isbn10_check(core)]
    if len(digits) == 13 and digits.isdigit():
        forms = [digits]
        if digits.startswith("978"):
            core = digits[3:12]
            forms.append(core + _isbn10_check(core))
        return forms
    return []


def _isbn10_check(core: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(core))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _isbn13_check(core: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core))
    return str((10 - total % 10) % 10)
