"""Login and registration limits over NkCHAT: `core/user/login` (password and token) and
`chat/user/create` answer `{result: "error", data: {error, code: 429}}` once used up."""

import pytest

from tests.helpers import PASSWORD, make_user
from tests.realtime.nkchat.client import NkClient, db

pytestmark = pytest.mark.django_db(transaction=True)


async def login(client: NkClient, **data: str) -> dict:
    return await client.request("core", "user", "login", data)


async def test_wrong_passwords_then_the_next_login_answers_429(settings):
    settings.LOGIN_RATE = "3/hour"
    user = await db(make_user)()
    client = await NkClient().open()
    for _ in range(3):
        answer = await login(client, user=user.username, password="wrong")
        assert answer["result"] == "error" and answer["data"]["code"] == 401, answer
    answer = await login(client, user=user.username, password=PASSWORD)
    assert answer["result"] == "error" and answer["data"]["code"] == 429, answer
    assert answer["data"]["error"].startswith("Too many login attempts"), answer
    await client.close()


async def test_token_logins_are_limited_and_successes_do_not_count(settings):
    settings.LOGIN_RATE = "1/hour"
    user = await db(make_user)()
    client = await NkClient().open()
    for _ in range(3):
        await client.login_as(user)
    assert (await login(client, token="not-a-token"))["data"]["code"] == 401
    answer = await login(client, token="not-a-token")
    assert answer["result"] == "error" and answer["data"]["code"] == 429, answer
    await client.close()


async def test_user_create_is_throttled(settings):
    settings.REGISTER_RATE = "2/hour"
    client = await NkClient().open()
    for n in range(2):
        assert "user_id" in await client.ok("user", "create", {"login": f"nk{n}", "password": PASSWORD})
    error = await client.error("user", "create", {"login": "nk9", "password": PASSWORD})
    assert error["code"] == 429 and error["error"].startswith("Too many registrations"), error
    await client.close()
