"""The workflow kernel: a stateful record that moves only through its transition table.

- ``table``: the table type (``Table``, ``Transition``, ``row``, ``SAME``, ``PREVIOUS``);
- ``actors``: the system and citizens as explicit actors (``SystemActor``, ``CitizenActor``);
- ``engine``: the one write path (``Workflow.act``), its checks and ``ActionContext``;
- ``clocks``: statutory clocks (working time, working days, natural days, months), suspended,
  resumed and extended as values; ``sweep``: the set-based turn of late clocks (docs/clocks.md);
- ``docs``: the reference written from the table and the checks.

docs/development/adding-a-module.md shows how a module is built on it.
"""
