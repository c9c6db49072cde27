"""Benchmark: end-to-end MARC import of a generated Vietnamese file into an empty database.

    .venv/bin/python bench/marc_import.py [--records 100000] [--database-url URL] [--inline]

Generates a realistic UTF-8 ISO 2709 file (Zipf-like vocabulary, names with diacritics, subjects,
ISBNs, Koha 952 holdings on a fifth of the records), reads it once with plain pymarc, then imports
it through app.background.marc_runs.run_import, as `flask import-marc` does, in the set-up of a big file (a
decode worker and a background indexer process; --inline: the small-file set-up, one process), and
reports records/s, the ratio to the plain pymarc read, peak memory (ru_maxrss) and CPU time.
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymarc  # noqa: E402
from pymarc import Field, Indicators, Subfield  # noqa: E402

from ingest.marc.export import to_iso2709  # noqa: E402
from ingest.marc.isbn import _isbn13_check  # noqa: E402

WORDS = (
    "việt nam lịch sử văn học thơ truyện ngắn tiếng việt toán học khoa học tự nhiên xã hội địa lý sinh học hóa học "
    "vật lý giáo dục công dân âm nhạc mĩ thuật đạo đức kỹ năng sống thiếu nhi cổ tích dân gian làng xã nông nghiệp "
    "chăn nuôi trồng trọt thủy sản biển đảo cát bà hải phòng hà nội sài gòn huế đà nẵng miền bắc miền trung miền nam "
    "chiến tranh hòa bình gia đình mẹ cha con người tình yêu quê hương đất nước bác hồ cách mạng kháng chiến tuổi thơ "
    "mùa xuân mùa hạ mùa thu mùa đông trường học thầy cô bạn bè sách vở thư viện đọc sách phát triển bền vững môi "
    "trường khí hậu sức khỏe y tế dinh dưỡng phòng bệnh an toàn giao thông pháp luật kinh tế du lịch văn hóa lễ hội "
    "truyền thống ẩm thực nghề thủ công tin học máy tính internet tiếng anh từ điển bách khoa tri thức hướng dẫn "
    "thực hành bài tập nâng cao cơ bản lớp một hai ba bốn năm sáu bảy tám chín mười câu chuyện những người ký ức"
).split()
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Quang", "Thanh", "Hữu", "Xuân", "Thu", "Kim", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thủy", "Trang", "Tuấn", "Yến"]
SUBJECTS = ["Văn học Việt Nam", "Thơ", "Truyện ngắn", "Lịch sử Việt Nam", "Giáo dục tiểu học", "Toán học",
            "Khoa học tự nhiên", "Địa lý", "Sinh học", "Kỹ năng sống", "Truyện thiếu nhi", "Cổ tích", "Nông nghiệp",
            "Thủy sản", "Biển đảo", "Du lịch", "Y tế", "Pháp luật", "Tin học", "Tiếng Anh", "Âm nhạc", "Mĩ thuật"]
PUBLISHERS = ["Nxb. Giáo dục Việt Nam", "Nxb. Kim Đồng", "Nxb. Trẻ", "Nxb. Văn học", "Nxb. Hội Nhà văn",
              "Nxb. Chính trị Quốc gia Sự thật", "Nxb. Đại học Quốc gia Hà Nội", "Nxb. Hải Phòng", "Nxb. Thanh niên"]
PLACES = ["H.", "Tp. Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Huế"]
LIBRARIES = ["TTVH", "TH-CATBA", "THCS-CATHAI", "THPT-CATBA"]


def zipf_choices(rng: random.Random, items: list[str], k: int) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(items))]
    return rng.choices(items, weights=weights, k=k)


def field(tag: str, ind: str, *pairs: str) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]),
                 subfields=[Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def make_record(n: int, rng: random.Random) -> pymarc.Record:
    title = " ".join(zipf_choices(rng, WORDS, rng.randint(3, 8))).capitalize()
    author = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    if rng.random() < 0.1:
        author = author.replace(" ", ", ", 1)  # Library of Congress style, kept as written
    year = rng.randint(1980, 2025)
    body = f"978604{n:06d}"[:12]
    record = pymarc.Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    fields = [Field(tag="001", data=f"BENCH{n:07d}"), Field(tag="003", data="VNNL"),
              Field(tag="008", data=f"230101s{year}    vm            000 0 vie d")]
    if rng.random() < 0.7:
        fields.append(field("020", "  ", "a", body + _isbn13_check(body), "c", f"{rng.randint(20, 200)}000đ"))
    fields += [field("041", "0 ", "a", "vie"), field("082", "04", "a", f"{rng.randint(0, 999):03d}.{rng.randint(1, 99)}",
                                                    "2", "23"),
               field("100", "0 ", "a", author),
               field("245", "10", "a", title + " /", "c", author + "."),
               field("264", " 1", "a", rng.choice(PLACES) + " :", "b", rng.choice(PUBLISHERS) + ",", "c", str(year)),
               field("300", "  ", "a", f"{rng.randint(40, 600)} tr. ;", "c", f"{rng.choice([19, 21, 24])} cm")]
    if rng.random() < 0.3:
        fields.append(field("520", "  ", "a", " ".join(zipf_choices(rng, WORDS, rng.randint(15, 40))).capitalize()))
    for subject in set(zipf_choices(rng, SUBJECTS, rng.randint(1, 3))):
        fields.append(field("650", " 7", "a", subject, "2", "bttvqg"))
    if rng.random() < 0.2:
        fields.append(field("700", "0 ", "a", f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"))
    if rng.random() < 0.2:
        fields.append(field("952", "  ", "p", f"BC{n:08d}", "a", rng.choice(LIBRARIES), "b", rng.choice(LIBRARIES),
                            "o", "895.92"))
    record.fields = fields
    return record


def generate(path: Path, count: int) -> None:
    rng = random.Random(3)
    with open(path, "wb") as handle:
        for n in range(1, count + 1):
            handle.write(to_iso2709(make_record(n, rng)))


def plain_pymarc_read(path: Path) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    with open(path, "rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True):
            count += record is not None
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--inline", action="store_true",
                        help="the small-file set-up: one process, the index synced every 10 batches")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="marc-bench-"))
    path = work / "vietnamese.mrc"
    start = time.perf_counter()
    generate(path, options.records)
    print(f"generated {options.records} records, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")

    read, pymarc_seconds = plain_pymarc_read(path)
    print(f"plain pymarc read: {read} records in {pymarc_seconds:.1f} s = {read / pymarc_seconds:,.0f} records/s")

    from app import create_app
    from app.background.marc_runs import run_import
    from app.schema import upgrade
    from catalog.libraries import LibraryKind, save_library

    url = options.database_url or f"sqlite:///{work / 'bench.db'}"
    # The same code as `flask import-marc`; the threshold picks the big-file or small-file set-up.
    app = create_app({"DATABASE_URL": url, "DATA_DIR": str(work / "data"), "SECRET_KEY": "bench-secret-key-0123456789",
                      "TESTING": True, "MARC_BULK_FROM_BYTES": 1 << 62 if options.inline else 1})
    upgrade(app.extensions["engine"])
    with app.extensions["session_factory"].begin() as session:
        for code in LIBRARIES:
            save_library(session, code=code, name=code, kind=LibraryKind.SCHOOL)
    waits: list[float] = []  # when the importer started waiting for the background indexer

    def index_progress(_done: int, _sent: int) -> None:
        if not waits:
            waits.append(time.perf_counter())

    with app.app_context():
        start = time.perf_counter()
        summary = run_import(app, [path], index_progress=index_progress)
        seconds = time.perf_counter() - start
    written = (waits[0] if waits else start + seconds) - start
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, helper_mb = own.ru_maxrss / 1024, helpers.ru_maxrss / 1024
    rate = summary.read / seconds
    setup = "inline" if options.inline else "bulk: decode worker + background indexer"
    print(f"import-marc end to end ({setup}, search index included): {summary.as_json()}")
    print(f"  {seconds:.1f} s = {rate:,.0f} records/s (database written after {written:.1f} s); plain pymarc read is "
          f"{pymarc_seconds / seconds:.3f} of it (import takes {seconds / pymarc_seconds:.1f}x the plain read)")
    print(f"  peak memory: importing process {peak_mb:.0f} MB, largest helper process {helper_mb:.0f} MB")
    print(f"  CPU time (whole run, generation and plain read included): importing process "
          f"{own.ru_utime + own.ru_stime:.1f} s, helper processes {helpers.ru_utime + helpers.ru_stime:.1f} s")
    app.extensions["job_pool"].shutdown(wait=True)
    app.extensions["engine"].dispose()


if __name__ == "__main__":
    main()
