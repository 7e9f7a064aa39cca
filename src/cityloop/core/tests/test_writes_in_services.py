"""Only services write (CONVENTIONS §4): no ORM write in an API module, a view, an admin module
or a command. They call a service, which writes the change and its history together.

The scan reads the source (no import): a call of ``save``, ``create``, ``update``, ``delete``,
``bulk_create``, ``bulk_update``, ``get_or_create`` or ``update_or_create`` on a queryset, a
manager or a model instance. Calls on names that are plainly not the ORM (a dict's ``update``,
an admin formset's ``save(commit=False)`` that writes nothing) are listed in ``NOT_THE_ORM``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
WRITES = frozenset(
    {"save", "create", "update", "delete", "bulk_create", "bulk_update"}
    | {"get_or_create", "update_or_create"}
)
# (file relative to src/cityloop, the receiver's source text, the method): not ORM writes.
NOT_THE_ORM = {
    ("web/views/sorting.py", "item", "update"),  # a dict of the page's context
    ("web/views/sorting.py", "context", "update"),  # a dict of the page's context
    ("categories/admin.py", "formset", "save"),  # save(commit=False): objects for the services
}


def is_door(relative: str) -> bool:
    """A module through which users or operators act: an API, a view, an admin, a command."""
    if "/tests/" in f"/{relative}" or "/migrations/" in relative:
        return False
    name = relative.rsplit("/", 1)[-1]
    return (
        name in ("api.py", "admin.py")
        or name.startswith("views")
        or "/views/" in relative
        or "/management/commands/" in relative
    )


def orm_writes(text: str, relative: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, ast.get_source_segment(text, node.func.value) or ""
        if method in WRITES and (relative, receiver, method) not in NOT_THE_ORM:
            found.append(f"{relative}:{node.lineno}: {receiver}.{method}(…)")
    return found


def _doors() -> dict[str, str]:
    paths = {p.relative_to(SRC).as_posix(): p for p in SRC.rglob("*.py")}
    return {rel: p.read_text(encoding="utf-8") for rel, p in paths.items() if is_door(rel)}


def test_doors_are_found():
    doors = _doors()
    assert {"events/api.py", "sorting/api.py", "web/views/public.py"} <= set(doors)
    assert any("management/commands/" in n for n in doors)
    assert not any("/tests/" in n or "/migrations/" in n for n in doors)


def test_no_view_api_admin_or_command_writes_through_the_orm():
    writes = [w for relative, text in _doors().items() for w in orm_writes(text, relative)]
    assert writes == [], "write through a service instead:\n" + "\n".join(writes)


def test_the_scan_catches_a_write_added_to_a_view():
    view = (
        "def v(request, case):\n"
        "    Case.objects.filter(pk=case.pk).update(state='closed')\n"
        "    case.save()\n"
        "    {}.update(a=1)\n"
    )
    relative = "web/views/probe.py"

    assert is_door(relative)
    assert orm_writes(view, relative) == [
        "web/views/probe.py:2: Case.objects.filter(pk=case.pk).update(…)",
        "web/views/probe.py:3: case.save(…)",
        "web/views/probe.py:4: {}.update(…)",
    ]
