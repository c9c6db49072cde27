"""The CQL parser and its translation into our query language: every index, relation and
boolean we support, and malformed or unsupported queries as the SRU diagnostic they must give."""
from __future__ import annotations

import pytest

from search_index.cql import BooleanNode, CQLError, SearchClause, has_masking, parse_cql, unescape
from search_index.cql_query import translate
from search_index.parsing import parse_query


def text(query: str) -> str:
    return translate(parse_cql(query)).text


def code(query: str) -> int:
    with pytest.raises(CQLError) as raised:
        translate(parse_cql(query))
    return raised.value.code


def test_a_bare_term_and_an_index_relation_term():
    assert parse_cql("dinosaur").root == SearchClause(None, "=", "dinosaur")
    tree = parse_cql('dc.title any "lịch sử"').root
    assert tree == SearchClause("dc.title", "any", "lịch sử")


def test_booleans_are_left_to_right_and_parentheses_group():
    tree = parse_cql("a and b or c").root
    assert isinstance(tree, BooleanNode) and tree.op == "or" and tree.left.op == "and"
    tree = parse_cql("a AND (b OR c)").root
    assert tree.op == "and" and tree.right.op == "or"
    assert parse_cql("((a))").root == SearchClause(None, "=", "a")


def test_keywords_as_terms_and_quoted_escapes():
    assert parse_cql('title = "and"').root.term == "and"
    assert parse_cql('title = and').root.term == "and"
    assert unescape(parse_cql(r'title = "say \"hi\""').root.term) == 'say "hi"'


def test_prefixes_modifiers_and_sort_keys_are_read():
    query = parse_cql('> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title =/ignoreCase x sortBy dc.date/sort.descending')
    assert query.root.modifiers[0].name == "ignoreCase"
    assert query.sort_keys[0].index == "dc.date" and query.sort_keys[0].modifiers[0].name == "sort.descending"


@pytest.mark.parametrize("query, expected", [
    ("lịch", "lịch"),
    ('"lịch sử"', '"lịch sử"'),
    ('cql.serverChoice all "lịch sử"', "lịch sử"),
    ('cql.anywhere any "lịch sử"', "lịch OR sử"),
    ('dc.title = "Lịch sử Việt Nam"', 'title:"lịch sử việt nam"'),
    ('dc.title adj "lịch sử"', 'title:"lịch sử"'),
    ('dc.title == "lịch sử"', 'title:"lịch sử"'),
    ('dc.title exact "lịch sử"', 'title:"lịch sử"'),
    ('dc.creator all "Nguyễn Văn An"', "author:nguyễn author:văn author:an"),
    ("dc.subject = thơ", "subject:thơ"),
    ("bath.isbn = 978-0-306-40615-7", "isbn:978-0-306-40615-7"),
    ('bath.isbn any "0306406152 9780306406157"', "isbn:0306406152 OR isbn:9780306406157"),
    ("bath.issn = 1234-5679", "issn:1234-5679"),
    ("dc.date = 2010", "year:2010"),
    ("dc.date < 2010", "year:-2009"),
    ("dc.date <= 2010", "year:-2010"),
    ("dc.date > 2010", "year:2011-"),
    ("dc.date >= 2010-05-01", "year:2010-"),
    ('dc.date within "2020 2010"', "year:2010-2020"),
    ("dc.language = vie and dc.type = book", "language:vie type:book"),
    ("a and b", "a b"),
    ("a or b", "a OR b"),
    ("a not b", "a NOT b"),
    ("(a or b) and c", "a OR b c"),
    ("a and (b or c)", "a b OR c"),
    ("(a and b) or c", "a OR c b OR c"),
    ("a not (b or c)", "a NOT b NOT c"),
    ("cql.allRecords = 1", ""),
    ("cql.allRecords = 1 not a", "NOT a"),
    ('"978-0-306-40615-7"', "isbn:9780306406157"),
    (r'title = "a\*b"', "title:\"a b\""),
])
def test_translation(query, expected):
    assert text(query) == expected


def test_the_translation_reads_back_as_the_same_groups():
    """What we write is what our own parser reads: (b OR c) stays one group."""
    parsed = parse_query(text('dc.title = "lịch sử" and (dc.creator = an or dc.subject = thơ) not dc.date < 2000'))
    kinds = [[(c.kind, c.field) for c in group] for group in parsed.groups]
    assert kinds == [[("phrase", "title")], [("words", "author"), ("words", "subject")], [("year", "year")]]
    assert parsed.groups[2][0].negated and parsed.groups[2][0].high == 1999


def test_sort_keys_become_our_sorts():
    assert translate(parse_cql("a sortBy dc.title")).sort == "title"
    assert translate(parse_cql("a sortBy dc.date/sort.descending")).sort == "newest"
    assert translate(parse_cql("a sortBy dc.date/sort.ascending")).sort == "oldest"
    assert translate(parse_cql("a")).sort == "relevance"


def test_record_numbers_are_fetched_not_searched():
    assert translate(parse_cql("rec.id = 5")).record_ids == [5]
    assert translate(parse_cql('rec.id any "5 7" or rec.id == 9')).record_ids == [5, 7, 9]


@pytest.mark.parametrize("query, diagnostic", [
    ("", 10),
    ("lịch sử", 10),  # two terms with no boolean between them
    ("a and", 10),
    ("title =", 10),
    ("a sortBy", 10),
    ("= a", 10),
    ("title = a /", 10),
    ('title = "open', 14),
    ("(a or b", 13),
    ("a)", 13),
    ("(" * 40 + "a" + ")" * 40, 13),
    ("x" * 1001, 12),
    ("foo.title = a", 15),
    ("dc.bogus = a", 16),
    ("rec.id = 1 and a", 18),
    ("title <> a", 19),
    ("title encloses a", 19),
    ("title nearby a", 19),
    ("rec.id < 4", 19),
    ("title =/respectCase a", 20),
    ("title < a", 22),
    ("bath.isbn all 123", 22),
    ("dc.date all 2010", 22),
    ('title = ""', 27),
    ("bath.isbn = \"\"", 27),
    ("title = hist*", 28),
    ("title = h?st", 28),
    ("dc.date = soon", 36),
    ("bath.isbn = abc", 36),
    ('dc.date within "2010"', 36),
    ("rec.id = abc", 36),
    (" or ".join(f"(a{i} and b{i})" for i in range(6)), 38),
    ("a prox b", 39),
    ("a and/foo b", 46),
    ("a or (b not c)", 48),
    ("a sortBy dc.title dc.date", 84),
    ("a sortBy dc.subject", 88),
    ("a sortBy dc.title/sort.upsideDown", 90),
])
def test_bad_queries_give_their_diagnostic(query, diagnostic):
    assert code(query) == diagnostic


def test_a_syntax_error_says_where():
    with pytest.raises(CQLError) as raised:
        parse_cql('title = "lịch sử" sử')
    assert raised.value.details == "18" and "“sử”" in raised.value.message


def test_masking_characters_and_their_escapes():
    assert has_masking("hist*") and has_masking("h?st") and not has_masking(r"hist\*")
    assert has_masking(r"hist\\*")  # an escaped backslash, then a real mask
    assert unescape(r"a\*b\\c") == r"a*b\c"


def fake_index(field, pattern, limit):
    """The words an index holding "history", "historic" and "hiss" gives for a pattern."""
    import fnmatch

    return [w for w in ("history", "historic", "hiss") if fnmatch.fnmatchcase(w, pattern)][:limit]


def test_masked_words_stand_for_the_index_words_that_fit():
    def masked(query):
        return translate(parse_cql(query), expand=fake_index)

    assert masked("dc.title = hist*").text == "title:history OR title:historic"
    assert masked("his?").text == "hiss"
    assert masked('dc.title all "việt hist*"').text == "title:việt title:history OR title:historic"
    assert masked("a not dc.title = hist*").text == "a NOT title:history NOT title:historic"
    assert masked("dc.title = zzz*").matches_nothing
    assert masked("dc.title = zzz* or b").text == "b"
    for query, diagnostic in (("dc.title = h*", 29), ("bath.isbn = 978*", 28), ("dc.date = 20*", 28)):
        with pytest.raises(CQLError) as raised:
            masked(query)
        assert raised.value.code == diagnostic


def test_a_query_that_can_match_nothing_says_so():
    assert translate(parse_cql("a not cql.allRecords = 1")).matches_nothing
    assert translate(parse_cql("dc.date < 0")).matches_nothing and translate(parse_cql("dc.date > 9999")).matches_nothing
    assert text("a or dc.date > 9999") == "a"


def test_the_written_query_stays_inside_our_limits():
    long_title = " ".join(f"từ{i}" for i in range(80))
    assert code(f'dc.title = "{long_title}"') == 12
