"""Presence in Redis: kept under the channel layer's prefix, like the channel layer itself; and
connections opened or closed together are recorded in one batch, each user coming online with
their first and going offline (last activity recorded) with their last."""

import asyncio
import secrets

import pytest
from django.utils import timezone

from accounts.models import User
from realtime import presence
from realtime.db import run_in_db
from tests.helpers import make_user

# Presence lives in Redis only with REDIS_URL: like the multi-process tests, this runs on Redis.
pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


async def test_servers_with_another_prefix_do_not_see_the_users_online(settings):
    token = secrets.token_hex(4)
    settings.CHANNEL_LAYER_PREFIX = f"one{token}"
    assert await presence.connection_opened(7, "channel-a") is True
    assert await presence.online_user_ids([7]) == {7}
    settings.CHANNEL_LAYER_PREFIX = f"two{token}"
    assert await presence.online_user_ids([7]) == set()
    settings.CHANNEL_LAYER_PREFIX = f"one{token}"
    await presence._client().delete(presence._key(7))
    assert await presence.online_user_ids([7]) == set()


async def test_of_connections_opened_at_once_only_each_users_first_comes_online(settings):
    settings.CHANNEL_LAYER_PREFIX = f"together{secrets.token_hex(4)}"
    came_online = await asyncio.gather(
        presence.connection_opened(8, "phone"),
        presence.connection_opened(8, "laptop"),
        presence.connection_opened(9, "phone"),
    )
    assert came_online == [True, False, True]
    assert await presence.online_user_ids([8, 9, 10]) == {8, 9}
    assert await presence.connection_opened(8, "tablet") is False
    assert await presence.connection_closed(8, "phone") is False
    await presence._client().delete(presence._key(8), presence._key(9))


async def test_connections_opened_or_closed_together_take_one_command(settings, monkeypatch):
    settings.CHANNEL_LAYER_PREFIX = f"one-command{secrets.token_hex(4)}"
    client = presence._client()
    assert await presence.connection_opened(11, "first") is True  # the lease is taken
    commands = []
    execute = client.execute_command

    async def counted(*args, **kwargs):
        commands.append(args[0])
        return await execute(*args, **kwargs)

    monkeypatch.setattr(client, "execute_command", counted)
    opened = await asyncio.gather(*(presence.connection_opened(uid, f"{uid}-x") for uid in (11, 12, 13)))
    assert opened == [False, True, True] and commands == ["EVALSHA"]
    commands.clear()
    closed = await asyncio.gather(*(presence.connection_closed(uid, f"{uid}-x") for uid in (11, 12)))
    assert closed == [False, True] and commands[0] == "EVALSHA"  # then the last activity's write
    monkeypatch.undo()
    await client.delete(*(presence._key(uid) for uid in (11, 12, 13)))


async def test_of_connections_closed_at_once_only_each_users_last_goes_offline(settings):
    settings.CHANNEL_LAYER_PREFIX = f"apart{secrets.token_hex(4)}"
    users = [await run_in_db(make_user) for _ in range(2)]
    first, second = (user.pk for user in users)
    await asyncio.gather(
        *(
            presence.connection_opened(uid, f"{uid}-{device}")
            for uid in (first, second)
            for device in ("phone", "laptop")
        )
    )
    before = timezone.now()

    went_offline = await asyncio.gather(
        presence.connection_closed(first, f"{first}-phone"),
        presence.connection_closed(first, f"{first}-laptop"),
        presence.connection_closed(second, f"{second}-phone"),
    )

    assert went_offline == [False, True, False]
    assert await presence.online_user_ids([first, second]) == {second}
    seen = {
        user.pk: user.last_activity_at for user in await run_in_db(list, User.objects.filter(pk__in=[first, second]))
    }
    assert seen[first] is not None and seen[first] >= before  # recorded as they went offline
    assert seen[second] is None
    await presence._client().delete(presence._key(first), presence._key(second))


async def test_a_failed_last_activity_write_reaches_only_those_going_offline(settings, monkeypatch):
    settings.CHANNEL_LAYER_PREFIX = f"broken{secrets.token_hex(4)}"
    users = [await run_in_db(make_user) for _ in range(2)]
    first, second = (user.pk for user in users)
    for connection in (f"{first}-phone", f"{second}-phone", f"{second}-laptop"):
        await presence.connection_opened(int(connection.split("-")[0]), connection)

    def database_down(user_ids: list[int]) -> None:
        raise OSError("database unreachable")

    monkeypatch.setattr(presence, "users_touch_activity", database_down)
    went_offline = await asyncio.gather(
        presence.connection_closed(first, f"{first}-phone"),
        presence.connection_closed(second, f"{second}-phone"),
        return_exceptions=True,
    )

    assert isinstance(went_offline[0], OSError) and went_offline[1] is False
    assert await presence.online_user_ids([first, second]) == {second}  # forgotten all the same
    await presence._client().delete(presence._key(first), presence._key(second))
