"""The garbage-sorting pages' logic (docs/web.md, garbage sorting): who may see what, and the data
the dashboard, the point detail and the household lookup show. The views are in
``cityloop.web.views.sorting``; the indicators come from ``cityloop.sorting.indicators`` only."""
