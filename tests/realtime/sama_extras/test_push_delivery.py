"""New messages queue pushes for offline, unmuted participants; the worker sends them through the
platform backend (in-memory here), retries temporary failures and drops gone subscriptions."""

import pytest

from accounts.models import PushDelivery, PushEvent, PushSubscription
from accounts.push.backends.memory import MemoryBackend
from chats.models import Participant
from realtime.push import worker
from tests.helpers import db, make_user, sama_connected
from tests.push_helpers import pushes_in_memory, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def memory_push(settings):
    yield from pushes_in_memory(settings, PUSH_RETRY_DELAY=30)


async def test_offline_unmuted_participants_get_one_push_per_message():
    alice = await db(make_user)(first_name="Alice", last_name="Smith")
    bob, carol, dave = await db(make_user)(), await db(make_user)(), await db(make_user)()
    subs = {u.pk: await db(subscribe)(u, f"d{u.pk}") for u in (alice, bob, carol, dave)}
    a = await sama_connected(alice)
    c = await sama_connected(carol)  # online: no push
    cid = await a.group_create(bob, carol, dave)
    await c.receive()
    await db(lambda: Participant.objects.filter(conversation_id=cid, user=dave).update(is_muted=True))()
    await a.send({"message": {"id": "m1", "body": "hello there", "cid": cid}})
    assert "ack" in await a.receive()
    assert await db(PushEvent.objects.count)() == 1  # queued with the message, nothing sent yet
    assert MemoryBackend.outbox == []
    assert await db(worker.run_once)() == 2  # one event expanded, one delivery sent
    assert MemoryBackend.outbox == [
        (subs[bob.pk].pk, {"title": "Alice Smith", "body": "hello there", "firstAttachmentUrl": None, "cid": cid})
    ]
    assert await db(worker.run_once)() == 0
    await a.close()
    await c.close()


async def test_temporary_failures_are_retried_and_gone_subscriptions_dropped(settings):
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    await db(subscribe)(bob, "bob-phone")
    await db(subscribe)(carol, "carol-phone")
    a = await sama_connected(alice)
    cid = await a.group_create(bob, carol)
    MemoryBackend.failures = 1
    MemoryBackend.gone.add("carol-phone")
    await a.send({"message": {"id": "m1", "body": "x", "cid": cid}})
    await a.receive()
    await db(worker.run_once)()
    assert MemoryBackend.outbox == []
    assert not await db(PushSubscription.objects.filter(device_udid="carol-phone").exists)()
    delivery = await db(PushDelivery.objects.get)()
    assert delivery.attempts == 1 and delivery.sent_at is None and delivery.next_attempt_at is not None
    assert await db(worker.run_once)() == 0  # not due yet
    settings.PUSH_RETRY_DELAY = 0
    await db(lambda: PushDelivery.objects.update(next_attempt_at=delivery.created_at))()
    await db(worker.run_once)()
    assert [payload["body"] for _, payload in MemoryBackend.outbox] == ["x"]
    delivery = await db(PushDelivery.objects.get)()
    assert delivery.attempts == 2 and delivery.sent_at is not None and delivery.next_attempt_at is None
    await a.close()


async def test_a_push_gives_up_after_the_last_attempt(settings):
    settings.PUSH_MAX_ATTEMPTS = 2
    settings.PUSH_RETRY_DELAY = 0
    alice, bob = await db(make_user)(), await db(make_user)()
    await db(subscribe)(bob, "bob-phone")
    a = await sama_connected(alice)
    response = await a.request("push_event_create", {"recipients_ids": [str(bob.pk)], "message": {"title": "T"}})
    assert "event" in response
    MemoryBackend.failures = 5
    for _ in range(3):
        await db(worker.run_once)()
    delivery = await db(PushDelivery.objects.get)()
    assert delivery.attempts == 2 and delivery.next_attempt_at is None and delivery.sent_at is None
    assert delivery.last_error == "temporarily unavailable"
    await a.close()


def test_the_worker_command_runs_once(capsys):
    from django.core.management import call_command

    call_command("push_worker", "--once")
    assert "0 push items processed" in capsys.readouterr().out


async def test_the_push_carries_a_download_url_for_the_first_attachment(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_BASE_URL = "https://chat.example"
    alice, bob = await db(make_user)(), await db(make_user)()
    await db(subscribe)(bob, "bob-phone")
    a = await sama_connected(alice)
    cid = await a.private_create(bob)
    files = await a.request("create_files", [{"name": "p.png", "size": 3, "content_type": "image/png"}])
    file_id = files["files"][0]["_id"]
    attachments = [{"file_id": file_id, "file_name": "p.png"}]
    await a.send({"message": {"id": "m1", "body": "", "cid": cid, "attachments": attachments}})
    await a.receive()
    await db(worker.run_once)()
    ((_, payload),) = MemoryBackend.outbox
    assert payload["firstAttachmentUrl"].startswith("https://chat.example/attachments/")
    assert payload["body"] == "" and payload["cid"] == cid
    await a.close()
