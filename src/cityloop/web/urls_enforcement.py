"""The enforcement pages 行政执法, under /enforcement/ (included by cityloop.web.urls)."""

from django.urls import path

from cityloop.web.views.enforcement import cases, clues, phone, queues, supervision

urlpatterns = [
    path("enforcement/", cases.workbench, name="enforcement"),
    path("enforcement/clues/new/", clues.clue_new, name="enforcement-clue"),
    path("enforcement/review/", queues.review_queue, name="enforcement-review"),
    path("enforcement/approvals/", queues.approvals, name="enforcement-approvals"),
    path("enforcement/supervision/", supervision.supervision, name="enforcement-supervision"),
    path("enforcement/phone/", phone.phone_home, name="enforcement-phone"),
    path(
        "enforcement/phone/<str:number>/<str:action>/",
        phone.phone_action,
        name="enforcement-phone-act",
    ),
    path("enforcement/cases/<str:number>/", cases.case_page, name="enforcement-case"),
    path(
        "enforcement/cases/<str:number>/act/<str:action>/",
        cases.case_action,
        name="enforcement-action",
    ),
    path(
        "enforcement/cases/<str:number>/evidence/<int:pk>/",
        cases.evidence_file,
        name="enforcement-evidence",
    ),
    path(
        "enforcement/cases/<str:number>/documents/<int:pk>.<str:fmt>",
        cases.document_file,
        name="enforcement-document",
    ),
]
