"""An uploaded file is found by its name through an index: a download and an upload of
`/files/<name>.<type>` each read a few buffers, not every stored file's row; and a participant's
download finds the message holding the file through the index on attachments, not by reading
every message the participant sees."""

import orjson
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from messaging import uploads
from messaging.models import Message, StoredFile
from tests.helpers import buffers_of_each_select, generic_plan_steps_buffers, make_group, make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Reading every one of 5,000 stored files takes about sixty buffers; by index, under ten.
BY_INDEX = 20


@pytest.fixture
def owner_of_many_files():
    """A user who uploaded `avatar.png`, among 5,000 other stored files, their statistics taken."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    owner = make_user()
    StoredFile.objects.bulk_create(
        StoredFile(owner=owner, name=f"file-{n}.png", storage_name=f"uploads/file-{n}.png") for n in range(5_000)
    )
    uploads.file_upload(owner, name="avatar", file_type="png", content=ContentFile(PNG, name="avatar.png"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_storedfile")
    return owner


def test_a_download_finds_the_file_by_index(owner_of_many_files):
    found = []
    buffers = buffers_of_each_select(
        lambda: found.append(uploads.file_get(owner_of_many_files, name="avatar", file_type="png"))
    )
    assert found[0].name == "avatar.png"
    assert max(buffers) < BY_INDEX


def test_a_new_upload_finds_the_name_by_index(owner_of_many_files):
    buffers = buffers_of_each_select(
        lambda: uploads.file_upload(
            owner_of_many_files, name="avatar", file_type="png", content=ContentFile(PNG, name="avatar.png")
        )
    )
    assert max(buffers) < BY_INDEX


@pytest.mark.parametrize("analyzed", [False, True], ids=["no-statistics", "statistics"])
def test_a_participant_sees_an_attachment_found_by_index_among_many_messages(analyzed):
    """A participant who did not upload the file may see it because a message they see holds it:
    that message is found by its attachment's id, not by reading every message they see, whether
    or not the planner has statistics of the messages."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    sender, viewer = make_user(), make_user()
    group = make_group(sender, viewer)
    uploads.file_upload(sender, name="photo-1", file_type="png", content=ContentFile(PNG, name="photo-1.png"))
    Message.objects.bulk_create(
        Message(
            conversation=group,
            sender=sender,
            body=f"m{n}",
            attachments=[{"id": f"other-{n}", "file_type": "png"}] if n % 2 else [],
        )
        for n in range(20_000)
    )
    Message.objects.create(conversation=group, sender=sender, attachments=[{"id": "photo-1", "file_type": "png"}])
    if analyzed:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE messaging_message, chats_participant, chats_conversation")
    assert uploads.file_get(viewer, name="photo-1", file_type="png").name == "photo-1.png"
    media = orjson.dumps([{"id": "photo-1"}]).decode()
    # Reading the 20,000 messages the viewer sees takes about five hundred buffers; through the
    # index on attachments, about ten.
    assert max(generic_plan_steps_buffers(uploads._holding_sql(), [media, viewer.pk, viewer.pk, 100])) < BY_INDEX
