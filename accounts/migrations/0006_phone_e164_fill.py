"""Read the phone numbers already stored into their E.164 forms: users' `phone_e164` and each
contact phone entry's `e164` (national numbers in PHONE_DEFAULT_REGION, or a contact owner's own
region); what does not read stays blank and matches no one. Going back removes the entries' `e164`."""

from django.db import migrations

from accounts.phone_index import BATCH, contacts_reindex, users_reindex


def fill(apps, schema_editor):
    users_reindex(apps.get_model("accounts", "User"))
    contacts_reindex(apps.get_model("accounts", "Contact"))


def unfill(apps, schema_editor):
    contacts = apps.get_model("accounts", "Contact")
    rows = contacts.objects.order_by("pk").values_list("pk", "phone")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        last = batch[-1][0]
        bare = [
            contacts(pk=pk, phone=[{k: v for k, v in e.items() if k != "e164"} for e in phone]) for pk, phone in batch
        ]
        contacts.objects.bulk_update(bare, ["phone"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_phone_e164")]

    operations = [migrations.RunPython(fill, unfill)]
