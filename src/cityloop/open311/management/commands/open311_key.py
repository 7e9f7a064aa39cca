"""``cityloop open311_key NAME``: create an Open311 API key and print it, once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cityloop.open311.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for an Open311 client and print it once (only its hash is kept). "
        "为 Open311 客户端创建 API 密钥，仅显示一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="who uses the key, e.g. the app and its vendor")

    def handle(self, *args, name: str, **options):
        if not name.strip():
            raise CommandError("名称不能为空 / the name must not be empty")
        api_key, raw = api_key_create(name=name)
        self.stderr.write(
            f"已创建 API 密钥「{api_key.name}」，请立即复制：密钥不再显示 / "
            f"API key created for {api_key.name}; copy it now, it will not be shown again:"
        )
        self.stdout.write(raw)
