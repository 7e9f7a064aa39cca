"""``cityloop api_token USERNAME NAME``: make an API token for a user and print it once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cityloop.org.models import User
from cityloop.org.tokens import api_token_create


class Command(BaseCommand):
    help = "Make an API token (printed once). 生成 API 令牌（只显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 12345热线对接")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有此用户 / no such user: {username}")
        token, key = api_token_create(user=user, name=name)
        self.stdout.write(f"API token “{token.name}” for {user.username}:")
        self.stdout.write(key)
        self.stdout.write("Send it as: Authorization: Bearer <token>. It is not shown again.")
