"""Each workflow document is its table and its write path, not a copy that drifts from them."""

from pathlib import Path

import pytest

from cityloop.core.workflow.docs import documents

ROOT = Path(__file__).resolve().parents[4]


def test_every_workflow_is_documented():
    assert {"docs/workflow.md", "docs/tasks.md"} <= set(documents())


@pytest.mark.parametrize("path", sorted(documents()))
def test_the_document_matches_the_code(path):
    assert (ROOT / path).read_text(encoding="utf-8") == documents()[path](), (
        "Run `.venv/bin/cityloop workflow_doc --write` after changing a workflow."
    )
