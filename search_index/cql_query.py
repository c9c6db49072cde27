"""A CQL tree (search_index/cql.py) written in our own query language (search_index/parsing.py),
so that SRU searches run through the same search as the catalogue's pages.

Our language is an AND of groups, each group an OR of terms, plus NOT terms. A CQL tree is
brought to that shape (negations pushed inward, then ANDs of ORs); what cannot take it
(NOT over an AND inside an OR, say) is diagnostic 48, too many groups 38, too long 12.

Indexes (context sets cql, dc, bath, rec; bare names too):
  cql.serverChoice, cql.anywhere          words anywhere
  dc.title, dc.creator (dc.author), dc.subject
  bath.isbn, bath.issn                    codes (ISBN-10 and -13 alike)
  dc.date, dc.year                        years: = < <= > >= within
  dc.language, dc.type                    codes (vie, book)
  rec.id                                  record numbers (only on its own: see record_ids)
  cql.allRecords                          every record
Relations on words: = and adj (a phrase), == and exact (a phrase), all, any.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Callable

from catalog.text import isbn_forms, normalise, words
from search_index.cql import BooleanNode, CQLError, CQLQuery, Node, SearchClause, has_masking, unescape
from search_index.parsing import MAX_CLAUSES, MAX_QUERY_CHARS

CONTEXT_SETS = ("cql", "dc", "bath", "rec", "srw")
# index (lower case, context set removed) -> (kind, our field)
INDEXES = {
    "serverchoice": ("words", None), "anywhere": ("words", None), "keywords": ("words", None),
    "title": ("words", "title"), "ti": ("words", "title"),
    "creator": ("words", "author"), "author": ("words", "author"), "au": ("words", "author"),
    "name": ("words", "author"),
    "subject": ("words", "subject"), "su": ("words", "subject"),
    "isbn": ("code", "isbn"), "issn": ("code", "issn"),
    "date": ("year", "year"), "year": ("year", "year"),
    "language": ("facet", "language"), "type": ("facet", "type"),
    "id": ("id", None), "allrecords": ("all", None),
}
# The names explain lists (and the set each belongs to).
EXPLAINED = [("cql", "serverChoice"), ("cql", "anywhere"), ("dc", "title"), ("dc", "creator"), ("dc", "subject"),
             ("bath", "isbn"), ("bath", "issn"), ("dc", "date"), ("dc", "language"), ("dc", "type"), ("rec", "id"),
             ("cql", "allRecords")]
WORD_RELATIONS = ("=", "adj", "==", "exact", "all", "any")
CODE_RELATIONS = ("=", "==", "exact", "adj", "any")
YEAR_RELATIONS = ("=", "==", "exact", "adj", "<", "<=", ">", ">=", "within", "any")
KNOWN_RELATIONS = set(WORD_RELATIONS) | set(YEAR_RELATIONS) | {"<>", "encloses"}
# Relation modifiers that change nothing here (we ignore case and, for the folded match, marks).
HARMLESS_MODIFIERS = {"relevant", "ignorecase", "ignoreaccents", "word", "string", "masked", "unmasked",
                      "fuzzy", "stem", "lang"}
SORTS = {("title", False): "title", ("title", True): "title", ("date", True): "newest", ("year", True): "newest",
         ("date", False): "oldest", ("year", False): "oldest"}

TRUE = ("true",)  # every record (cql.allRecords)
FALSE = ("false",)  # no record (a masked word the index has no word for)
MIN_MASK_STEM = 2  # letters before the first * or ?
MAX_EXPANSIONS = 10  # index words a masked word stands for, the most used first
Expand = Callable[[str | None, str, int], list[str]]  # (field, pattern, limit) -> folded words


@dataclasses.dataclass
class Translated:
    """What to search: our query text, a sort, or (rec.id) record numbers to fetch directly."""

    text: str = ""
    sort: str = "relevance"
    record_ids: list[int] | None = None
    matches_nothing: bool = False


def _index_name(index: str) -> tuple[str, str]:
    """(context set or "", the name in lower case)."""
    prefix, dot, name = index.rpartition(".")
    return (prefix.lower(), name.lower()) if dot else ("", index.lower())


def _lookup(index: str) -> tuple[str, str | None]:
    prefix, name = _index_name(index)
    if prefix and prefix not in CONTEXT_SETS:
        raise CQLError(15, prefix, f"The context set “{prefix}” is not supported (cql, dc, bath, rec).")
    if name not in INDEXES:
        raise CQLError(16, index, f"The index “{index}” is not supported; explain lists those that are.")
    return INDEXES[name]


def _check_modifiers(clause: SearchClause) -> None:
    for modifier in clause.modifiers:
        name = modifier.name.lower().rpartition(".")[2]
        if name not in HARMLESS_MODIFIERS:
            raise CQLError(20, modifier.name, f"The relation modifier “{modifier.name}” is not supported.")


def _wrong_relation(clause: SearchClause) -> CQLError:
    return CQLError(22, f"{clause.index} {clause.relation}", f"“{clause.relation}” cannot be used with {clause.index}.")


def _quoted_phrase(field: str | None, found: list[str]) -> str:
    prefix = f"{field}:" if field else ""
    return f'{prefix}"{" ".join(found)}"' if len(found) > 1 else f"{prefix}{found[0]}"


def _words_formula(clause: SearchClause, field: str | None, term: str):
    relation = clause.relation
    if relation not in WORD_RELATIONS:
        raise _wrong_relation(clause)
    if field is None and re.fullmatch(r"\s*[0-9][0-9\- ]{8,16}[0-9Xx]\s*", term) and isbn_forms(term):
        return "isbn:" + isbn_forms(term)[0]  # an ISBN typed anywhere, hyphens and all
    found = words(term)
    if not found:
        raise CQLError(27, "", f"The term of “{clause.index or 'cql.serverChoice'}” has no words to search for.")
    if relation in ("all", "any"):
        atoms = [_quoted_phrase(field, [w]) for w in found]
        return atoms[0] if len(atoms) == 1 else (("and" if relation == "all" else "or"), atoms)
    return _quoted_phrase(field, found)


def _masked_formula(clause: SearchClause, field: str | None, expand: Expand | None):
    """Words with * or ?: each stands for the index words that fit it (an OR); the words are
    AND-ed (OR-ed for `any`), since a phrase cannot hold an OR."""
    if expand is None:
        raise CQLError(28, clause.term, "Masking characters (* and ?) are not supported here.")
    if clause.relation not in WORD_RELATIONS:
        raise _wrong_relation(clause)
    parts = []
    for piece in clause.term.split():
        if not has_masking(piece):
            parts += [_quoted_phrase(field, [w]) for w in words(unescape(piece))]
            continue
        pattern = "".join(ch for ch in normalise(re.sub(r"\\.", "", piece)).lower() if ch.isalnum() or ch in "*?")
        if len(re.split(r"[*?]", pattern, maxsplit=1)[0]) < MIN_MASK_STEM:
            raise CQLError(29, str(MIN_MASK_STEM), f"A masked word needs {MIN_MASK_STEM} letters before * or ?.")
        found = expand(field, pattern, MAX_EXPANSIONS)
        atoms = [_quoted_phrase(field, [w]) for w in found]
        parts.append(FALSE if not atoms else atoms[0] if len(atoms) == 1 else ("or", atoms))
    if not parts:
        raise CQLError(27, "", f"The term of “{clause.index}” has no words to search for.")
    return parts[0] if len(parts) == 1 else ("or" if clause.relation == "any" else "and", parts)


def _code_formula(clause: SearchClause, field: str, term: str, kind: str):
    if clause.relation not in CODE_RELATIONS:
        raise _wrong_relation(clause)
    pattern = r"[0-9Xx][0-9Xx\-]*" if kind == "code" else r"[a-z]{2,16}"
    values = term.split() if clause.relation == "any" else [term.strip()]
    values = [normalise(v).lower() if kind == "facet" else v for v in values]
    if not values or not all(re.fullmatch(pattern, v) for v in values):
        raise CQLError(36, term, f"“{term}” is not a value {clause.index} can hold.")
    atoms = [f"{field}:{v}" for v in values]
    return atoms[0] if len(atoms) == 1 else ("or", atoms)


def _year(clause: SearchClause, text: str) -> int:
    found = re.fullmatch(r"\s*(\d{1,4})(?:-\d{2}(?:-\d{2})?)?\s*", text)  # 2010, or 2010-05-01 (its year)
    if not found:
        raise CQLError(36, text, f"“{text}” is not a year (such as 2010) for {clause.index}.")
    return int(found.group(1))


def _year_formula(clause: SearchClause, term: str):
    relation = clause.relation
    if relation not in YEAR_RELATIONS:
        raise _wrong_relation(clause)
    if relation in ("within", "any"):
        parts = term.split()
        if relation == "within" and len(parts) != 2:
            raise CQLError(36, term, "“within” needs two years, such as \"2010 2020\".")
        years = [_year(clause, p) for p in parts] or [_year(clause, term)]
        if relation == "within":
            low, high = sorted(years)
            return f"year:{low}-{high}"
        atoms = [f"year:{y}" for y in years]
        return atoms[0] if len(atoms) == 1 else ("or", atoms)
    year = _year(clause, term)
    if (relation == "<" and year <= 0) or (relation == ">" and year >= 9999):
        return FALSE  # before year 0, after 9999: no record
    return {"<": f"year:-{year - 1}", "<=": f"year:-{year}", ">": f"year:{year + 1}-",
            ">=": f"year:{year}-"}.get(relation, f"year:{year}")


def _clause_formula(clause: SearchClause, expand: Expand | None):
    """One search clause as a formula: an atom (text in our language), ("and"|"or", [...]),
    ("not", x) or TRUE."""
    index = clause.index or "cql.serverChoice"
    kind, field = _lookup(index)
    if clause.relation not in KNOWN_RELATIONS and clause.relation not in ("cql." + r for r in WORD_RELATIONS):
        raise CQLError(19, clause.relation, f"The relation “{clause.relation}” is not supported.")
    if clause.relation.startswith("cql."):
        clause = dataclasses.replace(clause, relation=clause.relation[4:])
    if clause.relation in ("<>", "encloses"):
        raise CQLError(19, clause.relation, f"The relation “{clause.relation}” is not supported.")
    _check_modifiers(clause)
    if kind == "all":
        return TRUE
    if kind == "id":
        raise CQLError(18, "rec.id", "rec.id can only be searched on its own (or several with OR).")
    if has_masking(clause.term):
        if kind != "words":
            raise CQLError(28, clause.term, f"Masking characters (* and ?) cannot be used with {index}.")
        return _masked_formula(dataclasses.replace(clause, index=index), field, expand)
    term = unescape(clause.term)
    if kind == "words":
        return _words_formula(dataclasses.replace(clause, index=index), field, term)
    if kind == "year":
        return _year_formula(clause, term)
    if not term.strip():
        raise CQLError(27, "", f"The term of “{index}” is empty.")
    return _code_formula(clause, field, term, kind)


def _formula(node: Node, expand: Expand | None = None):
    if isinstance(node, SearchClause):
        return _clause_formula(node, expand)
    if node.op == "prox":
        raise CQLError(39, "prox", "Proximity (prox) is not supported; use adj or a quoted phrase.")
    if node.modifiers:
        raise CQLError(46, node.modifiers[0].name, f"The boolean modifier “{node.modifiers[0].name}” is not supported.")
    left, right = _formula(node.left, expand), _formula(node.right, expand)
    if node.op == "not":
        return ("and", [left, ("not", right)])
    return (node.op, [left, right])


def _cnf(formula, negated: bool = False) -> list[list[tuple[str, bool]]]:
    """Conjunctive normal form: a list of OR-groups of (atom, negated); TRUE is the empty list,
    FALSE a list holding one empty group."""
    if formula is TRUE or formula is FALSE:
        return [[]] if negated == (formula is TRUE) else []
    if isinstance(formula, str):
        return [[(formula, negated)]]
    op, parts = formula
    if op == "not":
        return _cnf(parts, not negated)
    if (op == "and") != negated:  # an AND, or a negated OR: the groups of each side together
        groups = [g for part in parts for g in _cnf(part, negated)]
    else:  # an OR, or a negated AND: every combination of one group from each side
        groups = [[]]
        for part in parts:
            side = _cnf(part, negated)
            groups = [a + b for a in groups for b in side]
            if len(groups) > MAX_CLAUSES:
                raise CQLError(38, str(MAX_CLAUSES), "The query combines too many terms with OR.")
    if len(groups) > MAX_CLAUSES:
        raise CQLError(38, str(MAX_CLAUSES), f"The query has more than {MAX_CLAUSES} terms.")
    return groups


def _text(groups: list[list[tuple[str, bool]]]) -> str | None:
    """Our query text; None when a group is empty (FALSE in an AND: nothing can match)."""
    if any(not group for group in groups):
        return None
    parts = []
    for group in groups:
        unique = list(dict.fromkeys(group))
        if len(unique) == 1 and unique[0][1]:
            parts.append(f"NOT {unique[0][0]}")
        elif any(negated for _atom, negated in unique):
            raise CQLError(48, "NOT inside OR", "NOT combined inside OR (such as “a OR (b NOT c)”) is not supported.")
        else:
            parts.append(" OR ".join(atom for atom, _negated in unique))
    return " ".join(parts)  # only NOTs: every record but those (our language allows it)


def _sort(query: CQLQuery) -> str:
    if not query.sort_keys:
        return "relevance"
    if len(query.sort_keys) > 1:
        raise CQLError(84, "1", "Only one sort key is supported.")
    key = query.sort_keys[0]
    _prefix, name = _index_name(key.index)
    descending = False
    for modifier in key.modifiers:
        value = modifier.name.lower().rpartition(".")[2]
        if value == "descending":
            descending = True
        elif value not in ("ascending", "ignorecase", "respectcase", "missinglow", "missinghigh", "missingomit"):
            raise CQLError(90, modifier.name, f"The sort modifier “{modifier.name}” is not supported.")
    if (name, descending) not in SORTS:
        raise CQLError(88, key.index, f"Sorting by “{key.index}” is not supported (dc.title, dc.date).")
    return SORTS[(name, descending)]


def record_ids(node: Node) -> list[int] | None:
    """The numbers of `rec.id = N` (alone or OR-ed), or None when the tree is not only that."""
    if isinstance(node, BooleanNode):
        if node.op != "or" or node.modifiers:
            return None
        left, right = record_ids(node.left), record_ids(node.right)
        return None if left is None or right is None else left + right
    if node.index is None or _index_name(node.index)[1] != "id" or _index_name(node.index)[0] not in ("", "rec"):
        return None
    if node.relation not in ("=", "==", "exact", "any"):
        raise CQLError(19, node.relation, f"The relation “{node.relation}” cannot be used with rec.id.")
    values = unescape(node.term).split()
    if not values or not all(v.isascii() and v.isdigit() and len(v) <= 10 for v in values):
        raise CQLError(36, node.term, f"“{node.term}” is not a record number.")
    return [int(v) for v in values]


def translate(query: CQLQuery, expand: Expand | None = None) -> Translated:
    """Our query text (and sort) for a CQL tree; CQLError when it cannot be said in our language.
    `expand(field, pattern, limit)` gives the index words a masked word stands for (none: diagnostic 28)."""
    sort = _sort(query)
    ids = record_ids(query.root)
    if ids is not None:
        return Translated(sort=sort, record_ids=list(dict.fromkeys(ids)))
    text = _text(_cnf(_formula(query.root, expand)))
    if text is None:
        return Translated(sort=sort, matches_nothing=True)
    if len(text) > MAX_QUERY_CHARS:
        raise CQLError(12, str(MAX_QUERY_CHARS), "The query is too long once written for our search.")
    return Translated(text=text, sort=sort)
