"""`manage.py deactivate_user LOGIN`: deactivate an account and close its connections everywhere."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = "Deactivate a user: their device sessions end and their open connections close in every server process."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("login", help="The user's login (any case).")

    def handle(self, *args: Any, login: str, **options: Any) -> None:
        user = User.objects.filter(username__lower_exact=login).first()
        if user is None:
            raise CommandError(f"No user with login {login!r}")
        services.user_deactivate(user)
        self.stdout.write(f"User {user.username} (id {user.pk}) deactivated; their sessions and connections ended")
