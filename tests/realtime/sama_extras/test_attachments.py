"""create_files / get_file_urls over a real WebSocket, and the signed upload and download URLs."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.helpers import SamaClient, db, make_user

pytestmark = pytest.mark.django_db(transaction=True)

HOST = [(b"host", b"chat.example")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1000
    settings.ATTACHMENT_CONTENT_TYPES = ["image/*", "text/plain"]
    settings.PUBLIC_BASE_URL = ""


async def _client(user) -> SamaClient:
    client = await SamaClient(headers=HOST).open()
    return await client.login_as(user)


def _put(url: str, data: bytes, content_type: str):
    return Client().generic("PUT", urlsplit(url).path, data, content_type=content_type)


def _get(url: str):
    return Client().get(urlsplit(url).path)


async def test_upload_then_download_and_send_as_an_attachment():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await _client(alice)
    b = await _client(bob)
    files = [
        {"name": "1.png", "size": 4, "content_type": "image/png"},
        {"name": "n.txt", "size": 2, "content_type": "text/plain"},
    ]
    response = await a.request("create_files", files, "4")
    created = response["files"]
    assert response["id"] == "4" and [f["name"] for f in created] == ["1.png", "n.txt"]
    assert set(created[0]) == {"_id", "object_id", "name", "size", "content_type", "upload_url"}
    assert created[0]["size"] == 4 and created[0]["content_type"] == "image/png"
    assert created[0]["upload_url"].startswith("http://chat.example/attachments/")

    not_yet = await db(_get)(
        (await a.request("get_file_urls", {"file_ids": [created[0]["_id"]]}))["file_urls"][created[0]["_id"]]
    )
    assert not_yet.status_code == 404
    assert (await db(_put)(created[0]["upload_url"], b"\x89PNG", "image/png")).json() == {"success": True}
    assert (await db(_put)(created[1]["upload_url"], b"hi", "text/plain; charset=utf-8")).status_code == 200
    again = await db(_put)(created[0]["upload_url"], b"\x89PNG", "image/png")
    assert again.status_code == 409 and again.json() == {
        "error": {"status": 409, "message": "The file is already uploaded"}
    }

    ids = [f["_id"] for f in created]
    urls = (await b.request("get_file_urls", {"file_ids": ids}, "5"))["file_urls"]
    assert set(urls) == set(ids)
    image = await db(_get)(urls[ids[0]])
    assert image.status_code == 200 and b"".join(image.streaming_content) == b"\x89PNG"
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
    assert image["Content-Disposition"].startswith("inline")
    text = await db(_get)(urls[ids[1]])
    assert text["Content-Disposition"].startswith("attachment")

    cid = await a.private_create(bob)
    await b.receive()
    attachment = {"file_id": ids[0], "file_name": "1.png"}
    await a.send({"message": {"id": "m1", "body": "", "cid": cid, "attachments": [attachment]}})
    assert "ack" in await a.receive()
    assert (await b.receive())["message"]["attachments"] == [attachment]
    await a.close()
    await b.close()


async def test_create_files_errors():
    a = await _client(await db(make_user)())
    big = await a.request("create_files", [{"name": "a.png", "size": 1001, "content_type": "image/png"}], "1")
    assert big == {"id": "1", "error": {"status": 413, "message": "files[0] is larger than the limit of 1000 bytes"}}
    html = await a.request("create_files", [{"name": "a.html", "size": 10, "content_type": "text/html"}], "2")
    assert html == {"id": "2", "error": {"status": 422, "message": "files[0]: content type text/html is not allowed"}}
    nameless = await a.request("create_files", [{"size": 10, "content_type": "image/png"}], "3")
    assert nameless == {"id": "3", "error": {"status": 422, "message": "files[0].name must be 1 to 255 characters"}}
    empty = await a.request("create_files", [], "4")
    assert empty == {"id": "4", "error": {"status": 422, "message": "files must be a list of 1 to 10 files"}}
    await a.close()


async def test_upload_checks_and_who_may_read():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await _client(alice)
    b = await _client(bob)
    created = (await a.request("create_files", [{"name": "x.png", "size": 3, "content_type": "image/png"}]))["files"]
    url, file_id = created[0]["upload_url"], created[0]["_id"]
    wrong_type = await db(_put)(url, b"abc", "image/jpeg")
    assert wrong_type.json() == {"error": {"status": 422, "message": "Content-Type must be image/png"}}
    too_long = await db(_put)(url, b"abcd", "image/png")
    assert too_long.status_code == 413
    assert too_long.json()["error"]["message"] == "The file is larger than the declared 3 bytes"
    short = await db(_put)(url, b"ab", "image/png")
    assert short.json() == {"error": {"status": 422, "message": "Received 2 bytes, 3 declared"}}
    forged = await db(_put)(url[:-3] + "abc", b"abc", "image/png")
    assert forged.json() == {"error": {"status": 404, "message": "File not found"}}
    assert (await db(lambda: Client().post(urlsplit(url).path))()).status_code == 405

    pk = file_id.split("-")[0]
    mine = await a.request("get_file_urls", {"file_ids": [pk]}, "1")
    assert list(mine["file_urls"]) == [pk]
    guessed = await b.request("get_file_urls", {"file_ids": [pk]}, "2")
    assert guessed == {"id": "2", "error": {"status": 404, "message": "File not found"}}
    forged_id = await b.request("get_file_urls", {"file_ids": [pk + "-0000"]}, "3")
    assert forged_id["error"]["status"] == 404
    no_list = await b.request("get_file_urls", {}, "4")
    assert no_list == {"id": "4", "error": {"status": 422, "message": "file_ids must be a list"}}
    await a.close()
    await b.close()


async def test_expired_urls_are_refused(settings):
    a = await _client(await db(make_user)())
    created = (await a.request("create_files", [{"name": "x.png", "size": 3, "content_type": "image/png"}]))["files"]
    settings.ATTACHMENT_UPLOAD_URL_TTL = -1
    expired = await db(_put)(created[0]["upload_url"], b"abc", "image/png")
    assert expired.json() == {"error": {"status": 403, "message": "This URL has expired"}}
    await a.close()


async def test_s3_storage_answers_presigned_urls(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "chat-files",
                "endpoint_url": "http://127.0.0.1:9",
                "access_key": "AKIDEXAMPLE",
                "secret_key": "secret",
                "region_name": "us-east-1",
            },
        },
    }
    a = await _client(await db(make_user)())
    created = (await a.request("create_files", [{"name": "x.png", "size": 3, "content_type": "image/png"}]))["files"]
    upload = created[0]["upload_url"]
    assert upload.startswith("http://127.0.0.1:9/chat-files/attachments/") and "Signature" in upload
    urls = (await a.request("get_file_urls", {"file_ids": [created[0]["_id"]]}))["file_urls"]
    download = urls[created[0]["_id"]]
    assert download.startswith("http://127.0.0.1:9/chat-files/attachments/") and "Signature" in download
    await a.close()


async def test_file_names_that_cannot_stand_in_a_path_are_kept_as_given():
    a = await _client(await db(make_user)())
    files = [{"name": name, "size": 4, "content_type": "image/png"} for name in ("😀", "..", "a/../b.png")]
    response = await a.request("create_files", files, "5")
    assert [f["name"] for f in response["files"]] == ["😀", "..", "a/../b.png"]
    assert (await db(_put)(response["files"][0]["upload_url"], b"\x89PNG", "image/png")).json() == {"success": True}
