"""Benchmark: harvest rate (records a second) from a local hoclieu OAI-PMH provider.

    .venv/bin/python bench/harvest.py [--records 5000] [--prefix oai_dc|marc21] [--page-size 100]

Builds a provider (SQLite, generated Vietnamese records imported with import-marc: the same
generator as bench/marc_import.py), serves its /oai from a separate process on a free
127.0.0.1 port, then runs a full harvest job of an empty harvester (SQLite) the way the staff
page does (app.background.harvest_runs.run_harvest: HTTP, parsing, mapping, matching, writing, search
index), and an incremental harvest after it (nothing changed). Prints records/s.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVE = """
import sys
from werkzeug.serving import make_server
from app import create_app
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "DATA_DIR": sys.argv[2], "SECRET_KEY": "bench-secret-key-long",
                  "OAI_PAGE_SIZE": int(sys.argv[3]), "OAI_REPOSITORY_IDENTIFIER": "doitac.example.vn"})
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def make_app(folder: Path, name: str, **extra):
    from app import create_app

    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / name}.db",
                       "DATA_DIR": str(folder / f"{name}-data"), "SECRET_KEY": "bench-secret-key-long",
                       "JOBS_SYNCHRONOUS": True, **extra})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--prefix", default="oai_dc", choices=("oai_dc", "marc21"))
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    from bench.marc_import import generate
    from app.background.harvest_runs import queue_harvest, run_harvest
    from app.schema import upgrade
    from catalog.db import utcnow
    from catalog.harvest.services import create_source

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        provider = make_app(folder, "provider")
        upgrade(provider.extensions["engine"])
        generate(folder / "records.mrc", args.records)
        loaded = provider.test_cli_runner().invoke(args=["import-marc", str(folder / "records.mrc")])
        assert loaded.exit_code == 0, loaded.output
        provider.extensions["engine"].dispose()
        server = subprocess.Popen([sys.executable, "-c", SERVE, f"sqlite:///{folder / 'provider'}.db",
                                   str(folder / "provider-data"), str(args.page_size)],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(server.stdout.readline())
            harvester = make_app(folder, "harvester")
            upgrade(harvester.extensions["engine"])
            with harvester.app_context(), harvester.extensions["session_factory"].begin() as session:
                source = create_source(session, None, now=utcnow(), name="bench", base_url=f"http://127.0.0.1:{port}/oai",
                                       metadata_prefix=args.prefix, set_spec="", schedule="manual", library_id=None)
                source.granularity = "YYYY-MM-DDThh:mm:ssZ"
                runs = [queue_harvest(session, None, source, label="bench").params["harvest_run_id"]]
            from ingest.harvest.client import list_records

            started, token, fetched = time.perf_counter(), "", 0
            while True:  # the provider and the HTTP/XML side alone: every page, nothing written
                page = list_records(f"http://127.0.0.1:{port}/oai", metadata_prefix=args.prefix, token=token)
                fetched, token = fetched + len(page.items), page.token
                if not token:
                    break
            fetch_only = time.perf_counter() - started
            with harvester.app_context():
                started = time.perf_counter()
                counts = run_harvest(harvester, runs[0], lambda done, total: None)
                full = time.perf_counter() - started
                with harvester.extensions["session_factory"].begin() as session:
                    from catalog.harvest.services import get_source

                    again = queue_harvest(session, None, get_source(session, source.id), label="again")
                    second_id = again.params["harvest_run_id"]
                started = time.perf_counter()
                second = run_harvest(harvester, second_id, lambda done, total: None)
                incremental = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
        print(f"full harvest ({args.prefix}, {args.records} records, pages of {args.page_size}): "
              f"{counts['created']} created in {full:.1f} s = {counts['read'] / full:.0f} records/s")
        print(f"fetching and parsing alone (provider's /oai, HTTP, XML, DC -> MARC): {fetched} in {fetch_only:.1f} s = "
              f"{fetched / fetch_only:.0f} records/s")
        print(f"incremental harvest right after: {second['read']} read in {incremental:.2f} s")


if __name__ == "__main__":
    main()
