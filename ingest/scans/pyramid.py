"""Tiled image pyramids of page masters, so that no image request decodes a whole large page.

Beside each master `scans/ID/0001.png` lies `scans/ID/0001.tiles/`: level folders 1, 2, 4, ... (the
page reduced by that factor) of TILE×TILE tiles `COL_ROW.png|jpg`, and `levels.json` written last.
Ingest makes it while the page is in memory; pages ingested before get theirs on first request.
A request reads only the tiles of the smallest level that is still at least as large as the
answer, so its memory is bounded by the answer's size, not the page's.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from PIL import Image

from ingest.scans.images import open_master, safe_join

TILE = 1024


def tiles_folder(master: str) -> str:
    """The pyramid's folder (relative to the data directory) of a master's relative path."""
    return f"{master.rsplit('.', 1)[0]}.tiles"


def levels_of(width: int, height: int) -> list[int]:
    """Reduction factors 1, 2, 4, ... down to the first level that fits in one tile."""
    levels = [1]
    while math.ceil(max(width, height) / levels[-1]) > TILE:
        levels.append(levels[-1] * 2)
    return levels


def _save_level(image: Image.Image, folder: Path) -> None:
    folder.mkdir(parents=True)
    suffix, fmt, options = (".png", "PNG", {"compress_level": 3}) if image.mode == "L" else \
        (".jpg", "JPEG", {"quality": 92})
    for top in range(0, image.height, TILE):
        for left in range(0, image.width, TILE):
            tile = image.crop((left, top, min(left + TILE, image.width), min(top + TILE, image.height)))
            tile.save(folder / f"{left // TILE}_{top // TILE}{suffix}", fmt, **options)


def write_pyramid(image: Image.Image, target: Path) -> None:
    """Write the pyramid of an (upright, L or RGB) page to the folder `target`, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        levels = levels_of(image.width, image.height)
        level = image
        for factor in levels:
            if factor > 1:
                level = level.reduce(2)
            _save_level(level, work / str(factor))
        (work / "levels.json").write_text(json.dumps({"width": image.width, "height": image.height,
                                                      "tile": TILE, "levels": levels, "mode": image.mode}))
        try:
            os.replace(work, target)
        except OSError:
            if not (target / "levels.json").exists():  # not merely another process that was quicker
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def has_pyramid(data_dir: Path, master: str) -> bool:
    """The master's pyramid is complete."""
    return (safe_join(data_dir, tiles_folder(master)) / "levels.json").exists()


def ensure_pyramid(data_dir: Path, master: str) -> bool:
    """Make the pyramid of a page ingested before pyramids existed; False when it cannot be written
    (a read-only data directory), in which case the caller renders from the master."""
    if has_pyramid(data_dir, master):
        return True
    try:
        with open_master(data_dir, master) as image:
            write_pyramid(image, safe_join(data_dir, tiles_folder(master)))
    except OSError:
        return False
    return True


def read_region(data_dir: Path, master: str, region: tuple[int, int, int, int],
                size: tuple[int, int]) -> Image.Image:
    """The region (page pixels) from the smallest pyramid level at least `size` large, composed
    from its tiles only; the caller scales it to `size` exactly."""
    folder = safe_join(data_dir, tiles_folder(master))
    info = json.loads((folder / "levels.json").read_text())
    x, y, w, h = region
    factor = max(f for f in info["levels"] if f == 1 or (w / f >= size[0] and h / f >= size[1]))
    level_w, level_h = math.ceil(info["width"] / factor), math.ceil(info["height"] / factor)
    left, top = x // factor, y // factor
    right, bottom = min(level_w, max(left + 1, math.ceil((x + w) / factor))), \
        min(level_h, max(top + 1, math.ceil((y + h) / factor)))
    out = Image.new(info["mode"], (right - left, bottom - top), "white")
    suffix = ".png" if info["mode"] == "L" else ".jpg"
    for row in range(top // TILE, (bottom - 1) // TILE + 1):
        for col in range(left // TILE, (right - 1) // TILE + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(folder / str(factor) / f"{col}_{row}{suffix}") as tile:
                    tile.load()
                    ox, oy = col * TILE, row * TILE
                    part = tile.crop((max(left, ox) - ox, max(top, oy) - oy,
                                      min(right, ox + tile.width) - ox, min(bottom, oy + tile.height) - oy))
            out.paste(part, (max(left, ox) - left, max(top, oy) - top))
    return out
