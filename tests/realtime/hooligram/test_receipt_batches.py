"""Acknowledgements arriving together share one database write, and each still gets its answer."""

import asyncio

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import DeliveryReceipt
from messaging.receipts import receipts_record
from realtime import receipt_batches
from tests.helpers import db, make_user
from tests.realtime.hooligram.test_receipts import _world

pytestmark = pytest.mark.django_db(transaction=True)


def test_receipts_record_answers_each_pair_and_records_only_the_visible():
    _alice, bob, carol, sent = _world(1, 3)
    stranger = make_user()
    pairs = [(bob.pk, sent[0].pk), (carol.pk, sent[1].pk), (stranger.pk, sent[2].pk), (bob.pk, sent[0].pk)]
    with CaptureQueriesContext(connection) as captured:
        assert receipts_record(pairs) == [True, True, False, True]
    statements = [q["sql"].split()[0] for q in captured]
    # Whatever the batch size: one statement on PostgreSQL, a read and a write elsewhere.
    expected = ["WITH"] if connection.vendor == "postgresql" else ["WITH", "INSERT"]
    assert [s for s in statements if s in ("WITH", "SELECT", "INSERT")] == expected
    assert sorted(DeliveryReceipt.objects.values_list("user_id", "message_id")) == sorted(
        [(bob.pk, sent[0].pk), (carol.pk, sent[1].pk)]
    )


async def test_concurrent_acknowledgements_are_batched(monkeypatch):
    _alice, bob, carol, sent = await db(_world)(1, 3)
    writes = []
    original = receipt_batches.receipts_record

    def counting(pairs):
        writes.append(len(pairs))
        return original(pairs)

    monkeypatch.setattr(receipt_batches, "receipts_record", counting)
    results = await asyncio.gather(
        receipt_batches.receipt_record(bob.pk, sent[0].pk),
        receipt_batches.receipt_record(bob.pk, sent[1].pk),
        receipt_batches.receipt_record(carol.pk, sent[2].pk),
        receipt_batches.receipt_record(carol.pk, 999999),
    )
    assert results == [True, True, True, False]
    assert writes == [4]
    assert await db(DeliveryReceipt.objects.count)() == 3
