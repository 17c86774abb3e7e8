"""`/files/<name>.<type>`: upload (raw or multipart), download, previews, limits, authentication."""

import io
from pathlib import Path

import pytest

from messaging.models import StoredFile
from tests.helpers import access_token_for, make_user
from tests.rest.support import Api, assert_error

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _raw(client, path, data, method="post"):
    return getattr(client, method)(path, data, content_type="application/octet-stream")


def test_upload_raw_and_download(api, settings):
    alice = make_user()
    response = _raw(api(alice), "/files/8E4B6F2A-1C5D.png", PNG)
    assert response.status_code == 201, response.content
    assert response.json() == {"name": "8E4B6F2A-1C5D.png", "fileSize": len(PNG), "contentType": "image/png"}
    stored = StoredFile.objects.get(name="8E4B6F2A-1C5D.png")
    assert Path(settings.MEDIA_ROOT, stored.storage_name).read_bytes() == PNG
    download = api(alice).get("/files/8E4B6F2A-1C5D.png")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG
    # a link with ?token= works too, for clients that cannot set a header
    token = access_token_for(alice, "browser")
    assert Api().get(f"/files/8E4B6F2A-1C5D.png?token={token}").status_code == 200


def test_upload_multipart_preview_and_replace(api):
    alice = make_user()
    client = api(alice)
    response = client.post("/files/abc-preview.jpeg", {"file": io.BytesIO(JPEG)}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["contentType"] == "image/jpeg"
    assert _raw(client, "/files/abc.txt", b"first", "put").status_code == 201
    assert _raw(client, "/files/abc.txt", b"second", "put").status_code == 201  # the uploader replaces it
    download = api(alice).get("/files/abc.txt")
    assert b"".join(download.streaming_content) == b"second"
    assert download["Content-Disposition"].startswith("attachment")
    assert StoredFile.objects.filter(name="abc.txt").count() == 1


def test_upload_errors(api, settings):
    alice, bob = make_user(), make_user()
    _raw(api(alice), "/files/taken.png", PNG)
    assert_error(_raw(api(bob), "/files/taken.png", PNG), 403, "someone else")
    assert_error(_raw(api(alice), "/files/x-preview.png", PNG), 400, "preview")
    assert_error(_raw(api(alice), "/files/x-preview.jpeg", PNG), 400, "JPEG")
    assert_error(_raw(api(alice), "/files/empty.png", b""), 400)
    assert_error(_raw(api(alice), "/files/bad name.png", PNG), 400, "File name")
    assert_error(_raw(api(alice), "/files/a.b.png", PNG), 400, "File name")
    assert_error(api(alice).post("/files/none.png", {}, format="multipart"), 400, "file")
    assert_error(_raw(api(), "/files/anon.png", PNG), 401)
    settings.REST_FILE_MAX_BYTES = 100
    settings.REST_PREVIEW_MAX_BYTES = 10
    assert_error(_raw(api(alice), "/files/big.png", b"x" * 101), 413, "larger than 100 bytes")
    assert_error(_raw(api(alice), "/files/big-preview.jpeg", JPEG), 413)
    assert _raw(api(alice), "/files/fits.png", b"x" * 100).status_code == 201


def test_a_file_is_seen_by_its_uploader_and_by_the_readers_of_its_message_or_chat(api):
    alice, bob, carol, dave = make_user(), make_user(), make_user(), make_user()
    for name, data in (("ph1.png", PNG), ("ph1-preview.jpeg", JPEG), ("pic.png", PNG)):
        assert _raw(api(alice), f"/files/{name}", data).status_code == 201
    for name in ("ph1.png", "ph1-preview.jpeg", "pic.png"):  # a name alone opens nothing
        assert_error(api(bob).get(f"/files/{name}"), 404, "File not found")

    personal = api(alice).personal_create(bob)
    attachment = {"id": "ph1", "fileType": "png", "fileSize": len(PNG)}
    assert api(alice).post(f"/chats/{personal}/messages", {"attachment": attachment}).status_code == 200
    group = api(alice).group_create(carol)
    image = {"id": "pic", "fileType": "png", "fileSize": len(PNG)}
    assert api(alice).post(f"/chats/{group}/images", {"image": image}).status_code == 200

    seen = {
        reader.username: [
            api(reader).get(f"/files/{name}").status_code for name in ("ph1.png", "ph1-preview.jpeg", "pic.png")
        ]
        for reader in (alice, bob, carol, dave)
    }
    assert seen == {
        alice.username: [200, 200, 200],  # the uploader
        bob.username: [200, 200, 404],  # reads the message
        carol.username: [404, 404, 200],  # takes part in the pictured chat
        dave.username: [404, 404, 404],
    }


def test_download_errors(api):
    assert_error(api(make_user()).get("/files/missing.png"), 404, "File not found")
    assert_error(api().get("/files/missing.png"), 401)
    assert_error(Api().get("/files/missing.png?token=garbage"), 401)
