"""Retention of the operations log: entries older than OPLOG_RETENTION_DAYS go; recent ones stay
and op_log_list still replays them."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import oplog, retention
from messaging.models import OpLogEntry
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_old_entries_go_and_recent_ones_are_still_replayed(settings):
    settings.OPLOG_RETENTION_DAYS = 90
    alice, bob = await db(make_user)(), await db(make_user)()
    since = int(time.time() * 1000) - 1
    a = await sama_connected(alice)
    cid = await a.group_create(bob, name="Old")
    await a.request("conversation_update", {"id": cid, "name": "Recent", "participants": {}})
    entries = await db(lambda: list(OpLogEntry.objects.filter(user=bob).order_by("id")))()
    assert len(entries) == 2
    old, recent = entries
    await db(OpLogEntry.objects.filter(pk=old.pk).update)(created_at=timezone.now() - timedelta(days=91))
    await db(OpLogEntry.objects.filter(pk=recent.pk).update)(created_at=timezone.now() - timedelta(days=89))

    assert await db(retention.oplog_entries_purge)(dry_run=True) == 1
    assert await db(OpLogEntry.objects.filter(user=bob).count)() == 2
    assert await db(retention.oplog_entries_purge)() == 1
    assert [e.pk for e in await db(oplog.oplog_list)(bob, after=timezone.now() - timedelta(days=365))] == [recent.pk]

    b = await sama_connected(bob)
    logs = (await b.request("op_log_list", {"created_at": {"gt": since - 100 * 86_400_000}}))["logs"]
    assert [log["_id"] for log in logs] == [str(recent.pk)]
    assert logs[0]["packet"]["system_message"]["x"]["conversation_updated"]["name"] == "Recent"
    await a.close()
    await b.close()
