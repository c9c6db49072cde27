"""The real-data pass starts from ../shared/data: every file the manifest lists is there, intact."""
from __future__ import annotations

import csv
import hashlib

import pytest

from tests.conftest import shared_data


@pytest.mark.realdata
def test_every_manifest_file_is_present_and_intact():
    manifest = shared_data("MANIFEST.tsv")
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) > 300
    problems = []
    for row in rows:
        path = shared_data() / row["local_path"]
        if not path.is_file():
            problems.append(f"missing {row['local_path']}")
        elif row["sha1_12"] and hashlib.sha1(path.read_bytes()).hexdigest()[:12] != row["sha1_12"]:
            problems.append(f"changed {row['local_path']}")
    assert problems == []
