"""'Blocked from posting' is one rule: sends, typing, notifications and changes refuse alike."""

import pytest

from chats.blocking import participant_block_set
from config.errors import Forbidden
from messaging.live_notices import conversation_notify, typing_notify
from messaging.sending import message_send
from tests.helpers import db, make_group, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = "You are blocked from posting in this conversation"


def _group_with_blocked_member():
    owner, blocked = make_user(), make_user()
    group = make_group(owner, blocked, name="g")
    participant_block_set(owner, conversation_id=group.pk, user_id=blocked.pk, blocked=True)
    return owner, blocked, group


def test_every_kind_of_posting_is_refused_with_the_same_error():
    _, blocked, group = _group_with_blocked_member()
    attempts = [
        lambda: message_send(blocked, conversation_id=group.pk, body="hi"),
        lambda: typing_notify(blocked, conversation_id=group.pk),
        lambda: conversation_notify(blocked, conversation_id=group.pk, name="typing"),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert (refused.value.message, refused.value.code) == (REFUSED, "blocked")


async def test_a_blocked_participant_typing_over_sama_reaches_nobody():
    owner, blocked, group = await db(_group_with_blocked_member)()
    watching, typing = await sama_connected(owner), await sama_connected(blocked)
    await typing.send({"typing": {"cid": str(group.pk)}})
    await watching.nothing(timeout=0.5)
    await typing.nothing(timeout=0.1)  # typing is never answered, not even when refused
    await watching.close()
    await typing.close()
