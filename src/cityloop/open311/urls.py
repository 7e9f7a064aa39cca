"""GeoReport v2 at ``/open311/v2/``: the format is the URL's suffix, ``.xml`` or ``.json``."""

from django.urls import path, register_converter

from cityloop.open311 import views


class FormatConverter:
    regex = "xml|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IdConverter(FormatConverter):
    """A service code, ticket or token: letters, digits, ``_`` and ``-`` (never a NUL)."""

    regex = r"[\w-]+"


register_converter(FormatConverter, "open311_format")
register_converter(IdConverter, "open311_id")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311_format:fmt>", views.discovery, name="discovery"),
    path("services.<open311_format:fmt>", views.services_list, name="services"),
    path(
        "services/<open311_id:code>.<open311_format:fmt>",
        views.service_definition,
        name="service",
    ),
    # The `open311` Python client asks for service/{code} (singular); served alike.
    path("service/<open311_id:code>.<open311_format:fmt>", views.service_definition),
    path("requests.<open311_format:fmt>", views.requests, name="requests"),
    path("requests/<open311_id:ticket>.<open311_format:fmt>", views.request_detail, name="request"),
    path("tokens/<open311_id:token>.<open311_format:fmt>", views.token, name="token"),
]
