"""OCR with tesseract (TSV output: text per line, word boxes, confidence).

Without tesseract the rest works; callers ask tesseract_status() and tell people that search
inside waits for `apt-get install tesseract-ocr tesseract-ocr-vie`.
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import io
import os
import shutil
import subprocess
from pathlib import Path

from catalog.errors import N_
from catalog.text import nfc
from ingest.scans.errors import ScanError

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"


@dataclasses.dataclass
class OcrText:
    text: str
    words: list[list]
    confidence: float | None


@dataclasses.dataclass
class TesseractStatus:
    available: bool
    languages: str  # the languages that will be used ("vie+eng"), "" when unavailable
    missing: list[str]


@functools.lru_cache(maxsize=8)
def _installed_languages(command: str) -> tuple[str, ...]:
    try:
        out = subprocess.run([command, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    lines = (out.stdout + out.stderr).splitlines()
    return tuple(line.strip() for line in lines[1:] if line.strip() and " " not in line.strip())


def tesseract_status(command: str = "tesseract", languages: str = "vie+eng") -> TesseractStatus:
    """Whether tesseract is installed and which of the wanted languages it has."""
    path = shutil.which(command)
    if not path:
        return TesseractStatus(False, "", languages.split("+"))
    installed = set(_installed_languages(path))
    wanted = [lang for lang in languages.split("+") if lang]
    usable = [lang for lang in wanted if lang in installed]
    if not usable:
        return TesseractStatus(False, "", wanted)
    return TesseractStatus(True, "+".join(usable), [lang for lang in wanted if lang not in installed])


def ocr_image(image_path: Path, *, languages: str, command: str = "tesseract", timeout: int = 300) -> OcrText:
    """Run tesseract on one page image; ScanError when it fails or takes too long."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run([command, str(image_path), "stdout", "-l", languages, "--psm", "3", "tsv"],
                              capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ScanError(N_("{file}: OCR took longer than {seconds} seconds; stopped."),
                        file=image_path.name, seconds=timeout) from exc
    except OSError as exc:
        raise ScanError(N_("{file}: tesseract could not run ({reason})."), file=image_path.name, reason=str(exc)) from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise ScanError(N_("{file}: tesseract failed ({reason})."), file=image_path.name, reason=reason[0])
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> OcrText:
    """Text (one line per tesseract line, blank line between paragraphs), word boxes and mean confidence."""
    lines: dict[tuple, list[str]] = {}
    words: list[list] = []
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = nfc((row.get("text") or "").strip())
        if row.get("level") != "5" or not word:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(word)
        words.append([word, int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"])])
        conf = float(row.get("conf") or -1)
        if conf >= 0:
            confidences.append(conf)
    text_lines, previous = [], None
    for key in sorted(lines):
        if previous is not None and key[:2] != previous[:2]:
            text_lines.append("")
        text_lines.append(" ".join(lines[key]))
        previous = key
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrText("\n".join(text_lines), words, confidence)
