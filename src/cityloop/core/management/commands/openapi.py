"""``cityloop openapi``: print the API's OpenAPI 3 schema (the reviewed copy is docs/api/)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI 3 schema of /api/. 输出 OpenAPI 3 接口定义。"

    def handle(self, *args, **options):
        from cityloop.api import api

        schema = api.get_openapi_schema(path_prefix="/api")
        self.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True))
