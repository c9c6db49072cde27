"""Splitting an ISO 2709 stream into raw records (not yet decoded: decoding may run in another
process), streamed in blocks on the record terminator, with junk between records set aside."""
from __future__ import annotations

import re
from typing import BinaryIO, Iterator

from catalog.errors import N_
from ingest.marc.results import Problem, ReadResult

RECORD_END = b"\x1d"
BLOCK = 1 << 20
_LEADER_START = re.compile(rb"\d{5}[ -~]{7}\d{5}")


def _chunks(handle: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(offset, bytes, terminated) for each record-terminated chunk, streamed in blocks."""
    buffer, base = b"", 0
    while True:
        block = handle.read(BLOCK)
        if not block:
            break
        buffer += block
        start = 0
        while True:
            end = buffer.find(RECORD_END, start)
            if end < 0:
                break
            yield base + start, buffer[start:end + 1], True
            start = end + 1
        buffer, base = buffer[start:], base + start
    if buffer:
        yield base, buffer, False


# This many pieces in a row with no record start (no leader) are junk, set aside as one span:
# 30 MB of junk split on every stray 0x1D byte would otherwise be 100,000 rejected "records".
JUNK_RUN = 8


def _pieces(handle: BinaryIO) -> Iterator[tuple[int, bytes, bytes, bool, bool]]:
    """(offset, original bytes, record bytes (b"" when blank), terminated, has a record start) per chunk."""
    for offset, chunk, terminated in _chunks(handle):
        stripped = chunk.lstrip(b"\r\n \t\x00\x1a")
        junk = None if stripped[:5].isdigit() else _LEADER_START.search(stripped[:64])
        if junk is not None:
            stripped = stripped[junk.start():]
        if not stripped.rstrip(RECORD_END + b"\r\n \t\x00"):
            stripped = b""  # blank: no record, but its bytes belong to a junk span around it
        yield offset + len(chunk) - len(stripped), chunk, stripped, terminated, stripped[:5].isdigit()


def iso2709_units(handle: BinaryIO, file_name: str) -> Iterator[tuple]:
    """The raw records of an ISO 2709 stream, not yet decoded (picklable: decode may run elsewhere).
    A run of JUNK_RUN or more pieces without a leader comes out as one "junk" unit."""
    ordinal, run, in_run = 0, [], 0  # in_run: the run's pieces that are not blank
    for offset, chunk, stripped, terminated, has_start in _pieces(handle):
        if not stripped:
            if run:
                run.append((offset, chunk, stripped, terminated))
            continue
        if not has_start:
            found = _LEADER_START.search(stripped) if in_run >= JUNK_RUN - 1 else None
            if found is None:
                run.append((offset, chunk, stripped, terminated))
                in_run += 1
                continue
            # A record right after the junk: its piece starts with the junk's tail.
            tail = len(chunk) - len(stripped) + found.start()
            run.append((offset, chunk[:tail], stripped[:found.start()], False))
            offset, stripped = offset + found.start(), stripped[found.start():]
        for unit in _run_units(run, file_name, ordinal):
            ordinal += 1
            yield unit
        run, in_run = [], 0
        ordinal += 1
        yield ("iso2709", file_name, ordinal, offset, stripped, terminated)
    for unit in _run_units(run, file_name, ordinal):
        ordinal += 1
        yield unit


def _run_units(run: list[tuple], file_name: str, ordinal: int) -> Iterator[tuple]:
    """Leaderless pieces one by one, or, past JUNK_RUN of them, as one span of the original bytes."""
    pieces = [piece for piece in run if piece[2]]
    if len(pieces) < JUNK_RUN:
        for number, (offset, _chunk, stripped, terminated) in enumerate(pieces, start=1):
            yield ("iso2709", file_name, ordinal + number, offset, stripped, terminated)
        return
    start = run[0][0] - (len(run[0][1]) - len(run[0][2]))
    yield ("junk", file_name, ordinal + 1, start, b"".join(chunk for _o, chunk, _s, _t in run), len(pieces))


def junk_unit(file_name: str, ordinal: int, offset: int, raw: bytes, pieces: int) -> ReadResult:
    """The failure a junk span reads as: one reason, the span's bytes kept whole."""
    result = ReadResult(file_name, ordinal, offset, raw)
    result.error = Problem(N_("{size} bytes from byte {offset} hold no MARC record ({pieces} pieces with no leader); "
                              "they were set aside as one piece. Records before and after them were read."),
                           {"size": len(raw), "offset": offset, "pieces": pieces})
    return result
