"""CQL (the Contextual Query Language of SRU, version 1.2), parsed by hand into a small tree.

    query      ::= prefix* clause (boolean modifiers* clause)* ["sortBy" sortKey+]
    clause     ::= "(" query ")" | [index relation modifiers*] term
    boolean    ::= and | or | not | prox        (left to right, one precedence; case ignored)
    relation   ::= = | == | < | > | <= | >= | <> | a name (all, any, adj, exact, within, ...)
    modifiers  ::= "/" name [comparison value]
    term       ::= a word (no white space, ( ) = < > " /) or a "quoted string" (\\" and \\\\ escaped)

Every error is a CQLError carrying the SRU diagnostic number (info:srw/diagnostic/1/N) and the
details the diagnostics list asks for (a character offset for parentheses and quotes). Turning a
tree into our own query language is search_index/cql_query.py.
"""
from __future__ import annotations

import dataclasses
import re

MAX_CQL_CHARS = 1000
MAX_DEPTH = 32  # nested parentheses: a pasted "((((((..." is refused, not a deep recursion
BOOLEANS = ("and", "or", "not", "prox")
SYMBOLS = ("==", "<=", ">=", "<>", "=", "<", ">")
_TOKEN = re.compile(r'\s*(?:(?P<sym>==|<=|>=|<>|[()/=<>])|(?P<quoted>")|(?P<word>[^\s()=<>"/]+))')


class CQLError(Exception):
    """A query we cannot run, as an SRU diagnostic: `code` (1/N), `details`, a plain `message`."""

    def __init__(self, code: int, details: str, message: str):
        super().__init__(message)
        self.code, self.details, self.message = code, details, message


@dataclasses.dataclass
class Modifier:
    name: str
    comparison: str = ""
    value: str = ""


@dataclasses.dataclass
class SearchClause:
    """index relation term; a bare term has index None and relation "="."""

    index: str | None
    relation: str
    term: str  # as written: escapes and masking characters kept (see has_masking, unescape)
    modifiers: list[Modifier] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class BooleanNode:
    op: str  # and | or | not | prox
    left: "Node"
    right: "Node"
    modifiers: list[Modifier] = dataclasses.field(default_factory=list)


Node = SearchClause | BooleanNode


@dataclasses.dataclass
class SortKey:
    index: str
    modifiers: list[Modifier] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class CQLQuery:
    root: Node
    sort_keys: list[SortKey]


@dataclasses.dataclass
class _Token:
    kind: str  # sym | word | quoted | end
    text: str
    offset: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None:  # only white space is left
            tokens.append(_Token("end", "", len(text)))
            return tokens
        start = match.start(match.lastgroup)
        if match.group("quoted"):
            end, value = _quoted(text, start)
            tokens.append(_Token("quoted", value, start))
            position = end
            continue
        kind = "sym" if match.group("sym") else "word"
        tokens.append(_Token(kind, match.group(kind), start))
        position = match.end()


def _quoted(text: str, start: int) -> tuple[int, str]:
    """The end offset and content of the string opening at `start` (escapes kept as written)."""
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == '"':
            return position + 1, text[start + 1:position]
        position += 1
    raise CQLError(14, str(start), f"The quotation mark at character {start + 1} is never closed.")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def peek(self, ahead: int = 1) -> _Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.token
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def is_word(self, *values: str, token: _Token | None = None) -> bool:
        token = token or self.token
        return token.kind == "word" and token.text.lower() in values

    def query(self) -> CQLQuery:
        self.prefixes()
        root = self.scoped()
        sort_keys: list[SortKey] = []
        if self.is_word("sortby"):
            self.take()
            while self.token.kind in ("word", "quoted"):
                sort_keys.append(SortKey(self.take().text, self.modifiers()))
            if not sort_keys:
                raise CQLError(10, str(self.token.offset), "“sortBy” needs at least one index to sort by.")
        if self.token.kind != "end":
            self.unexpected()
        return CQLQuery(root, sort_keys)

    def prefixes(self) -> None:
        """`> dc = "info:..."` or `> "uri"`: read and set aside (our indexes have fixed names)."""
        while self.token.kind == "sym" and self.token.text == ">":
            self.take()
            if self.token.kind not in ("word", "quoted"):
                self.unexpected()
            self.take()
            if self.token.kind == "sym" and self.token.text == "=":
                self.take()
                if self.token.kind not in ("word", "quoted"):
                    self.unexpected()
                self.take()

    def scoped(self) -> Node:
        node = self.clause()
        while self.token.kind == "word" and self.token.text.lower() in BOOLEANS and self.starts_clause(self.peek()):
            op = self.take().text.lower()
            modifiers = self.modifiers()
            node = BooleanNode(op, node, self.clause(), modifiers)
        return node

    def starts_clause(self, token: _Token) -> bool:
        return token.kind in ("word", "quoted") or (token.kind == "sym" and token.text in ("(", "/"))

    def clause(self) -> Node:
        token = self.token
        if token.kind == "sym" and token.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CQLError(13, str(token.offset), f"Parentheses are nested more than {MAX_DEPTH} deep.")
            self.take()
            self.prefixes()
            node = self.scoped()
            if not (self.token.kind == "sym" and self.token.text == ")"):
                raise CQLError(13, str(token.offset),
                               f"The parenthesis at character {token.offset + 1} is never closed.")
            self.take()
            self.depth -= 1
            return node
        if token.kind not in ("word", "quoted"):
            self.unexpected()
        self.take()
        relation = self.relation()
        if relation is None:
            return SearchClause(None, "=", token.text)
        name, modifiers = relation
        term = self.token
        if term.kind not in ("word", "quoted"):
            raise CQLError(10, str(term.offset), f"A search term is missing after “{token.text} {name}”.")
        self.take()
        return SearchClause(token.text, name, term.text, modifiers)

    def relation(self) -> tuple[str, list[Modifier]] | None:
        """The relation after an index, or None when the word just read was a bare term."""
        token = self.token
        if token.kind == "sym" and token.text in SYMBOLS:
            self.take()
            return token.text, self.modifiers()
        # index namedRelation term: a word followed by something that can be a term
        if token.kind == "word" and not self.is_word(*BOOLEANS, "sortby") and self.peek().kind in ("word", "quoted"):
            self.take()
            return token.text.lower(), self.modifiers()
        if token.kind == "word" and self.is_word(*BOOLEANS) and self.peek().kind == "sym" and self.peek().text == "/":
            return None  # "a and/x b": a boolean with modifiers
        if token.kind == "word" and self.peek().kind == "sym" and self.peek().text == "/":
            self.take()  # "title any/relevant x"
            return token.text.lower(), self.modifiers()
        return None

    def modifiers(self) -> list[Modifier]:
        found = []
        while self.token.kind == "sym" and self.token.text == "/":
            self.take()
            if self.token.kind != "word":
                raise CQLError(10, str(self.token.offset), "A modifier name is missing after “/”.")
            name = self.take().text
            if self.token.kind == "sym" and self.token.text in SYMBOLS and self.peek().kind in ("word", "quoted"):
                comparison = self.take().text
                found.append(Modifier(name, comparison, self.take().text))
            else:
                found.append(Modifier(name))
        return found

    def unexpected(self) -> None:
        token = self.token
        if token.kind == "end":
            raise CQLError(10, str(token.offset), "The query ends too early.")
        if token.kind == "sym" and token.text == ")":
            raise CQLError(13, str(token.offset), f"The parenthesis at character {token.offset + 1} closes nothing.")
        raise CQLError(10, str(token.offset), f"Unexpected “{token.text}” at character {token.offset + 1}; put "
                       'several words in quotation marks ("lịch sử") or join them with AND or OR.')


def parse_cql(text: str) -> CQLQuery:
    """The tree of a CQL query; CQLError (an SRU diagnostic) when it is not one we can read."""
    if len(text) > MAX_CQL_CHARS:
        raise CQLError(12, str(MAX_CQL_CHARS), f"The query is longer than {MAX_CQL_CHARS} characters.")
    if not text.strip():
        raise CQLError(10, "0", "The query is empty.")
    return _Parser(text).query()


_MASK = re.compile(r"(?<!\\)(?:\\\\)*[*?]")


def has_masking(term: str) -> bool:
    """Whether the term holds an unescaped * or ? (CQL's masking characters)."""
    return bool(_MASK.search(term))


def unescape(term: str) -> str:
    """The term with CQL's backslash escapes removed (\\" -> ", \\* -> *, \\\\ -> \\)."""
    return re.sub(r"\\(.)", r"\1", term)
