"""Every protocol renders every event kind (but the consumer's control kinds) without failing: for
each recipient, JSON frames, or nothing where its renderer ignores the kind on purpose.

Events are built as the services build them, from snapshots of real rows, and rendered by each
adapter the way a connection asks it to (`ChatConsumer._send_event`: `adapter.render_event`)."""

import json
import time
from dataclasses import dataclass
from typing import Any

import msgpack
import pytest

from accounts.snapshots import user_snapshot
from chats.models import Participant
from chats.snapshots import conversation_snapshot, participant_ids
from config.routing import websocket_urlpatterns
from events import kinds
from events.kinds import EVENT_KINDS, Event, event_from_channel_message
from messaging.sending import message_send
from messaging.snapshots import message_snapshot
from protocols.nkchat.subscriptions import Pattern
from realtime.adapter import ProtocolAdapter, frame_text
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db

ADAPTERS = sorted({route.callback.consumer_class.adapter_class for route in websocket_urlpatterns}, key=str)
RENDERED_KINDS = sorted(kind for kind, event in EVENT_KINDS.items() if not event.control)


@dataclass
class FakeConnection:
    """All an adapter reads of its connection while rendering: the signed-in user."""

    user: Any


def _adapter(adapter_class: type[ProtocolAdapter], user) -> ProtocolAdapter:
    adapter = adapter_class(FakeConnection(user))
    if hasattr(adapter, "subscriptions"):  # NkCHAT sends only what a subscription matches: everything
        adapter.subscriptions.add(Pattern())
    return adapter


def _events() -> tuple[dict[str, Event], dict]:
    """One event of every kind, as its service would publish it, and the users involved."""
    alice, bob, carol, dave = (
        make_user(first_name=n.title(), last_name="Doe") for n in ("alice", "bob", "carol", "dave")
    )
    group = make_group(alice, bob, carol, dave, name="Team", description="The team")
    sent, _ = message_send(alice, conversation_id=group.pk, body="héllo", x={"k": 1}, client_id="c1")
    other, _ = message_send(bob, conversation_id=group.pk, body="attached", attachments=[{"file_id": "f1"}])
    message = message_snapshot(sent, alice, group.type)
    full = conversation_snapshot(group)
    everyone = tuple(participant_ids(full))
    # dave removed: the snapshot no longer holds him, the recipients still do
    Participant.objects.filter(conversation=group, user=dave).delete()
    after_removal = conversation_snapshot(group)
    deleted = {**message_snapshot(other, bob, group.type), "body": "", "deleted_at": time.time()}
    gone = {**conversation_snapshot(group), "participants": []}
    by = {"actor_id": alice.pk, "origin": "conn.alice"}
    events = [
        kinds.MessageCreated(recipients=everyone, **by, message=message, push_to=(bob.pk,)),
        kinds.MessageEdited(recipients=everyone, **by, message={**message, "body": "edited", "edited_at": time.time()}),
        kinds.MessagesDeleted(
            recipients=everyone, actor_id=bob.pk, conversation_id=group.pk, message_ids=(other.pk,), messages=(deleted,)
        ),
        kinds.MessagesRead(
            recipients=everyone,
            actor_id=bob.pk,
            conversation_id=group.pk,
            message_ids=(sent.pk, other.pk),
            sender_ids=(alice.pk, bob.pk),
            reader_id=bob.pk,
            read_at=time.time(),
        ),
        kinds.MessageReactionsUpdated(
            recipients=everyone,
            **by,
            conversation_id=group.pk,
            conversation_type=group.type,
            message_id=sent.pk,
            added="👍",
            removed="😿",
        ),
        kinds.Typing(recipients=everyone, **by, conversation_id=group.pk, user_id=alice.pk),
        kinds.SystemNotice(
            recipients=everyone, **by, notice_id="n1", conversation_id=group.pk, x={"hello": True}, t=int(time.time())
        ),
        kinds.Notify(
            recipients=everyone[1:], **by, conversation_id=group.pk, body={"name": "ping", "text": "hi", "data": None}
        ),
        kinds.ConversationCreated(recipients=everyone, **by, conversation=full),
        kinds.ConversationUpdated(recipients=everyone, **by, conversation=full),
        kinds.MembersAdded(recipients=everyone, **by, conversation=full, user_ids=(carol.pk,)),
        kinds.MembersRemoved(recipients=everyone, **by, conversation=after_removal, user_ids=(dave.pk,)),
        kinds.ConversationDeleted(recipients=everyone, **by, conversation=gone),
        kinds.ConversationCleared(recipients=everyone, **by, conversation=after_removal),
        kinds.UserCreated(recipients=(), actor_id=dave.pk, user=user_snapshot(dave)),
        kinds.UserDeleted(recipients=(), actor_id=dave.pk, user_id=dave.pk),
        kinds.LastActivity(recipients=(), actor_id=bob.pk, user_id=bob.pk, last_seen_at=None),
    ]
    return {event.kind: event for event in events}, [alice, bob, carol, dave]


def test_there_is_an_event_here_for_every_kind():
    events, _ = _events()
    assert sorted(events) == RENDERED_KINDS
    assert isinstance(_through_redis(events["messages_read"]).message_ids, list)  # rendered in both forms


def _through_redis(event: Event) -> Event:
    """The event as a hub rebuilds it from the Redis channel layer (msgpack: tuples become lists)."""
    message = msgpack.unpackb(msgpack.packb({"kind": event.kind, "data": event.data(), "to": ["user.1"]}))
    return event_from_channel_message(message)


def _json_frames(frames: list) -> list[dict]:
    assert isinstance(frames, list), frames
    parsed = []
    for frame in frames:
        text = frame if isinstance(frame, str) else frame_text(frame)
        value = json.loads(text)
        assert isinstance(value, dict) and value, text
        parsed.append(value)
    return parsed


@pytest.mark.parametrize("adapter_class", ADAPTERS, ids=lambda a: a.name)
def test_every_kind_renders_to_json_frames_or_deliberately_nothing(adapter_class):
    events, users = _events()
    for kind in RENDERED_KINDS:
        published = events[kind]
        ignored = adapter_class.renderers[kind] == "ignore"
        viewers = [u for u in users if u.pk in published.recipients] or users  # broadcasts and watchers: anyone
        frames = []
        for event in (published, _through_redis(published)):
            for user in viewers:
                for is_origin in (False, True):
                    rendered = _json_frames(_adapter(adapter_class, user).render_event(event, is_origin=is_origin))
                    if ignored:
                        assert rendered == [], (adapter_class.name, kind)
                    frames += rendered
        if not ignored:
            assert frames, f"{adapter_class.name} renders {kind} for none of its recipients"
        assert {TAGS[adapter_class.name](frame) for frame in frames} == set(
            filter(None, [EXPECTED[adapter_class.name][kind]])
        )


# What names a frame in each protocol, and the frame each kind becomes (None: deliberately nothing).
TAGS = {
    "sama": lambda frame: "/".join(frame),
    "hooligram": lambda frame: frame["type"],
    "nkchat": lambda frame: f"{frame['data']['subclass']}.{frame['data']['type']}",
    "rest": lambda frame: frame["event"],
}
EXPECTED = {
    "sama": {
        "message_created": "message",
        "message_edited": "message_edit",
        "message_reactions_updated": "message_reactions_update",
        "messages_deleted": "message_delete",
        "messages_read": "message_read",
        "typing": "typing",
        "system_notice": "system_message",
        "notify": None,
        "conversation_created": "system_message",
        "conversation_updated": "system_message",
        "members_added": "system_message",
        "members_removed": "system_message",
        "conversation_deleted": "system_message",
        "conversation_cleared": None,
        "user_created": None,
        "user_deleted": None,
        "last_activity": "last_activity",
    },
    "hooligram": {
        **dict.fromkeys(RENDERED_KINDS),
        "message_created": "MESSAGING_DELIVER_REQUEST",
        "conversation_created": "GROUP_DELIVER_REQUEST",
        "conversation_updated": "GROUP_DELIVER_REQUEST",
        "members_added": "GROUP_DELIVER_REQUEST",
        "members_removed": "GROUP_DELIVER_REQUEST",
    },
    "nkchat": {
        **dict.fromkeys(RENDERED_KINDS),
        "message_created": "conversation.created_message",
        "message_edited": "conversation.updated_message",
        "message_reactions_updated": "conversation.updated_reactions",
        "messages_deleted": "conversation.deleted_message",
        "conversation_created": "conversation.created",
        "members_added": "conversation.added_memebers",
        "members_removed": "conversation.removed_memebers",
        "conversation_deleted": "conversation.deleted",
        "user_created": "user.created",
        "user_deleted": "user.deleted",
    },
    "rest": {
        "message_created": "message",
        "message_edited": "messageUpdate",
        "message_reactions_updated": "messageReactions",
        "messages_deleted": "messageDelete",
        "messages_read": "readMark",
        "typing": "auxiliary",
        "system_notice": None,
        "notify": "auxiliary",
        "conversation_created": None,
        "conversation_updated": "chatUpdate",
        "members_added": "addedUsers",
        "members_removed": "removedUsers",
        "conversation_deleted": "chatDeleted",
        "conversation_cleared": "chatCleared",
        "user_created": None,
        "user_deleted": None,
        "last_activity": None,
    },
}


def test_the_expected_frames_cover_every_adapter_and_kind():
    assert sorted(EXPECTED) == sorted(adapter.name for adapter in ADAPTERS)
    for name, expected in EXPECTED.items():
        assert sorted(expected) == RENDERED_KINDS, name
