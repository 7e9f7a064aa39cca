"""Sign-in and sign-out, with the lock-out of cityloop.web.lockout (kept by the authentication
backend), and the home page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from cityloop.org.choices import Role
from cityloop.web.forms import LoginForm
from cityloop.web.lockout import locked_message, locked_until

# The first role a user holds, in this order, picks the page they land on after sign-in.
LANDING = [
    (Role.LEADER, "/centre/"),
    (Role.DISPATCHER, "/centre/"),
    (Role.SHIFT_LEADER, "/centre/"),
    (Role.HANDLER, "/tasks/"),
    (Role.INSPECTOR, "/inspect/"),
]


def landing_url(user) -> str:
    """The page a member of staff starts from, by role; /cases/ for everyone else."""
    for role, url in LANDING:
        if user.has_role(role):
            return url
    return "/cases/"


def home(request: HttpRequest) -> HttpResponse:
    """Staff go to their page; everyone else sees the two doors: report, or sign in."""
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return render(request, "web/home.html")


def _next_url(request: HttpRequest) -> str | None:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            return redirect(_next_url(request) or landing_url(user))
        until = locked_until(username)  # the backend counted the failure, or refused a lock
        form.add_error(
            None,
            locked_message(until)
            if until
            else _("The username or password is wrong. Check both and try again."),
        )
        status = 429 if until else 200
    context = {"form": form, "next": _next_url(request) or ""}
    return render(request, "web/auth/login.html", context, status=status)


@csrf_protect
@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (a link must not sign anyone out); POST signs out."""
    if request.method == "POST":
        logout(request)
        return redirect(settings.LOGIN_URL)
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return render(request, "web/auth/logout.html")
