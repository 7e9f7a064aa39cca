"""What the enforcement pages 行政执法 read (their views are ``web.views.enforcement``): who
may open which page (``access``), the workbench's and queues' rows (``queues``), one case as
staff read it (``detail``), the action forms (``actions``), the bureau's figures
(``supervision``) and the pages' own forms (``forms``). Writes go through
``cityloop.enforcement.services``; row scoping is ``selectors.cases_visible_to``.
"""
