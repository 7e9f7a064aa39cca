"""评价 by the reporter: a citizen rates the result of their own report with its key.

One rule for every door (the public page, the public API): the ticket and key must match a
citizen's own report, and a report merged into another case (已合并) is not rated at all, since
the surviving case is rated by its own reporter: one case, one rating, by the person who
reported it. Anything refused raises before anything is written.
"""

from __future__ import annotations

import hmac

from django.utils.translation import gettext_lazy as _

from cityloop.core.workflow.actors import CitizenActor
from cityloop.events.models import Case
from cityloop.events.services.refusals import ActionRefused, ReportMerged
from cityloop.events.services.transitions import case_act


def own_report(*, ticket: str, key: str) -> Case:
    """The citizen's own report that this ticket and key open; refused (403) if they do not."""
    case = Case.objects.filter(ticket=ticket, source="citizen").first()
    if case is None or not case.reporter_key or not hmac.compare_digest(case.reporter_key, key):
        raise ActionRefused(_("The ticket and key do not match."), field="key")
    return case


def case_rate(*, ticket: str, key: str, satisfaction: int, comment: str = "") -> Case:
    """Rate the reporter's own closed case, 1 to 5; a merged report is refused (409)."""
    case = own_report(ticket=ticket, key=key or "")
    if case.merged_into_id is not None:
        raise ReportMerged(
            _("Your report was merged into another case; that case's reporter rates it."),
            field="ticket",
        )
    return case_act(
        actor=CitizenActor(case.pk),
        case=case,
        action="evaluate",
        comment=comment,
        satisfaction=satisfaction,
    )
