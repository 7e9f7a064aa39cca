"""docs/workflow.md is the transition table, not a copy that drifts from it."""

from pathlib import Path

from cityloop.events.workflow_doc import workflow_markdown

DOC = Path(__file__).resolve().parents[4] / "docs" / "workflow.md"


def test_the_workflow_document_matches_the_table():
    assert DOC.read_text(encoding="utf-8") == workflow_markdown(), (
        "Run `.venv/bin/cityloop workflow_doc > docs/workflow.md` after changing the table."
    )
