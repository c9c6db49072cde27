"""Python integers as bit sets of document numbers (bit n = document n): set operations and
counts run in C."""
from __future__ import annotations

from collections import deque
from itertools import repeat

ONE = ord("1")


def bits_of(docnums) -> int:
    """A bit set from document numbers."""
    numbers = docnums if isinstance(docnums, list) else list(docnums)
    if not numbers:
        return 0
    top = max(numbers)
    if len(numbers) * 16 > top:  # dense: a string of binary digits, set and parsed in C
        digits = bytearray(b"0") * (top + 1)
        deque(map(digits.__setitem__, numbers, repeat(ONE)), 0)
        digits.reverse()
        return int(digits, 2)
    buffer = bytearray((top >> 3) + 1)
    for number in numbers:
        buffer[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(buffer, "little")


def positions(bits: int) -> list[int]:
    """Set bit positions (document numbers), via the C-speed bin() string scan."""
    if not bits:
        return []
    text = bin(bits)
    last = len(text) - 1
    out = []
    find = text.find
    at = find("1", 2)
    while at >= 0:
        out.append(last - at)
        at = find("1", at + 1)
    return out
