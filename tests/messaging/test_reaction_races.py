"""A reaction and the deletion of its message for everyone, at the same moment: the reaction waits
for the deletion and is refused, so a deleted message keeps no reaction (PostgreSQL's row locks)."""

import threading

import pytest
from django.db import connection, transaction

from config.errors import NotFound
from messaging.editing import message_delete
from messaging.models import MessageReaction
from messaging.reactions import message_reactions_update
from messaging.sending import message_send
from tests.helpers import make_group, make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_a_reaction_made_while_its_message_is_deleted_waits_and_is_refused():
    alice, bob = make_user(), make_user()
    group = make_group(alice, bob)
    message, _ = message_send(bob, conversation_id=group.pk, body="gone soon")
    outcome: list[object] = []

    def react() -> None:
        try:
            outcome.append(message_reactions_update(alice, message_id=message.pk, add="👍"))
        except NotFound as refused:
            outcome.append(refused)
        finally:
            connection.close()

    with transaction.atomic():  # the deletion, not yet committed while Alice reacts
        message_delete(bob, conversation_id=group.pk, message_ids=[message.pk], everyone=True)
        reacting = threading.Thread(target=react)
        reacting.start()
        reacting.join(0.5)  # it waits on the message's lock
        assert reacting.is_alive()
    reacting.join(10)
    assert isinstance(outcome[0], NotFound)
    assert not MessageReaction.objects.filter(message=message).exists()
