"""The costly part of a Whoosh search cache kept on disk, one file per index generation, so that a
worker (re)started on the same index loads it in a fraction of a second instead of reading
millions of postings again (13.6 s at a million documents).

What is kept: each facet value's documents (a bit set or a document list, as IndexCache holds
them), each document's title length and the documents of each title length; in files of their
own, the sort orders (newest, oldest, title) once a worker has computed them. The file lives in
`<index folder>/search-cache/`, named by the generation and the segments it describes, and is
written whole under a temporary name, then renamed: a reader never sees half a file. Any
worker writes it (the first to build the cache); the two newest are kept.

The format is plain bytes read back without unpickling (nothing in the file is executed): a
magic line, the length of a JSON header, the header (generation, segments, where each part is),
then the parts (little-endian bit sets, arrays of unsigned ints as `array` writes them).
"""
from __future__ import annotations

import json
import os
import sys
from array import array
from hashlib import sha1
from pathlib import Path

FOLDER = "search-cache"
MAGIC = b"hoclieu-search-cache 1\n"
KEPT = 2
ORDER = "little"


def _name(generation: int, segments: tuple) -> str:
    digest = sha1(json.dumps([list(s) for s in segments]).encode()).hexdigest()[:16]
    return f"{generation:08d}-{digest}.bin"


def _array_bytes(values: array) -> bytes:
    if sys.byteorder != ORDER:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _array_from(typecode: str, data: memoryview) -> array:
    values = array(typecode)
    values.frombytes(data)
    if sys.byteorder != ORDER:
        values.byteswap()
    return values


def save(index_dir: Path | str, generation: int, segments: tuple, facets: dict, title_lengths: array | None,
         title_length_bits: list | None) -> Path | None:
    """Write this generation's parts; the path written, or None when the folder cannot be written
    (a read-only index: searches go on, each worker building its own cache as before)."""
    folder = Path(index_dir) / FOLDER
    parts: list[bytes] = []
    at = 0

    def part(data: bytes) -> list[int]:
        nonlocal at
        parts.append(data)
        at += len(data)
        return [at - len(data), len(data)]

    header: dict = {"generation": generation, "segments": [list(s) for s in segments], "facets": {}}
    for facet, values in facets.items():
        listed = []
        for value, held in values.items():
            if type(held) is int:
                listed.append([value, "bits", *part(held.to_bytes((held.bit_length() + 7) >> 3, ORDER))])
            else:
                listed.append([value, "docs", *part(_array_bytes(held))])
        header["facets"][facet] = listed
    if title_lengths is not None:
        header["title_lengths"] = part(_array_bytes(title_lengths))
    if title_length_bits is not None:
        header["title_length_bits"] = [[length, *part(bits.to_bytes((bits.bit_length() + 7) >> 3, ORDER))]
                                       for length, bits in title_length_bits]
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    target = folder / _name(generation, segments)
    temporary = folder / f".{target.name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        with open(temporary, "wb") as out:
            out.write(MAGIC)
            out.write(len(head).to_bytes(8, ORDER))
            out.write(head)
            for data in parts:
                out.write(data)
        os.replace(temporary, target)
        _prune(folder)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        return None
    return target


def _prune(folder: Path) -> None:
    """Files of the KEPT newest generations stay (names start with the generation)."""
    files = list(folder.glob("*.bin"))
    kept = sorted({path.name.partition("-")[0] for path in files}, reverse=True)[:KEPT]
    for old in files:
        if old.name.partition("-")[0] not in kept:
            try:
                old.unlink()
            except OSError:
                pass


def _order_path(index_dir: Path | str, generation: int, segments: tuple, key: str) -> Path:
    return Path(index_dir) / FOLDER / (_name(generation, segments)[:-len(".bin")] + f".order-{key}.bin")


def save_order(index_dir: Path | str, generation: int, segments: tuple, key: str, order: array) -> None:
    """Keep a sort order (document numbers, as IndexCache.sort_order gives them) of this generation."""
    if not segments:
        return
    target = _order_path(index_dir, generation, segments, key)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        temporary.write_bytes(MAGIC + _array_bytes(order))
        os.replace(temporary, target)
        _prune(target.parent)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass


def load_order(index_dir: Path | str, generation: int, segments: tuple, key: str) -> array | None:
    """A sort order save_order() kept for this generation, or None."""
    if not segments:
        return None
    try:
        data = _order_path(index_dir, generation, segments, key).read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC) or (len(data) - len(MAGIC)) % 4:
        return None
    return _array_from("I", memoryview(data)[len(MAGIC):])


def _read_header(path: Path) -> tuple[dict, int] | None:
    try:
        with open(path, "rb") as source:
            if source.read(len(MAGIC)) != MAGIC:
                return None
            size = int.from_bytes(source.read(8), ORDER)
            header = json.loads(source.read(size).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return header, len(MAGIC) + 8 + size


def newest(index_dir: Path | str, generation: int, segments: tuple) -> Path | None:
    """The file of this generation and segments, else the newest of an older generation whose
    first segment is the same (a cache can start from it: IndexCache.adopt); None without one."""
    folder = Path(index_dir) / FOLDER
    exact = folder / _name(generation, segments)
    if exact.is_file():
        return exact
    if not segments:
        return None
    try:
        files = sorted((p for p in folder.glob("*.bin") if ".order-" not in p.name), key=lambda p: p.name, reverse=True)
    except OSError:
        return None
    for path in files:
        found = _read_header(path)
        if found is None:
            continue
        header, _start = found
        kept = [tuple(s) for s in header.get("segments", [])]
        if header.get("generation", generation) < generation and kept and kept[0] == tuple(segments[0]):
            return path
    return None


def load(path: Path) -> dict | None:
    """{"generation", "segments", "facets", "title_lengths", "title_length_bits"} from a file
    save() wrote, or None when it is not one (then the cache is built from the index)."""
    found = _read_header(path)
    if found is None:
        return None
    header, start = found
    try:
        data = memoryview(path.read_bytes())[start:]
        facets = {}
        for facet, listed in header["facets"].items():
            values = {}
            for value, kind, offset, length in listed:
                chunk = data[offset:offset + length]
                values[value] = int.from_bytes(chunk, ORDER) if kind == "bits" else _array_from("I", chunk)
            facets[facet] = values
        lengths = None
        if "title_lengths" in header:
            offset, length = header["title_lengths"]
            lengths = _array_from("H", data[offset:offset + length])
        length_bits = None
        if "title_length_bits" in header:
            length_bits = [(size, int.from_bytes(data[offset:offset + length], ORDER))
                           for size, offset, length in header["title_length_bits"]]
        return {"generation": int(header["generation"]), "segments": tuple(tuple(s) for s in header["segments"]),
                "facets": facets, "title_lengths": lengths, "title_length_bits": length_bits}
    except (OSError, KeyError, TypeError, ValueError):
        return None
