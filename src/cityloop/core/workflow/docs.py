"""A workflow's reference, written from its table and its write path (never by hand).

``actions_markdown`` lists the rows, ``checks_markdown`` the order in which ``Workflow.act``
checks (from ``Workflow.checks``, the list the code runs), ``states_markdown`` the states;
``reference`` puts them under a module's own header. Each app that has a workflow lists its
documents in a ``workflow_doc`` module (``DOCS = [(path, builder), ...]``); ``documents()``
collects them, ``cityloop workflow_doc --write`` writes them, and a test fails when a file and
the code disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.utils import translation

from cityloop.core.workflow.engine import Workflow
from cityloop.core.workflow.table import PREVIOUS, SAME


def _state(workflow: Workflow, value: str) -> str:
    if value == SAME:
        return "(unchanged)"
    if value == PREVIOUS:
        return "(the state before suspension)"
    return f"{workflow.table.states(value).label} `{value}`"


def actions_markdown(workflow: Workflow) -> str:
    table = workflow.table
    with translation.override("zh-hans"):
        rows = [
            "| action | 中文 | from | to | roles | who | stage | reason | inputs |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for action, t in table.items():
            zh = str(table.actions(action).label)
            sources = ", ".join(f"`{s}`" for s in sorted(t.sources))
            roles = ", ".join(f"{workflow.role_label(r)} `{r}`" for r in sorted(t.roles))
            stage = "—"
            if t.stage is not None and table.stages is not None:
                stage = f"{table.stages(t.stage).label} `{t.stage}`"
            with translation.override("en"):
                target = _state(workflow, t.target)
                who = str(table.actors(t.actor).label)
            rows.append(
                f"| `{action}` | {zh} | {sources} | {target} | {roles} | {who} | {stage} | "
                f"{'required' if t.reason_required else ''} | "
                f"{'; '.join(i.describe() for i in t.inputs)} |"
            )
    return "\n".join(rows) + "\n"


def checks_markdown(workflow: Workflow) -> str:
    with translation.override("en"):
        lines = [
            f"{n}. {check.says} ({check.status}{f' `{check.code}`' if check.code else ''})"
            for n, check in enumerate(workflow.checks, start=1)
        ]
    return "\n".join(lines) + "\n"


def states_markdown(workflow: Workflow) -> str:
    with translation.override("en"):
        return "\n".join(f"- `{s.value}`: {s.label}" for s in workflow.table.states) + "\n"


def clocks_markdown(workflow: Workflow) -> str:
    """The stages whose clocks the rows start, and the clock's own states."""
    table = workflow.table
    if table.stages is None:
        return ""
    with translation.override("zh-hans"):
        stages = ", ".join(f"{s.label} `{s.value}`" for s in table.stages)
        lines = [f"Stages: {stages}."]
        states = table.clock_states
        if states is not None:
            labels = _clock_labels(workflow, states.running)
            say = {v: f"{labels.get(v, v)} `{v}`" for v in states.values()}
            lines.append(
                f"\nEach stage's clock is {say[states.running]} until its warning moment, then "
                f"{say[states.warning]}, and {say[states.overdue]} from its deadline; "
                f"{say[states.stopped]} while suspended or without a deadline."
            )
    return "\n".join(lines) + "\n"


def _clock_labels(workflow: Workflow, running: str) -> dict[str, str]:
    """The labels of the model field that holds the clock state (its choices hold ``running``)."""
    for f in workflow.model._meta.get_fields():
        choices = dict(getattr(f, "choices", None) or ())
        if running in choices:
            return {str(v): str(label) for v, label in choices.items()}
    return {}


def reference(workflow: Workflow, header: str, extra: str = "") -> str:
    """The whole document: the header, the checks in order, the actions, the states, the
    stages and their clocks, extra."""
    clocks = clocks_markdown(workflow)
    return (
        header
        + "## The checks, in the order they run\n\n"
        + "Any refusal changes nothing.\n\n"
        + checks_markdown(workflow)
        + "\n## Actions\n\n"
        + actions_markdown(workflow)
        + "\n## States\n\n"
        + states_markdown(workflow)
        + (f"\n## Stages and their clocks\n\n{clocks}" if clocks else "")
        + (f"\n{extra}" if extra else "")
    )


def documents() -> dict[str, Callable[[], str]]:
    """Every workflow document, by its path in the repository (``docs/...``)."""
    found: dict[str, Callable[[], str]] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.workflow_doc"
        if config.name.startswith("cityloop.") and find_spec(name) is not None:
            for path, build in import_module(name).DOCS:
                found[path] = build
    return found
