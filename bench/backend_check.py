"""What following the recorded search backend costs a process (issue 19.4): search_backend()
between two looks at the record, and one look (reading the search_setting row).

Usage: .venv/bin/python bench/backend_check.py DATABASE_URL  (a scratch database: it is migrated)
"""
from __future__ import annotations

import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.schema import upgrade  # noqa: E402
from app.search import search_backend  # noqa: E402


def main(url: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "DATA_DIR": tempfile.mkdtemp(),
                      "SECRET_KEY": "x" * 40})
    upgrade(app.extensions["engine"])
    backends = app.extensions["search_backends"]
    with app.app_context():
        calls = 200_000
        between = timeit.timeit(search_backend, number=calls) / calls
        for _ in range(20):
            backends.refresh(force=True)
        looks = 500
        look = timeit.timeit(lambda: backends.refresh(force=True), number=looks) / looks
    print(f"{app.extensions['engine'].dialect.name}: search_backend() between looks {between * 1e9:.0f} ns; "
          f"one look {look * 1e6:.0f} us")
    app.extensions["engine"].dispose()


if __name__ == "__main__":
    main(sys.argv[1])
