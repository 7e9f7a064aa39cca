"""The demo district's garbage sorting (docs/demo.md, decision 0028): registries
(``registry``, ``venues``), the year's model (``model``), its roll-ups written in bulk and the
last days sent through the ingestion pipeline (``generate``, ``raw``)."""

from cityloop.demo.sorting.generate import (
    DEFAULT_RAW_DAYS,
    SortingSummary,
    delete_sorting,
    generate_sorting,
    sorting_exists,
)
from cityloop.demo.sorting.registry import DEFAULT_HOUSEHOLDS

__all__ = [
    "DEFAULT_HOUSEHOLDS",
    "DEFAULT_RAW_DAYS",
    "SortingSummary",
    "delete_sorting",
    "generate_sorting",
    "sorting_exists",
]
