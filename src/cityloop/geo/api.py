"""JSON API of this app (django-ninja router, mounted by cityloop.api)."""

from ninja import Router

router = Router()
