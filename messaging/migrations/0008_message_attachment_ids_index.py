"""An index of the messages that hold attachments, by the attachments' contents (PostgreSQL's
GIN, `jsonb_path_ops`): a file's download by a participant finds the message holding it through
it (`messaging/uploads.py: _messages_holding`). Partial, so a message without attachments costs
its insert nothing more; without GIN's pending list (`fastupdate`), so a read never walks the
entries written since the last vacuum (autovacuum may be off). Built concurrently, outside a
transaction, so sends go on while it reads a long history. SQLite has no such index; the download
narrows by text there."""

from django.db import migrations

INDEX = "messaging_message_attachments"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON messaging_message"
            " USING gin (attachments jsonb_path_ops)"
            " WITH (fastupdate = off) WHERE NOT (attachments = '[]'::jsonb)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("messaging", "0007_stored_file_name_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
