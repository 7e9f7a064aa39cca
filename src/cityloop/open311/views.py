"""The GeoReport v2 endpoints, each in XML (required) and JSON, chosen by the URL's suffix.

Thin: read the parameters, call a selector or the submit service, render. Every refusal is
the specification's error list with the status it requires (``errors.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import BadInput
from cityloop.open311 import mapping, selectors, services
from cityloop.open311.errors import NotFound, Open311Error
from cityloop.open311.filters import is_true, request_filters
from cityloop.open311.params import jurisdiction_check, param
from cityloop.open311.rendering import respond
from cityloop.open311.submission import refusal, report_from, service_of


def endpoint(*methods: str) -> Callable:
    """Check the method and the jurisdiction, and answer any refusal as an error list."""
    allowed = [*methods, "HEAD"] if "GET" in methods else list(methods)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            try:
                if request.method not in allowed:
                    raise Open311Error(405, _("This method is not allowed here"))
                jurisdiction_check(request)
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                headers = {"Allow": ", ".join(allowed)} if exc.status == 405 else None
                return respond(fmt, "errors", exc.items(), status=exc.status, headers=headers)

        # Clients authenticate POSTs with their api_key, not with a session and its CSRF token.
        return csrf_exempt(wrapped) if "POST" in methods else wrapped

    return decorate


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    root = reverse("open311:discovery", args=[fmt]).rsplit("/", 1)[0]
    return respond(fmt, "discovery", mapping.discovery_document(request.build_absolute_uri(root)))


@endpoint("GET")
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    documents = [mapping.service_document(minor) for minor in selectors.active_services()]
    return respond(fmt, "services", documents)


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    minor = service_of(code)
    return respond(fmt, "service_definition", mapping.definition_document(minor))


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    return _list(request, fmt)


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = request_filters(request)
    cases, total = selectors.request_page(filters)
    documents = [
        mapping.request_document(case, request.build_absolute_uri, extensions=filters.extensions)
        for case in cases
    ]
    headers = {
        "X-Result-Count": str(total),
        "X-Page-Count": str(math.ceil(total / filters.page_size)),
        "X-Page-Size": str(filters.page_size),
    }
    return respond(fmt, "service_requests", documents, headers=headers)


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = services.api_key_authenticate(raw=param(request, "api_key"))
    report = report_from(request)
    try:
        submission = services.request_submit(api_key=api_key, report=report)
    except BadInput as exc:
        raise refusal(exc) from exc
    document = mapping.submitted_document(submission.case.ticket, submission.account_id)
    return respond(fmt, "service_requests", [document])


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, ticket: str) -> HttpResponse:
    case = selectors.request_by_ticket(ticket)
    if case is None:
        message = _("No service request has the id %(id)s")
        raise NotFound(lazy_format(message, {"id": ticket}))
    extensions = is_true(param(request, "extensions"))
    document = mapping.request_document(case, request.build_absolute_uri, extensions=extensions)
    return respond(fmt, "service_requests", [document])


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    submission = selectors.submission_by_token(token)
    if submission is None:
        message = _("No token %(token)s was issued here")
        raise NotFound(lazy_format(message, {"token": token}))
    return respond(fmt, "service_requests", [mapping.token_document(token, submission.case.ticket)])
