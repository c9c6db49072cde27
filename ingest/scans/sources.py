"""What an input path holds: page images, PDFs, a ZIP of either, or a metadata sidecar.

Types are decided by content (magic bytes), never by the file name. ZIP members are extracted
into a work folder inside the data directory, refusing absolute paths, "../" and symlinks.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import stat
import zipfile
from pathlib import Path

from catalog.errors import N_
from ingest.scans.limits import Limits

METADATA_NAMES = {"metadata.json", "metadata.csv", "dublin_core.json", "dc.json", "dc.csv", "metadata.mrc",
                  "metadata.xml"}


@dataclasses.dataclass
class Problem:
    """A file (or page) left out, with the reason: an English template and its parameters."""

    file: str
    template: str
    params: dict

    @property
    def message(self) -> str:
        return self.template.format(file=self.file, **self.params)

    def as_dict(self) -> dict:
        return {"file": self.file, "message": self.message, "template": self.template, "params": self.params}


@dataclasses.dataclass
class Source:
    path: Path
    name: str  # as shown to people: relative to the input, or "archive.zip/member"
    kind: str  # image | pdf | zip | metadata


def natural_key(name: str) -> list:
    """Sort key putting page2 before page10 (digits compared as numbers, text folded to lower case)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", name)]


def sniff(path: Path) -> str | None:
    """image | pdf | zip | None, from the first bytes of the file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return None
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head[:4] in (b"II*\x00", b"MM\x00*") or head[:6] in (b"GIF87a", b"GIF89a") or head[:2] == b"BM":
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if b"%PDF-" in head:
        return "pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return None


def is_metadata_name(name: str) -> bool:
    return Path(name).name.lower() in METADATA_NAMES


def expand(path: Path, workdir: Path, limits: Limits, problems: list[Problem], display: str | None = None) -> list[Source]:
    """The page sources (images and PDFs, natural order) and metadata sidecars found at path."""
    display = display or path.name
    if path.is_symlink() and display != path.name:
        problems.append(Problem(display, N_("{file}: a symbolic link; skipped."), {}))
        return []
    if path.is_dir():
        return _expand_folder(path, workdir, limits, problems, display)
    if not path.exists():
        problems.append(Problem(display, N_("{file}: no such file or folder."), {}))
        return []
    if path.stat().st_size == 0:
        problems.append(Problem(display, N_("{file}: the file is empty."), {}))
        return []
    if path.stat().st_size > limits.max_file_bytes:
        problems.append(Problem(display, N_("{file}: larger than the limit of {limit} MB (LIBRARY_MAX_SCAN_FILE_BYTES)."),
                                {"limit": limits.max_file_bytes // 2**20}))
        return []
    if is_metadata_name(display):
        return [Source(path, display, "metadata")]
    kind = sniff(path)
    if kind == "zip":
        return _expand_zip(path, workdir, limits, problems, display)
    if kind is None:
        problems.append(Problem(display, N_("{file}: not a page image (JPEG, PNG, TIFF), a PDF or a ZIP, "
                                            "whatever its name says; skipped."), {}))
        return []
    return [Source(path, display, kind)]


def _expand_folder(folder: Path, workdir: Path, limits: Limits, problems: list[Problem], display: str) -> list[Source]:
    found: list[Source] = []
    entries = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort(key=natural_key)
        for name in files:
            full = Path(root) / name
            entries.append((str(full.relative_to(folder)), full))
        for name in dirs:
            if (Path(root) / name).is_symlink():
                problems.append(Problem(f"{display}/{Path(root, name).relative_to(folder)}",
                                        N_("{file}: a symbolic link; skipped."), {}))
    for relative, full in sorted(entries, key=lambda e: natural_key(e[0])):
        if Path(relative).name.startswith("."):
            continue
        if full.is_symlink():
            problems.append(Problem(f"{display}/{relative}", N_("{file}: a symbolic link; skipped."), {}))
            continue
        found.extend(expand(full, workdir, limits, problems, f"{display}/{relative}"))
    if not entries:
        problems.append(Problem(display, N_("{file}: the folder is empty."), {}))
    return found


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
        return N_("{file}: a path outside the archive (absolute or with ../); refused.")
    if stat.S_ISLNK(info.external_attr >> 16):
        return N_("{file}: a symbolic link inside the archive; refused.")
    return None


def _expand_zip(path: Path, workdir: Path, limits: Limits, problems: list[Problem], display: str) -> list[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        problems.append(Problem(display, N_("{file}: a damaged ZIP archive ({reason})."), {"reason": str(exc)}))
        return []
    found: list[Source] = []
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if not members:
            problems.append(Problem(display, N_("{file}: the archive is empty."), {}))
        if len(members) > limits.max_zip_members:
            problems.append(Problem(display, N_("{file}: more than {limit} files in the archive; refused."),
                                    {"limit": limits.max_zip_members}))
            return []
        if _refuse_total(path, members, limits, problems, display):
            return []
        target_root = workdir / f"zip{len(list(workdir.glob('zip*')))}"
        for index, info in enumerate(sorted(members, key=lambda m: natural_key(m.filename))):
            member = f"{display}/{info.filename}"
            reason = _unsafe_member(info)
            if reason is None and info.file_size > max(limits.max_zip_ratio * max(info.compress_size, 1), 2**20):
                reason = N_("{file}: expands far beyond its compressed size (a ZIP bomb?); refused.")
            if reason:
                problems.append(Problem(member, reason, {}))
                continue
            if Path(info.filename).name.startswith(".") or "__MACOSX/" in info.filename:
                continue
            target = target_root / f"{index:05d}{Path(info.filename).suffix[:10]}"
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _extract(archive, info, target, limits)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                problems.append(Problem(member, N_("{file}: cannot be read from the archive ({reason})."),
                                        {"reason": str(exc)}))
                continue
            if sniff(target) == "zip":
                problems.append(Problem(member, N_("{file}: an archive inside the archive; not supported."), {}))
                continue
            found.extend(expand(target, workdir, limits, problems, member))
    return found


def _refuse_total(path: Path, members: list[zipfile.ZipInfo], limits: Limits, problems: list[Problem],
                  display: str) -> bool:
    """Refuse, before writing anything, an archive whose members together expand beyond the cap
    (many small members of zeros pass every per-member check). Members cannot write more than
    they declare (_extract), so the declared total bounds what reaches the disk."""
    total = sum(info.file_size for info in members)
    cap = min(limits.max_zip_bytes, max(limits.max_zip_total_ratio * path.stat().st_size, 64 * 2**20))
    if total <= cap:
        return False
    problems.append(Problem(display, N_("{file}: its files expand to {size} MB, more than the {limit} MB allowed "
                                        "for this archive (LIBRARY_MAX_ZIP_BYTES, LIBRARY_MAX_ZIP_TOTAL_RATIO); "
                                        "refused."), {"size": math.ceil(total / 2**20), "limit": cap // 2**20}))
    return True


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limits: Limits) -> None:
    """Copy one member, stopping if it grows beyond its declared size (a lying header)."""
    written = 0
    with archive.open(info) as source, target.open("wb") as out:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > info.file_size or written > limits.max_file_bytes:
                raise ValueError("larger than declared")
            out.write(chunk)
