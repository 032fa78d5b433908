"""Paging for the pages' long lists: ``?page=N`` (from 1), the list's other query parameters
(filters, search) kept in every link, the page number clamped (a malformed one is the first
page, one past the end the last), and what the pager shows ("Trang 2 / 7", rows 51–100 of
340, first / previous / next / last). The template side is ``templates/pages/_paging.html``.

* a query that pages (``projections.queries.Page``): ``paged(request, fetch)``, where ``fetch``
  takes a ``Page`` and answers ``{"items", "total", …}`` — only the shown rows are read;
* a list already in memory (a ceremony's payout lines): ``sliced(request, items)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request

from projections.queries import MAX_OFFSET, Page

PAGE_SIZE = 50
MAX_PAGE = MAX_OFFSET  # past any list (and its offset still an integer SQL takes)
T = TypeVar("T")


def page_number(text: str | None) -> int:
    """The page asked for: ASCII digits; anything else (empty, "abc", "-2", "1.5", "²") and 0
    are the first page. A number past the list's end (however long) is the last page: the
    caller, who knows the end, clamps it."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return MAX_PAGE if len(text) > 12 else max(1, min(int(text), MAX_PAGE))


@dataclass(frozen=True)
class Paging:
    """One page of a list: which, of how many, and the links to the others."""

    number: int  # 1 … pages
    pages: int  # at least 1 (an empty list has one empty page)
    total: int  # rows in the whole list
    size: int  # rows a page
    path: str  # the page's path, e.g. /registry
    params: tuple[tuple[str, str], ...] = field(default=())  # the other query parameters
    param: str = "page"  # the parameter naming the page (two lists on one page: two names)
    anchor: str = ""  # where a link lands on the page (a list's heading id), without "#"

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_row(self) -> int:
        """The 1-based number of the page's first row (0 for an empty list)."""
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def several(self) -> bool:
        """Whether there is more than one page (else no pager is shown)."""
        return self.pages > 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    def href(self, number: int) -> str:
        """The link to page ``number`` with the other parameters kept (page 1 names no page)."""
        params = list(self.params)
        if number > 1:
            params.append((self.param, str(number)))
        query = urlencode(params)
        return self.path + (f"?{query}" if query else "") + (f"#{self.anchor}" if self.anchor
                                                             else "")


def _paging(request: Request, number: int, total: int, size: int, param: str,
            drop: Sequence[str], anchor: str) -> Paging:
    pages = max(1, -(-total // size))
    skip = {param, "offset", *drop}
    params = tuple((k, v) for k, v in request.query_params.multi_items()
                   if k not in skip and v != "")
    return Paging(number=min(number, pages), pages=pages, total=total, size=size,
                  path=request.url.path, params=params, param=param, anchor=anchor)


def paged(request: Request, fetch: Callable[[Page], dict[str, Any]], *, size: int = PAGE_SIZE,
          param: str = "page", drop: Sequence[str] = (), anchor: str = ""
          ) -> tuple[dict[str, Any], Paging]:
    """The page asked for (``?page=``) of a query that pages, and its ``Paging``. Past the end:
    the last page, read again (one more query, only then). ``drop``: query parameters not
    carried into the links (a one-time notice such as ``recorded``)."""
    number = page_number(request.query_params.get(param))
    result = fetch(Page(limit=size, offset=min((number - 1) * size, MAX_OFFSET)))
    paging = _paging(request, number, int(result["total"]), size, param, drop, anchor)
    if paging.number != number:
        result = fetch(Page(limit=size, offset=paging.offset))
    return result, paging


def sliced(request: Request, items: Sequence[T], *, size: int = PAGE_SIZE, param: str = "page",
           drop: Sequence[str] = (), anchor: str = "") -> tuple[list[T], Paging]:
    """The page asked for of a list already in memory, and its ``Paging``."""
    number = page_number(request.query_params.get(param))
    paging = _paging(request, number, len(items), size, param, drop, anchor)
    return list(items[paging.offset:paging.offset + size]), paging
