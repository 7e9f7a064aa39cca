"""The one page-number pagination of the JSON API, with the page number bounded.

A page number becomes ``OFFSET (page - 1) × page_size`` in SQL; an unbounded one overflows the
database's 64-bit integer (SQLite: "Python int too large to convert to SQLite INTEGER") and the
request failed with a 500. Every list endpoint paginates through :class:`PageNumbers` (it is
also ``NINJA_PAGINATION_CLASS``, so a bare ``@paginate`` gets it), and a page beyond
:data:`MAX_PAGE` is refused with the API's bilingual 422 on field ``page`` (decision 0039).
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# The largest page number asked of the database. At the largest page size (100) the offset
# stays under 10^8, far inside SQLite's and PostgreSQL's 64-bit integers, and a million pages
# of 50 cases is 50 million cases: more than a district will hold.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100


class PageNumbers(PageNumberPagination):
    """django-ninja's page-number pagination, its ``page`` limited to ``1 … MAX_PAGE``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"1 … {MAX_PAGE:,}")
        page_size: int | None = Field(
            None, ge=1, description=f"rows a page; more than {MAX_PAGE_SIZE} is cut to it"
        )

    def __init__(self, page_size: int = 50, **kwargs) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)


class MappedPage:
    """A queryset that the paginator slices first and maps second (one page read, not all)."""

    def __init__(self, queryset, mapper) -> None:
        self.queryset, self.mapper = queryset, mapper

    def all(self):
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        return [self.mapper(c) for c in self.queryset[key]]
