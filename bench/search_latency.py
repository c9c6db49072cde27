"""Search benchmark: /api/search latency (p50/p95, with facets) on generated records.

Generates N records with a realistic Vietnamese vocabulary (common syllables such as "học", "việt",
"nam" in a large share of records, as in real catalogues), writes them to a fresh index with the
bulk path (one writer, documents built from catalog IndexRows as the sync builds them), then runs a
fixed mix of 1-4 word queries, with and without marks, some with facet filters or sorting,
through the Flask test client. Also measures the end-to-end sync path (records created through the
catalog services, committed, then indexed by sync()) on a smaller set.

Subjects come from a vocabulary of thousands of distinct headings with subdivisions ("Văn học
Việt Nam -- Thế kỷ 20 -- Nghiên cứu và phê bình"), used with Zipf-like frequencies.

`--backend whoosh` (default) writes a Whoosh index in a temporary folder; `--backend postgresql`
creates a fresh database on the server of `--database-url`, loads the records there in bulk
(executemany of record rows, then the backend's own document writer, search_index.postgresql.writing.
write_rows, in batches of 2,000) and searches through LIBRARY_SEARCH_BACKEND=postgresql. Prints build
time, cold and warm p50/p95/max, the RSS of the querying process and the index size on disk.

Usage: .venv/bin/python bench/search_latency.py [--backend whoosh|postgresql] [--records 100000] [--rounds 3]
       [--sync-records 5000] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
       [--keep-database] [--reuse-database] [--keep-index DIR | --reuse-index DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.records.indexing import CopyRow, IndexRow  # noqa: E402
from catalog.records.models import DRAFT_FIELDS, RecordDraft  # noqa: E402
from catalog.text import sort_string  # noqa: E402

# Phrases of real catalogue titles; the first ones (with "học", "Việt Nam") are the most common.
TOPICS = [
    "học sinh", "Việt Nam", "tiếng Việt", "lịch sử Việt Nam", "văn học", "toán học", "khoa học", "giáo dục",
    "địa lý", "kỹ thuật", "nông nghiệp", "thủy sản", "sức khỏe", "pháp luật", "kinh tế", "văn hóa", "tin học",
    "hóa học", "vật lý", "sinh học", "âm nhạc", "mỹ thuật", "thể dục", "đạo đức", "kỹ năng sống", "môi trường",
    "du lịch", "nghề cá", "trồng trọt", "chăn nuôi", "truyện cổ tích", "thơ", "tiểu thuyết", "hồi ký",
    "từ điển", "sách giáo khoa", "tài liệu tham khảo", "bài tập", "hướng dẫn", "giáo trình", "cẩm nang",
    "thiếu nhi", "phụ nữ", "thanh niên", "nông thôn", "biển đảo", "Hải Phòng", "Hà Nội", "miền Nam", "Tây Nguyên",
    "đường về", "hòa bình", "quê hương", "đất nước", "con người", "gia đình", "nhà trường", "thư viện",
]
QUALIFIERS = ["lớp 1", "lớp 5", "lớp 9", "lớp 12", "tập 1", "tập 2", "cho mọi nhà", "cơ bản", "nâng cao",
              "dành cho học sinh", "thường thức", "hỏi và đáp", "tái bản", "ở Việt Nam", "miền Bắc", "ven biển"]
ENGLISH = ["history", "science", "english", "grammar", "for beginners", "of Vietnam", "the world", "marine",
           "biology", "mathematics", "introduction to", "stories", "children", "health", "computer", "teaching"]
SYLLABLES = ("của và các những trong cho với được người một có là không này đã học sinh việt nam nước "
             "dân tộc lịch sử thời kỳ phát triển xã hội kinh tế văn hóa giáo dục nhà trường gia đình trẻ em "
             "bài tập thực hành kiến thức cơ bản nâng cao phương pháp đời sống cộng đồng tự nhiên môi trường "
             "biển đảo nông thôn miền núi đồng bằng sông hồng cửu long thủ đô thành phố làng xã huyện tỉnh "
             "truyện thơ ca dao tục ngữ câu đố trò chơi âm nhạc hội họa thể thao sức khỏe dinh dưỡng bệnh "
             "phòng chống an toàn giao thông pháp luật quyền nghĩa vụ công dân lao động việc làm nghề nghiệp").split()
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Hữu", "Ngọc", "Thanh", "Xuân", "Hồng", "Gia"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Lan", "Long", "Mai", "Nam", "Phương", "Quân",
         "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Khoa", "Đạt", "Hòa", "Thủy", "Sơn", "Linh"]
PUBLISHERS = ["Nxb. Giáo dục Việt Nam", "Nxb. Kim Đồng", "Nxb. Trẻ", "Nxb. Hải Phòng", "Nxb. Văn học",
              "Nxb. Nông nghiệp", "Nxb. Chính trị quốc gia Sự thật", "Nxb. Khoa học và Kỹ thuật", "Nxb. Phụ nữ Việt Nam",
              "Nxb. Đại học Quốc gia Hà Nội", "Nxb. Thanh niên", "Nxb. Lao động"]
LIBRARIES = [(f"LIB{n:02d}", f"Thư viện số {n}") for n in range(12)]
STATUSES = ["available"] * 7 + ["on_loan"] * 2 + ["in_transit", "lost"]

QUERIES = [
    ("học", []), ("việt nam", []), ("viet nam", []), ("lịch sử", []), ("lich su viet nam", []),
    ("học sinh", ["language:vie"]), ("hoc sinh lop 5", []), ("toán học lớp 9", []), ("tieng viet", []),
    ("nguyễn văn an", []), ("nguyen van", []), ("thủy sản", ["decade:2010"]), ("thuy san ven bien", []),
    ("sức khỏe", []), ("suc khoe cong dong", []), ("văn học", ["availability:available"]), ("van hoc viet nam", []),
    ("history", []), ("the history of vietnam", []), ("english grammar", []), ("đường về", []), ("duong ve", []),
    ("hòa bình", []), ("hoa binh", ["language:vie", "decade:2000"]), ("giáo dục", ["type:book"]),
    ("giao duc nha truong", []), ("kỹ năng sống", []), ("ky nang song cho hoc sinh", []), ("thư viện", []),
    ("thu vien truong hoc", []), ("nam", []), ("hà nội", ["library:LIB03"]), ("hai phong", []),
    ("truyện cổ tích", []), ("truyen co tich viet nam", []), ("tin học cơ bản", []), ("từ điển", []),
    ("phap luat", ["availability:available"]), ("nông nghiệp", []), ("môi trường biển", []),
]
SORTED = {"lịch sử": "newest", "văn học": "title", "học": "oldest"}


SUBDIVISIONS_TOPICAL = ["Nghiên cứu và phê bình", "Lịch sử", "Sách giáo khoa", "Từ điển", "Giáo trình", "Bài tập",
                        "Tài liệu tham khảo", "Sách thiếu nhi", "Hỏi và đáp", "Tiểu sử", "Thống kê", "Luật và pháp chế",
                        "Khía cạnh xã hội", "Khía cạnh kinh tế", "Giảng dạy", "Chính sách", "Hướng dẫn"]
SUBDIVISIONS_PLACE = ["Việt Nam", "Hà Nội", "Hải Phòng", "Thành phố Hồ Chí Minh", "Đồng bằng sông Cửu Long",
                      "Tây Nguyên", "Miền Trung", "Miền Bắc", "Quảng Ninh", "Nghệ An", "Huế", "Đà Nẵng", "Cần Thơ",
                      "Châu Á", "Đông Nam Á"]
SUBDIVISIONS_TIME = ["Thế kỷ 19", "Thế kỷ 20", "Thế kỷ 21", "1945-1975", "1975-1986", "1986-"]
MAIN_HEADINGS = [t[0].upper() + t[1:] for t in TOPICS] + [
    "Văn học Việt Nam", "Thơ Việt Nam", "Truyện ngắn Việt Nam", "Tiểu thuyết Việt Nam", "Văn học dân gian",
    "Ca dao", "Tục ngữ", "Chiến tranh Việt Nam, 1961-1975", "Kháng chiến chống Pháp, 1945-1954", "Phật giáo",
    "Nho giáo", "Tín ngưỡng dân gian", "Lễ hội", "Ẩm thực", "Kiến trúc", "Làng nghề", "Dân tộc thiểu số",
    "Ngôn ngữ học", "Ngữ pháp tiếng Việt", "Tiếng Anh", "Y học cổ truyền", "Dinh dưỡng", "Bệnh truyền nhiễm",
    "Lúa", "Cà phê", "Thủy lợi", "Lâm nghiệp", "Biến đổi khí hậu", "Điện tử", "Công nghệ thông tin", "Cơ khí",
    "Xây dựng", "Giao thông vận tải", "Tài chính", "Ngân hàng", "Kế toán", "Quản trị kinh doanh", "Marketing",
    "Tâm lý học", "Triết học", "Xã hội học", "Chính trị", "Quốc phòng", "Ngoại giao", "Hồ Chí Minh, 1890-1969",
]


def _headings(seed: int = 3) -> list[str]:
    """Thousands of distinct subject headings, main heading plus subdivisions, most useful first."""
    rng = random.Random(seed)
    found = dict.fromkeys(MAIN_HEADINGS)
    while len(found) < 6000:
        parts = [rng.choice(MAIN_HEADINGS)]
        if rng.random() < 0.6:
            parts.append(rng.choice(SUBDIVISIONS_PLACE))
        if rng.random() < 0.4:
            parts.append(rng.choice(SUBDIVISIONS_TIME))
        if rng.random() < 0.7:
            parts.append(rng.choice(SUBDIVISIONS_TOPICAL))
        found[" -- ".join(parts)] = None
    return list(found)


HEADINGS = _headings()
HEADING_WEIGHTS = list(__import__("itertools").accumulate(1 / (rank + 1) for rank in range(len(HEADINGS))))


def generate_rows(count: int, seed: int = 7) -> list[IndexRow]:
    """Index rows as catalog.records.indexing.index_rows would load them."""
    rng = random.Random(seed)
    topic_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(TOPICS))]
    rows = []
    for number in range(1, count + 1):
        english = rng.random() < 0.12
        if english:
            title = " ".join(rng.sample(ENGLISH, rng.randint(2, 4))).capitalize()
            languages = ["eng"]
        else:
            parts = rng.choices(TOPICS, weights=topic_weights, k=rng.randint(1, 2))
            title = " ".join(parts).capitalize()
            if rng.random() < 0.6:
                title += " " + rng.choice(QUALIFIERS)
            languages = ["vie"] if rng.random() < 0.97 else ["vie", "fre"]
        authors = [f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 2))]
        subjects = list(dict.fromkeys(rng.choices(HEADINGS, cum_weights=HEADING_WEIGHTS, k=rng.randint(1, 3))))
        summary = " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(10, 35)))
        draft = RecordDraft(title=title, authors=authors, subjects=subjects,
                            publisher=rng.choice(PUBLISHERS), year=rng.randint(1960, 2025), languages=languages,
                            record_type=rng.choices(["book", "serial", "map", "video"], weights=[90, 6, 2, 2])[0],
                            summary=summary.capitalize() + ".", call_number=f"{rng.randint(0, 999):03d}")
        copies = []
        for _ in range(rng.randint(0, 3)):
            code, name = rng.choice(LIBRARIES)
            copies.append(CopyRow(rng.choice(STATUSES), code, name, code, name))
        moment = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=number)
        rows.append(IndexRow(id=number, fields={n: getattr(draft, n) for n in DRAFT_FIELDS},
                             title_sort=sort_string(title)[:512], updated_at=moment, stale_since=moment, is_live=True,
                             copies=copies, digital_objects=1 if rng.random() < 0.05 else 0, pages=[]))
    return rows


def build_index(index_dir: Path, rows: list[IndexRow]) -> tuple[float, float]:
    """Bulk path: one writer, add_document for every row; returns (wall, CPU) seconds."""
    from search_index.writer import write_rows
    from whoosh import index as whoosh_index

    from search_index.schema import build_schema
    from search_index.writer import INDEX_NAME

    index_dir.mkdir(parents=True, exist_ok=True)
    started, cpu = time.perf_counter(), time.process_time()
    ix = whoosh_index.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)
    write_rows(ix, rows, fresh=True)
    ix.close()
    return time.perf_counter() - started, time.process_time() - cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_queries(client, rounds: int) -> dict:
    def one(text, filters):
        params = [("q", text)] + [("f", f) for f in filters]
        if text in SORTED:
            params.append(("sort", SORTED[text]))
        started = time.perf_counter()
        response = client.get("/api/search", query_string=params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)
        return elapsed, response.get_json()["total"]

    cold = [one(text, filters)[0] for text, filters in QUERIES]
    warm, totals, by_query = [], {}, {}
    for _ in range(rounds):
        for text, filters in QUERIES:
            elapsed, total = one(text, filters)
            warm.append(elapsed)
            totals[(text, tuple(filters))] = total
            by_query.setdefault((text, tuple(filters)), []).append(elapsed)
    return {"cold": cold, "warm": warm, "totals": totals, "by_query": by_query}


def measure_sync(count: int) -> tuple[float, float]:
    """Records created through catalog services, committed, then indexed by sync(): records/s."""
    from catalog.db import make_engine, make_session_factory
    from catalog.models import metadata
    from catalog.records.models import create_record
    from search_index.writer import sync

    rows = generate_rows(count, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        metadata.create_all(engine)
        factory = make_session_factory(engine)
        started = time.process_time()
        with factory.begin() as session:
            for row in rows:
                create_record(session, RecordDraft(**row.fields))
        created = time.process_time() - started
        started = time.process_time()
        sync(factory, Path(tmp) / "index")
        synced = time.process_time() - started
        engine.dispose()
    return count / created, count / synced


def create_database(server_url: str, name: str) -> str:
    """A fresh database `name` on the server of `server_url` (dropped first); its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def build_postgresql(database_url: str, rows: list[IndexRow], batch: int = 2000) -> tuple[float, float]:
    """Records inserted in bulk (executemany of record rows), then their documents written by the
    backend's own writer (search_index.postgresql.writing.write_rows), batch by batch, the search
    tables' secondary indexes built after; then ANALYZE. Returns (wall, CPU) seconds of the whole
    load."""
    from sqlalchemy import text

    from catalog.db import make_engine, make_session_factory
    from catalog.records.models import Record
    from search_index.postgresql.writing import write_rows

    engine = make_engine(database_url)
    factory = make_session_factory(engine)  # plain sessions: no upkeep listener, documents written below
    started, cpu = time.perf_counter(), time.process_time()
    # The search tables' secondary indexes are built once at the end (a bulk load's usual order:
    # growing six GIN indexes row by row made a million-record load several times slower).
    with engine.begin() as connection:
        indexes = connection.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('search_document', 'search_word', "
            "'search_completion') AND indexname NOT LIKE 'pk_%'")).all()
        for name, _definition in indexes:
            connection.execute(text(f'DROP INDEX "{name}"'))
    for first in range(0, len(rows), batch):
        chunk = rows[first:first + batch]
        with factory.begin() as session:
            session.connection().execute(Record.__table__.insert(), [
                dict(row.fields, id=row.id, title_sort=row.title_sort, created_at=row.updated_at,
                     updated_at=row.updated_at, index_stale=False, stale_since=None) for row in chunk])
            write_rows(session, chunk)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SET maintenance_work_mem = '512MB'"))
        for _name, definition in indexes:
            connection.execute(text(definition))
        connection.execute(text("SELECT setval(pg_get_serial_sequence('record', 'id'), (SELECT max(id) FROM record))"))
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started, time.process_time() - cpu


def postgresql_size(database_url: str) -> int:
    """Bytes of the search tables with their indexes and TOAST (pg_total_relation_size)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        size = connection.execute(text(
            "SELECT pg_total_relation_size('search_document') + pg_total_relation_size('search_word') "
            "+ pg_total_relation_size('search_completion')")).scalar_one()
    engine.dispose()
    return int(size)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.resolve().rglob("*") if f.is_file())


def rss_mb() -> float:
    """Resident memory of this (the querying) process now, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["whoosh", "postgresql"], default="whoosh")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sync-records", type=int, default=5000)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server for --backend postgresql (a database bench_search_N is made on it)")
    parser.add_argument("--keep-database", action="store_true", help="leave the PostgreSQL database in place")
    parser.add_argument("--reuse-database", action="store_true",
                        help="query the database bench_search_N that a run with --keep-database left (skips the build)")
    parser.add_argument("--reuse-index", type=Path, help="query a Whoosh index this script built before (skips the build)")
    parser.add_argument("--keep-index", type=Path, metavar="DIR",
                        help="build the Whoosh index in DIR (new or empty) and leave it there, for --reuse-index DIR")
    args = parser.parse_args()
    if args.keep_index and args.reuse_index:
        parser.error("--keep-index builds an index and --reuse-index skips the build: give one of them")
    if args.keep_index and args.keep_index.exists() and any(args.keep_index.iterdir()):
        parser.error(f"--keep-index {args.keep_index}: the folder is not empty (give a new or empty folder)")

    from app import create_app

    print(f"backend {args.backend}; load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        started = time.perf_counter()
        reusing = args.backend == "postgresql" and args.reuse_database
        # A reused index or database needs no rows (generating a million takes minutes and leaves memory behind).
        rows = [] if reusing or (args.reuse_index and args.backend == "whoosh") else generate_rows(args.records)
        generated = time.perf_counter() - started
        common_known = bool(rows)
        common = {w: sum(1 for r in rows if w in r.fields["title"].lower() + " " + " ".join(r.fields["subjects"]).lower())
                  / max(1, len(rows)) for w in ("học", "việt", "nam")}
        overrides = {"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "bench-secret-key-long-enough",
                     "SEARCH_BACKEND": args.backend}
        if args.backend == "postgresql":
            from catalog.models import metadata
            from catalog.db import make_engine

            if reusing:
                from sqlalchemy.engine import make_url

                url = make_url(args.database_url).set(database=f"bench_search_{args.records}").render_as_string(
                    hide_password=False)
                seconds = cpu_seconds = float("nan")
            else:
                url = create_database(args.database_url, f"bench_search_{args.records}")
                engine = make_engine(url)
                metadata.create_all(engine)
                engine.dispose()
                seconds, cpu_seconds = build_postgresql(url, rows)
            overrides["DATABASE_URL"] = url
            app = create_app(overrides)
        else:
            overrides["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
            app = create_app(overrides)
            from catalog.models import metadata

            metadata.create_all(app.extensions["engine"])
            if args.reuse_index:
                (data / "index").rmdir() if (data / "index").exists() else None
                (data / "index").symlink_to(args.reuse_index.resolve())
                seconds = cpu_seconds = float("nan")
            elif args.keep_index:
                seconds, cpu_seconds = build_index(args.keep_index, rows)
                (data / "index").rmdir() if (data / "index").exists() else None
                (data / "index").symlink_to(args.keep_index.resolve())
                print(f"index kept in {args.keep_index.resolve()} (query it again with --reuse-index)")
            else:
                seconds, cpu_seconds = build_index(data / "index", rows)
        rows = None
        size = postgresql_size(url) if args.backend == "postgresql" else folder_size(data / "index")
        if reusing:
            print(f"querying the kept database {url.rsplit('/', 1)[-1]} (no build)")
        else:
            print(f"generated {args.records} records in {generated:.1f} s; indexed in {seconds:.1f} s wall, "
                  f"{cpu_seconds:.1f} s CPU in this process ({args.records / seconds:.0f} records/s wall, bulk path)")
        print(f"index size on disk: {size / 2**20:.0f} MB"
              + (" (search_document + search_word + search_completion, pg_total_relation_size)"
                 if args.backend == "postgresql" else " (Whoosh folder)"))
        if common_known:
            print("share of records with the word in title or subjects: "
                  + ", ".join(f"{w} {c:.0%}" for w, c in common.items()))
        import gc

        gc.collect()
        rss_before = rss_mb()
        result = measure_queries(app.test_client(), args.rounds)
        rss_after = rss_mb()
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["search_backend"].close()
        app.extensions["engine"].dispose()
        if args.backend == "postgresql" and not (args.keep_database or args.reuse_database):
            from sqlalchemy import create_engine, text

            admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "bench_search_{args.records}" WITH (FORCE)'))
            admin.dispose()
    warm, cold = result["warm"], result["cold"]
    print(f"queries: {len(QUERIES)} in the mix x {args.rounds} rounds = {len(warm)} timed requests (after one cold pass)")
    print(f"warm: p50 {percentile(warm, 0.5):.1f} ms, p95 {percentile(warm, 0.95):.1f} ms, max {max(warm):.1f} ms")
    print(f"cold (first pass, caches empty): p50 {percentile(cold, 0.5):.1f} ms, p95 {percentile(cold, 0.95):.1f} ms, "
          f"max {max(cold):.1f} ms, first query {cold[0]:.0f} ms")
    print(f"querying process RSS: {rss_before:.0f} MB before the queries (rows freed), {rss_after:.0f} MB after")
    slow = sorted(((statistics.median(v), k) for k, v in result["by_query"].items()), reverse=True)[:5]
    print("slowest queries (warm median): " + "; ".join(f"{q!r} {list(f) or ''} {ms:.0f} ms" for ms, (q, f) in slow))
    broad = sorted(result["totals"].items(), key=lambda kv: -kv[1])[:3]
    print("broadest queries: " + "; ".join(f"{q!r} {f or ''} -> {t}" for (q, f), t in broad))
    if args.sync_records and args.backend == "whoosh":
        created, synced = measure_sync(args.sync_records)
        print(f"sync path on {args.sync_records} records (SQLite, CPU time): created {created:.0f} records/s "
              f"through catalog services, indexed by sync() at {synced:.0f} records/s")
    print(f"mean warm latency {statistics.mean(warm):.1f} ms; load average after: "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
