"""URLs of one area of the web UI (included by cityloop.web.urls)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
