"""Real-data pass for the big-file set-up of import-marc (decode worker + background indexer):
every real MARC file at once, through the CLI, with MARC_BULK_FROM_BYTES=1 so the set-up a
100,000-record file gets is the one these files get."""
from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pytest

from catalog.records.models import stale_record_ids
from search_index.writer import check_index
from tests.conftest import SHARED_DATA, shared_data


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "MARC_BULK_FROM_BYTES": 1}


def _files(*categories: str) -> list[Path]:
    manifest = shared_data("MANIFEST.tsv")
    with manifest.open(encoding="utf-8", newline="") as handle:
        return [SHARED_DATA / row["local_path"] for row in csv.DictReader(handle, delimiter="\t")
                if row["category"] in categories]


def _import(runner, files: list[Path]) -> dict:
    result = runner.invoke(args=["import-marc", *map(str, files), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def _index_is_complete(app) -> None:
    factory = app.extensions["session_factory"]
    with factory() as session:
        assert stale_record_ids(session) == []
    check = check_index(factory, Path(app.config["DATA_DIR"]) / "index")
    assert check.is_clean and check.indexed == check.live > 0


@pytest.mark.realdata
def test_every_clean_file_at_once_through_the_bulk_set_up(app, runner, caplog):
    caplog.set_level(logging.INFO, logger="app.search")
    files = _files("marc", "marcxml")
    assert len(files) > 5
    counts = _import(runner, files)
    assert counts["rejected"] == 0 and counts["created"] > 0
    assert "background indexer:" in caplog.text and "failed" not in caplog.text
    _index_is_complete(app)
    # Again: nothing new. (Records some files share, by 001/003 or 035, are updated by each file
    # in turn, in the first run as in this one.)
    again = _import(runner, files)
    assert (again["created"], again["rejected"]) == (0, 0)
    assert again["unchanged"] + again["updated"] == again["read"]
    _index_is_complete(app)


@pytest.mark.realdata
def test_every_malformed_file_at_once_through_the_bulk_set_up(app, runner, data_dir):
    counts = _import(runner, _files("marc_malformed"))
    assert counts["created"] + counts["updated"] + counts["unchanged"] + counts["rejected"] == counts["read"]
    assert counts["rejected"] > 0
    assert len(list((data_dir / "quarantine").rglob("*.bin"))) == counts["rejected"]
    _index_is_complete(app)
