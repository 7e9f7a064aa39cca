"""The seeded legal-basis catalogue, numbering schemes and procedure rules (data/catalogue.json,
from the reference; decision 0051). ``seed`` is idempotent: a row the bureau already has (by
code, by kind, by date) is left as the bureau edited it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "catalogue.json"


def load() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def seed(apps: Any = None) -> dict[str, int]:
    """Add what the catalogue file has and the database lacks; the counts added."""
    if apps is None:
        from django.apps import apps as live

        apps = live
    violation = apps.get_model("enforcement", "Violation")
    tier = apps.get_model("enforcement", "DiscretionTier")
    scheme = apps.get_model("enforcement", "NumberingScheme")
    rules = apps.get_model("enforcement", "ProcedureRules")
    data = load()
    added = {"violations": 0, "numbering": 0, "rules": 0}
    for item in data["violations"]:
        if violation.objects.filter(code=item["code"]).exists():
            continue
        fields = {k: v for k, v in item.items() if k not in ("tiers",)}
        fields["min_fine"], fields["max_fine"] = (
            Decimal(item["min_fine"]),
            Decimal(item["max_fine"]),
        )
        row = violation.objects.create(**fields)
        for name, low, high, no_fine, conditions in item["tiers"]:
            tier.objects.create(
                violation=row,
                tier=name,
                min_fine=Decimal(low),
                max_fine=Decimal(high),
                no_fine=no_fine,
                conditions=conditions,
            )
        added["violations"] += 1
    for kind, pattern in data["numbering"]:
        if not scheme.objects.filter(unit__isnull=True, kind=kind).exists():
            scheme.objects.create(kind=kind, pattern=pattern)
            added["numbering"] += 1
    r = data["rules"]
    if not rules.objects.filter(effective_from=r["effective_from"]).exists():
        rules.objects.create(
            effective_from=r["effective_from"],
            filing_working_days=r["filing_working_days"],
            hearing_fine_person=Decimal(r["hearing_fine_person"]),
            hearing_fine_organisation=Decimal(r["hearing_fine_organisation"]),
            legal_review_fine=Decimal(r["legal_review_fine"]),
            collective_fine=Decimal(r["collective_fine"]),
            warn_share=r["warn_share"],
            note=r["note"],
        )
        added["rules"] += 1
    return added


def save_as_next_version(edited: Any) -> Any:
    """Save an edit of a violation that cases use as its next version (same code, version + 1,
    with copies of its tiers) and retire the old row, which the cases keep (decision 0051)."""
    from django.db import transaction

    from cityloop.enforcement.models import Violation

    with transaction.atomic():
        old = Violation.objects.select_for_update().get(pk=edited.pk)
        tiers = list(old.tiers.all())
        Violation.objects.filter(pk=old.pk).update(current=False)
        edited.pk, edited.version, edited.current = None, old.version + 1, True
        edited.save()
        for tier in tiers:
            tier.pk, tier.violation = None, edited
            tier.save()
    return edited
