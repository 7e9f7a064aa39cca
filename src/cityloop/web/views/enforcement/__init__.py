"""The enforcement pages 行政执法 (docs/enforcement.md, Pages), under /enforcement/: the
workbench and a case with its actions (``cases``), registering a clue (``clues``), the legal
reviewer's and the person in charge's queues (``queues``), the officer's phone pages
(``phone``) and the bureau's supervision view (``supervision``). What they read lives in
``cityloop.web.enforcement``; every write is one call of ``cityloop.enforcement.services``.
"""
