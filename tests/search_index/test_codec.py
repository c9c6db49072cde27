"""search_index.codec (WritingCodec, TermPool) writes what Whoosh's stock codec and pool write:
every term's postings with their weights, values and block statistics, term statistics, stored
fields, field lengths and columns (the bytes differ only where pickle shares repeated values)."""
from __future__ import annotations

import random

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from search_index.analysis import VALUE_SEP
from search_index.schema import build_schema
from search_index.writer import open_writer

WORDS = "Lịch sử Việt Nam hoà bình Đường về quê mẹ thủy sản biển đảo Hải Phòng toán lớp một hai ba".split()


def documents(count: int):
    rng = random.Random(3)
    for n in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 9)))
        doc = {
            "id": str(n + 1), "version": f"v{n}", "data": {"title": title, "n": n},
            "title": title, "title_f": title,
            "author": "\n".join(rng.sample(WORDS, 2)), "author_f": "\n".join(rng.sample(WORDS, 2)),
            "body_f": " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 40))),
            "facet_type": rng.choice(["book", "serial"]),
            "facet_subject": VALUE_SEP.join(rng.sample(["Thủy sản", "Toán", "Lịch sử"], rng.randint(1, 3))),
            "title_sort": title.lower(),
        }
        if rng.random() < 0.8:
            doc["year"] = rng.randint(1950, 2025)
        if rng.random() < 0.5:
            doc["subject"] = doc["subject_f"] = rng.choice(WORDS)
        yield doc


def write(path, docs, codec):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema(), indexname="records")
    for start in range(0, len(docs), 200):  # several segments, as commits during an import make
        writer = open_writer(ix) if codec is None else ix.writer(codec=codec, compound=False)
        for doc in docs[start:start + 200]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    return ix


def contents(ix) -> dict:
    out: dict = {}
    with ix.reader() as reader:
        for number, (leaf, _offset) in enumerate(reader.leaf_readers()):
            for fieldname, text in leaf.all_terms():
                postings, found = leaf.postings(fieldname, text), []
                while postings.is_active():
                    found.append((postings.id(), postings.weight(), postings.value(), postings.block_min_length(),
                                  postings.block_max_length(), postings.block_max_weight()))
                    postings.next()
                info = leaf.term_info(fieldname, text)
                out[(number, fieldname, text)] = (found, info.weight(), info.doc_frequency(), info.min_length(),
                                                  info.max_length(), info.max_weight())
        for docnum in reader.all_doc_ids():
            out[("doc", docnum)] = (reader.stored_fields(docnum),
                                    {f: reader.doc_field_length(docnum, f) for f in reader.schema.scorable_names()})
        for column in ("year", "title_sort"):
            values = reader.column_reader(column)
            out[("column", column)] = [values[d] for d in reader.all_doc_ids()]
        out["lengths"] = {f: reader.field_length(f) for f in reader.schema.scorable_names()}
    return out


def test_the_writing_codec_writes_what_the_stock_codec_writes(tmp_path):
    docs = list(documents(700))
    ours = write(tmp_path / "ours", docs, None)
    stock = write(tmp_path / "stock", docs, W3Codec())
    assert contents(ours) == contents(stock)
    assert len(contents(ours)) > 1000


def test_segments_written_with_it_name_the_stock_codec(tmp_path):
    ix = write(tmp_path / "ours", list(documents(10)), None)
    assert all(type(segment.codec()) is W3Codec for segment in ix._segments())
