"""Issue 13.7: a ZIP of many 1 MB members of zeros passes every per-member check; the total
expanded size is capped (against the archive's size) and checked before anything is written."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest.scans.errors import NothingToIngest
from ingest.scans.limits import Limits
from ingest.scans.pipeline import ingest_scans
from ingest.scans.sources import expand
from tests.ingest.scan_samples import encoded, plain_image


def many_zeros(path: Path, members: int = 100, size: int = 2**20) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(members):
            archive.writestr(f"trang{n:04d}.png", bytes(size))
    return path


def test_many_small_members_are_refused_at_the_total_cap_before_anything_is_written(tmp_path):
    bomb = many_zeros(tmp_path / "bom.zip")
    assert bomb.stat().st_size < 2**20  # 100 MB of members in a small archive
    workdir = tmp_path / "work"
    workdir.mkdir()
    problems = []
    assert expand(bomb, workdir, Limits(), problems) == []
    assert [p.message for p in problems] == [
        "bom.zip: its files expand to 100 MB, more than the 64 MB allowed for this archive "
        "(LIBRARY_MAX_ZIP_BYTES, LIBRARY_MAX_ZIP_TOTAL_RATIO); refused."]
    assert [p for p in workdir.rglob("*") if p.is_file()] == []


def test_the_scan_ingest_reports_the_refused_archive(session, data_dir, tmp_path):
    bomb = many_zeros(tmp_path / "bom.zip", members=80)
    with pytest.raises(NothingToIngest, match="bom.zip: its files expand to 80 MB"):
        ingest_scans(session, bomb, data_dir=data_dir)


def test_an_archive_of_real_pages_under_the_cap_still_ingests(session, data_dir, tmp_path):
    archive = tmp_path / "sach.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for n in (1, 2):
            out.writestr(f"p{n}.png", encoded(plain_image(n)))
    report = ingest_scans(session, archive, data_dir=data_dir, limits=Limits(max_zip_total_ratio=1))
    assert report.pages == 2
