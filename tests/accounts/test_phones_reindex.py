"""Reading stored phone numbers again into their E.164 forms: the migration that added them fills
them for the rows already there, and `manage.py phones_reindex` reads them again after
PHONE_DEFAULT_REGION changes. Neither changes what clients see, `updated_at` included."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.contacts import contact_add, contact_list
from accounts.models import Contact, User
from tests.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)  # migrations run outside any transaction

BEFORE = ("accounts", "0005_phone_e164")
FILL = ("accounts", "0006_phone_e164_fill")


def _matched_ids(owner: User) -> list[int | None]:
    return [entry.get("matched_user_id") for view in contact_list(owner) for entry in view.phone]


def _stamps() -> list:
    """Every user's and contact's `updated_at`, which SAMA clients sync by."""
    return [
        *User.objects.order_by("pk").values_list("updated_at", flat=True),
        *Contact.objects.values_list("updated_at", flat=True),
    ]


def _reindex() -> str:
    out = StringIO()
    call_command("phones_reindex", stdout=out)
    return out.getvalue().strip()


def test_the_command_reads_national_numbers_in_a_region_set_afterwards(settings):
    owner = make_user()
    known = make_user(phone="07700 900123")
    contact_add(owner, data={"first_name": "Known", "phone": [{"value": "07700 900123"}]})
    assert known.phone_e164 == "" and _matched_ids(owner) == [None]
    stamps = _stamps()

    settings.PHONE_DEFAULT_REGION = "GB"
    assert _reindex() == "1 users and 1 contacts changed"
    assert User.objects.get(pk=known.pk).phone_e164 == "+447700900123"
    assert _matched_ids(owner) == [known.pk]
    assert _stamps() == stamps
    assert _reindex() == "0 users and 0 contacts changed"


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def test_the_migration_fills_the_forms_of_rows_already_there_and_going_back_removes_them():
    owner = make_user(phone="+44 7700 900456")
    known = make_user(phone="+44 (0)7700 900123")
    contact_add(owner, data={"first_name": "Known", "phone": [{"type": "home", "value": "07700 900123"}]})
    try:
        _migrate(BEFORE)
        assert Contact.objects.get().phone == [{"type": "home", "value": "07700 900123"}]
        User.objects.update(phone_e164="")  # as the column was added: blank
        _migrate(FILL)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("accounts")[0])
    assert dict(User.objects.values_list("pk", "phone_e164")) == {owner.pk: "+447700900456", known.pk: "+447700900123"}
    assert Contact.objects.get().phone == [{"type": "home", "value": "07700 900123", "e164": "+447700900123"}]
    assert _matched_ids(owner) == [known.pk]
