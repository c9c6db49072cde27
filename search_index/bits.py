"""Python integers as bit sets of document numbers (bit n = document n): set operations and
counts run in C."""
from __future__ import annotations


def bits_of(docnums) -> int:
    """A bit set from document numbers."""
    numbers = docnums if isinstance(docnums, list) else list(docnums)
    if not numbers:
        return 0
    buffer = bytearray((max(numbers) >> 3) + 1)
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
