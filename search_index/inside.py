"""Search inside one book: the pages of its digital objects holding every word, with the words
marked in each page's snippet (spans) and their boxes on the page image.

The page text and word boxes live in the database (catalog.digital.models, which also holds the licence
rule); every backend answers from there, so the rule is written once."""
from __future__ import annotations

from catalog.digital.models import ANONYMOUS, DigitalObject, Viewer, query_terms, search_inside
from search_index.highlight import mark_all
from search_index.results import InsideHit


def _matcher(terms: list[str]):
    """search inside's word rule (catalog.digital.models): the folded word is a term, or begins with a
    term of three or more letters."""
    wanted = set(terms)
    long_terms = tuple(t for t in wanted if len(t) >= 3)
    return lambda folded: folded in wanted or (bool(long_terms) and folded.startswith(long_terms))


def pages_holding(objects: list[DigitalObject], q: str, *, viewer: Viewer = ANONYMOUS,
                  limit: int = 500) -> list[InsideHit]:
    """Pages of these objects holding every word of q (marks and case ignored), in reading order;
    for an object the viewer may not read, only page numbers (no snippet, no boxes)."""
    matches = _matcher(query_terms(q))
    return [InsideHit(object_id=hit.object_id, page=hit.page, snippet=mark_all(hit.snippet, matches),
                      boxes=hit.boxes, restricted=hit.restricted)
            for hit in search_inside(None, objects, q, viewer=viewer, limit=limit)]
