"""A hardened XML parser (stdlib pyexpat under an ElementTree builder): no document type, no
entity declarations, no external anything. OAI-PMH and Dublin Core never need a DTD, so one is
refused outright, which closes XXE and the "billion laughs" entity bomb whatever the expat
version's own limits are."""
from __future__ import annotations

from typing import BinaryIO, Callable, Iterator
from xml.etree import ElementTree
from xml.parsers import expat

from catalog.errors import N_
from ingest.harvest.errors import UnsafeXml

BLOCK = 64 * 1024


def _forbid(*_args) -> None:
    raise UnsafeXml(N_("The XML declares a document type or entities, which OAI-PMH and Dublin Core never need; "
                       "it was refused unread (a protection against hostile XML)."))


def _name(raw: str) -> str:
    return "{" + raw if "}" in raw else raw


class _Builder:
    """expat events -> ElementTree elements; hands over each element `wanted(element, depth)`
    picks once it is closed, with the byte offset where it began, then forgets it (memory flat)."""

    def __init__(self, wanted: Callable[[ElementTree.Element, int], bool] | None) -> None:
        self.tree, self.wanted, self.done = ElementTree.TreeBuilder(), wanted, []
        self.stack: list[tuple[ElementTree.Element, int]] = []
        self.parser = expat.ParserCreate(namespace_separator="}")
        parser = self.parser
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _forbid
        parser.EntityDeclHandler = _forbid
        parser.UnparsedEntityDeclHandler = _forbid
        parser.ExternalEntityRefHandler = _forbid
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self.tree.data

    def _start(self, tag: str, attrs: dict) -> None:
        element = self.tree.start(_name(tag), {_name(k): v for k, v in attrs.items()})
        self.stack.append((element, self.parser.CurrentByteIndex))

    def _end(self, tag: str) -> None:
        element = self.tree.end(_name(tag))
        _element, offset = self.stack.pop()
        if self.wanted is not None and self.wanted(element, len(self.stack)):
            self.done.append((offset, element))
            if self.stack:
                self.stack[-1][0].remove(element)

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            error = ElementTree.ParseError(str(exc))
            error.code, error.position = exc.code, (exc.lineno, exc.offset)
            raise error from None


def parse_bytes(data: bytes) -> ElementTree.Element:
    """The document's root element; UnsafeXml for a DTD or entities, ElementTree.ParseError when
    the bytes are not well-formed (or cut short)."""
    builder = _Builder(None)
    builder.feed(data, True)
    return builder.tree.close()


def iter_elements(handle: BinaryIO, wanted: Callable[[ElementTree.Element, int], bool]
                  ) -> Iterator[tuple[int, ElementTree.Element]]:
    """(byte offset, element) for each element `wanted(element, depth)` accepts, streamed;
    raises UnsafeXml or ElementTree.ParseError where the document goes wrong (the elements
    before that point have been given out)."""
    builder = _Builder(wanted)
    while True:
        block = handle.read(BLOCK)
        try:
            builder.feed(block, not block)
        finally:
            done, builder.done = builder.done, []
            yield from done
        if not block:
            return
