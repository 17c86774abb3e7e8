"""Acknowledgements arriving together share one database write, and each still gets its answer."""

import asyncio
import time

import pytest
from django.db import OperationalError, connection
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


async def test_receipts_arriving_together_share_one_write_and_only_refusals_are_answered(monkeypatch):
    _alice, bob, carol, sent = await db(_world)(1, 3)
    writes, refusals = [], []
    original = receipt_batches.receipts_record

    def counting(pairs):
        writes.append(len(pairs))
        return original(pairs)

    def refused_as(name):
        async def refused(error):
            refusals.append((name, error))

        return refused

    monkeypatch.setattr(receipt_batches, "receipts_record", counting)
    receipt_batches.receipt_add(bob.pk, sent[0].pk, refused_as("bob 0"))
    receipt_batches.receipt_add(bob.pk, sent[1].pk, refused_as("bob 1"))
    receipt_batches.receipt_add(carol.pk, sent[2].pk, refused_as("carol 2"))
    receipt_batches.receipt_add(carol.pk, 999999, refused_as("carol missing"))
    assert writes == []  # nothing waits for the write
    await asyncio.sleep(receipt_batches.BATCH_WINDOW_S + 0.5)
    assert writes == [4]
    assert [(name, type(error).__name__, error.code) for name, error in refusals] == [
        ("carol missing", "NotFound", "message_not_found")
    ]
    assert await db(DeliveryReceipt.objects.count)() == 3


@pytest.mark.parametrize(
    ("failure", "answer"),
    [
        (RuntimeError("a bug"), ("InternalError", "Internal error")),
        (OperationalError("database gone"), ("Unavailable", "The server is busy; try again")),
    ],
)
async def test_receipts_of_a_failed_write_are_all_refused_with_the_error_a_protocol_answers(
    monkeypatch, failure, answer
):
    _alice, bob, _carol, sent = await db(_world)(1, 3)
    refusals = []

    def failing(pairs):
        raise failure

    async def refused(error):
        refusals.append((type(error).__name__, error.message))

    monkeypatch.setattr(receipt_batches, "receipts_record", failing)
    receipt_batches.receipt_add(bob.pk, sent[0].pk, refused)
    receipt_batches.receipt_add(bob.pk, sent[1].pk, refused)
    await asyncio.sleep(receipt_batches.BATCH_WINDOW_S + 0.5)
    assert refusals == [answer] * 2


async def test_receipts_added_during_a_write_go_in_the_next_one(monkeypatch):
    _alice, bob, carol, sent = await db(_world)(1, 3)
    writes = []
    original = receipt_batches.receipts_record

    def slow(pairs):
        writes.append(sorted(pairs))
        time.sleep(0.2)
        return original(pairs)

    async def refused(error):
        raise AssertionError(f"refused: {error!r}")

    monkeypatch.setattr(receipt_batches, "receipts_record", slow)
    receipt_batches.receipt_add(bob.pk, sent[0].pk, refused)
    await asyncio.sleep(receipt_batches.BATCH_WINDOW_S + 0.1)  # the first write is under way
    receipt_batches.receipt_add(bob.pk, sent[1].pk, refused)
    receipt_batches.receipt_add(carol.pk, sent[2].pk, refused)
    await asyncio.sleep(0.8)
    assert writes == [[(bob.pk, sent[0].pk)], sorted([(bob.pk, sent[1].pk), (carol.pk, sent[2].pk)])]
    assert await db(DeliveryReceipt.objects.count)() == 3
