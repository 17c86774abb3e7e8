"""Domain data is read only in the admin: no add, change or stock delete, which would skip the
services' rules, events and operations log; messages are deleted through the messaging service."""

import pytest
from django.contrib import admin

from accounts.models import User
from chats.models import Participant
from config.errors import Forbidden
from messaging.editing import messages_remove
from messaging.models import Message, OpLogEntry
from messaging.sending import message_send
from tests.helpers import db, make_private, make_user, sama_connected

DOMAIN_APPS = {"accounts", "chats", "messaging"}
READ_ONLY = [m for m in admin.site._registry if m._meta.app_label in DOMAIN_APPS and m is not User]


def _conversation_with_a_message():
    alice, bob = make_user(), make_user()
    conversation = make_private(alice, bob)
    message, _ = message_send(alice, conversation_id=conversation.pk, body="hi")
    return alice, bob, conversation, message


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_every_admin_but_the_users_is_read_only(rf, admin_user, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Message, Participant], ids=lambda m: m._meta.label)
def test_message_and_participant_pages_refuse_changes(admin_client, model):
    _conversation_with_a_message()
    row = model.objects.order_by("pk").first()
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert admin_client.get(f"{base}{row.pk}/change/").status_code == 200  # shown, read only
    assert admin_client.post(f"{base}{row.pk}/change/", {}).status_code == 403
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_the_conversation_page_shows_participants_read_only(admin_client):
    _, _, conversation, _ = _conversation_with_a_message()
    url = f"/admin/chats/conversation/{conversation.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert admin_client.post(url, {"name": "renamed"}).status_code == 403


@pytest.mark.django_db(transaction=True)
async def test_deleting_messages_for_everyone_goes_through_the_service(admin_client):
    alice, bob, conversation, message = await db(_conversation_with_a_message)()
    client = await sama_connected(bob)
    response = await db(admin_client.post)(
        "/admin/messaging/message/", {"action": "delete_for_everyone", "_selected_action": [str(message.pk)]}
    )
    assert response.status_code == 302
    deleted = (await client.receive())["message_delete"]  # from the staff user who deleted it
    assert (deleted["cid"], deleted["ids"], deleted["type"]) == (str(conversation.pk), [str(message.pk)], "all")
    assert (await db(Message.objects.get)(pk=message.pk)).deleted_at is not None
    logged = await db(
        lambda: set(OpLogEntry.objects.filter(kind="messages_deleted").values_list("user_id", flat=True))
    )()
    assert logged == {alice.pk, bob.pk}
    await client.close()


@pytest.mark.django_db
def test_only_staff_delete_other_users_messages():
    _, bob, _, message = _conversation_with_a_message()
    with pytest.raises(Forbidden):
        messages_remove(bob, message_ids=[message.pk])
    assert Message.objects.get(pk=message.pk).deleted_at is None
