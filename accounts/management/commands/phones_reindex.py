"""`manage.py phones_reindex`: read every stored phone number again into the E.164 form contacts
are matched by (after PHONE_DEFAULT_REGION changes, or a phonenumbers upgrade)."""

from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import Contact, User
from accounts.phone_index import contacts_reindex, users_reindex


class Command(BaseCommand):
    help = "Read users' and contacts' phone numbers again into their E.164 forms, which contacts match by."

    def handle(self, *args: Any, **options: Any) -> None:
        users = users_reindex(User)
        contacts = contacts_reindex(Contact)
        self.stdout.write(f"{users} users and {contacts} contacts changed")
