"""A served instance doing several things at once for a while (SOAK_SECONDS, default 75): the
desk lending, cataloguers editing and importing MARC, staff scanning with OCR, residents searching
and reading. Fails on any 5xx, a request slower than SOAK_SLOW_SECONDS (5), a job that failed, a
traceback in the server's log, or a search index that no longer matches the database."""
from __future__ import annotations

import json
import os
import re
import threading
import time

import pytest

from tests.soak import actors
from tests.soak.client import Journal, route

pytestmark = pytest.mark.soak
SECONDS = float(os.environ.get("SOAK_SECONDS", "75"))
SLOW = float(os.environ.get("SOAK_SLOW_SECONDS", "5"))
# Each of these happened at least once, or the run proved nothing about it.
EXPECTED = ("checkout", "renewal", "checkin", "record edit", "copy edit", "marc import", "scan ingest", "ocr", "search",
            "reader page", "page image", "reader hold")


def tracebacks(log: str) -> list[str]:
    """Each kind of traceback in the server's log once (route and exception), with how often it
    came, its first line, the project's frames nearest the error and the exception."""
    groups: dict[tuple[str, str], list[list[str]]] = {}
    for match in re.finditer(r"^(.*)\nTraceback \(most recent call last\):\n((?:[ \t].*\n)*)(.*)$", log, re.M):
        header, frames, error = match.groups()
        where = re.search(r"Exception on (\S+) \[(\w+)\]", header)
        said = re.sub(r"^\[[^\]]*\]\s*", "", header.strip())[-80:]  # without its time stamp
        key = (f"{where.group(2)} {route(where.group(1))}" if where else said, error.split(":")[0])
        ours = [line.strip() for line in frames.splitlines() if re.search(r'File ".*/(app|catalog|ingest|search_index)/', line)]
        groups.setdefault(key, []).append([header.strip(), *ours[-3:], error.strip()])
    return [f"{key[0]}: {key[1]} ({len(found)} times)\n    " + "\n    ".join(found[0])
            for key, found in sorted(groups.items(), key=lambda item: -len(item[1]))]


def scanned_booklet(served) -> tuple[int, int]:
    """A two-page booklet ingested before the load (no OCR): (digital object, its record). Readers
    do not wait for the scanner's first upload, which on a short run under a busy machine could
    end after the load did."""
    from tests.ingest.scan_samples import encoded, text_image

    folder = served.folder / "booklet"
    folder.mkdir()
    for number, lines in enumerate((["Làng chài ven biển", "Cát Hải"], ["Lịch sử xã Hiền Hào"]), start=1):
        (folder / f"{number:02d}.png").write_bytes(encoded(text_image(lines)))
    done = served.flask("ingest-scans", str(folder), "--record", "1", "--no-ocr", "--licence", "cc-by", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])["object_id"], 1


def settle(run: actors.Run) -> None:
    """One last record edit once the load is over: its commit runs the index sync that catches up
    any record a busy moment left marked stale (by design), so check-index sees real drift only."""
    client = run.staff("settle", "bienmuc")
    path = f"/staff/records/{run.record_ids[-1]}/edit"
    fields = client.form(path, path)
    fields["physical_description"] = "99 tr."
    actors.posted(run, client, path, fields, "settle")


def test_a_served_library_under_mixed_load_for_a_while(served):
    journal = Journal(slow_seconds=SLOW)
    run = actors.Run(served.base, journal, threading.Event(), record_ids=list(range(1, 301)))
    assert json.loads(actors.Client(served.base, "setup", journal).get("/api/records/300").text)["id"] == 300
    run.objects.append(scanned_booklet(served))  # read from the start; the scanner adds more as it goes
    loops = [(actors.desk, (0,)), (actors.desk, (1,)), (actors.cataloguer, ()), (actors.marc_uploader, ()),
             (actors.scanner, ()), (actors.holder, ()), *[(actors.resident, (n,)) for n in range(4)]]
    threads = [threading.Thread(target=guarded, args=(run, loop, args), daemon=True, name=loop.__name__)
               for loop, args in loops]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    run.stop.wait(SECONDS)
    run.stop.set()
    for thread in threads:
        thread.join(timeout=actors.JOB_WAIT + 30)
    loaded = time.monotonic() - started
    settle(run)
    served.stop()
    check = served.flask("check-index", "--json")
    print(f"\nsoak: {loaded:.0f} s of load: {journal.summary()}")
    problems = journal.failures()
    problems += [f"traceback in the server log: {t}" for t in tracebacks(served.log())]
    if check.returncode != 0:
        problems.append(f"check-index found drift: {check.stdout.strip().splitlines()[-1:]} {check.stderr[-500:]}")
    problems += [f"nothing was done of: {what}" for what in EXPECTED if not journal.done[what]]
    problems += [f"a loop is still running: {t.name}" for t in threads if t.is_alive()]
    assert not problems, f"{len(problems)} kinds of problem; {journal.summary()}\n" + "\n".join(problems)


def guarded(run: actors.Run, loop, args) -> None:
    """Run one actor; an exception in the test's own code stops the run and is reported."""
    try:
        loop(run, *args)
    except Exception as error:  # the edge of a test thread: report, then stop everyone
        run.journal.problem(f"{loop.__name__}{args}: {type(error).__name__}: {error}")
        run.stop.set()
