"""The OpenAPI schema is reviewed: a change to the API must come with its committed schema."""

import io
import json
from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[4] / "docs" / "api" / "openapi.json"


def test_the_api_matches_the_committed_schema():
    out = io.StringIO()
    call_command("openapi", stdout=out)
    current = json.loads(out.getvalue())
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert current == committed, (
        "The API changed. Review the difference, then run "
        "`.venv/bin/cityloop openapi > docs/api/openapi.json` and commit it."
    )
