"""PostgreSQL's planner takes a conversation to hold about a hundred messages (`n_distinct` of the
messages' conversation at -0.01: as many conversations as a hundredth of the messages), whatever
ANALYZE's sample saw. Statistics taken while a deployment's first busy chat held nearly every
message said a conversation's messages were the whole table, and a Hooligram sign-in's backlog
then walked every message written since the reader joined (by the index on time) instead of the
reader's conversations' own: 315 buffers against about 30 with 20,000 messages written since
(tests/realtime/test_sign_in_plans.py), 873 with 80,000. Every read of a conversation's messages
has an index led by the conversation, which the estimate keeps preferred. ANALYZE applies the
setting; the migration runs it for that column at once (it blocks no reads or writes). SQLite
has no such estimate."""

from django.db import migrations

TABLE, COLUMN = "messaging_message", "conversation_id"


def set_estimate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} SET (n_distinct = -0.01)")
        schema_editor.execute(f"ANALYZE {TABLE} ({COLUMN})")


def reset_estimate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} RESET (n_distinct)")
        schema_editor.execute(f"ANALYZE {TABLE} ({COLUMN})")


class Migration(migrations.Migration):
    dependencies = [("messaging", "0008_message_attachment_ids_index")]

    operations = [migrations.RunPython(set_estimate, reset_estimate)]
