"""Chats REST files: uploads named `<name>.<type>`, previews `<name>-preview.jpeg`, kept through
Django's storage API (local MEDIA_ROOT by default, any configured storage such as S3 otherwise)."""

import mimetypes
import re
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

import orjson
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from chats.selectors import conversations_of
from config.errors import Forbidden, Invalid, NotFound, TooLarge
from config.prepared_sql import executed
from messaging.access import visible_messages, visible_messages_sql
from messaging.models import Message, StoredFile

# Matched whole (`fullmatch`); anchored too, as the OpenAPI schema gives them.
NAME_RE = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")
TYPE_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")
PREVIEW_SUFFIX = "-preview"
PREVIEW_TYPE = "jpeg"
STORAGE_PREFIX = "files/"
JPEG_MAGIC = b"\xff\xd8\xff"
PREVIEW_SIZE_MAX = 10000
# Rows whose media lists' text holds a media id (in any case) looked through for the id itself.
CANDIDATES_MAX = 100


def file_max_bytes() -> int:
    """The largest upload accepted."""
    return getattr(settings, "REST_FILE_MAX_BYTES", 50 * 1024 * 1024)


def preview_max_bytes() -> int:
    """The largest preview accepted."""
    return getattr(settings, "REST_PREVIEW_MAX_BYTES", 2 * 1024 * 1024)


def is_preview(name: str) -> bool:
    """Whether a file name names a preview."""
    return name.endswith(PREVIEW_SUFFIX)


def upload_limit(name: str) -> int:
    """The most bytes an upload under this name may hold."""
    return preview_max_bytes() if is_preview(name) else file_max_bytes()


def file_name(name: object, file_type: object) -> str:
    """`<name>.<type>`, or Invalid when either part is not allowed in a file name."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise Invalid("File name must be 1-128 letters, digits, '-' or '_'", code="invalid_file_name")
    if not isinstance(file_type, str) or not TYPE_RE.fullmatch(file_type):
        raise Invalid("File type must be 1-16 letters or digits", code="invalid_file_type")
    return f"{name}.{file_type}"


def _dimension(value: object, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= PREVIEW_SIZE_MAX:
        raise Invalid(f"{field} must be an integer from 0 to {PREVIEW_SIZE_MAX}", code="invalid_media")
    return value


def media_clean(value: object, *, id_required: bool = False) -> dict[str, Any]:
    """A media description (`id`, `fileType`, `fileSize`, previews) as stored on messages and chats.

    Without an id, a new one is made: the client uploads its files under it afterwards."""
    if not isinstance(value, dict):
        raise Invalid("Media must be an object", code="invalid_media")
    media_id = value.get("id")
    if media_id is None:
        if id_required:
            raise Invalid("Media id is missing", code="invalid_media")
        media_id = str(uuid.uuid4())
    file_type, size = value.get("fileType"), value.get("fileSize")
    name = file_name(media_id, file_type)
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= file_max_bytes():
        raise Invalid(f"fileSize must be from 1 to {file_max_bytes()} bytes", code="invalid_media")
    return {
        "id": media_id,
        "file_name": name,
        "file_type": file_type,
        "file_size": size,
        "preview_width": _dimension(value.get("previewWidth"), "previewWidth"),
        "preview_height": _dimension(value.get("previewHeight"), "previewHeight"),
    }


def _check_content(name: str, file_type: str, content: "File[bytes]") -> None:
    limit = upload_limit(name)
    if content.size is None or content.size > limit:
        raise TooLarge(f"File is larger than {limit} bytes", code="file_too_large")
    if content.size == 0:
        raise Invalid("File is empty", code="empty_file")
    if is_preview(name):
        if file_type != PREVIEW_TYPE:
            raise Invalid("A preview is a JPEG image named <name>-preview.jpeg", code="invalid_preview")
        content.seek(0)
        head = content.read(len(JPEG_MAGIC))
        content.seek(0)
        if head != JPEG_MAGIC:
            raise Invalid("A preview must be a JPEG image", code="invalid_preview")


@transaction.atomic
def file_upload(actor: User, *, name: str, file_type: str, content: "File[bytes]") -> StoredFile:
    """Store an upload as `<name>.<type>`; only its first uploader may replace it. Locks its row."""
    full_name = file_name(name, file_type)
    _check_content(name, file_type, content)
    stored = StoredFile.objects.select_for_update().filter(name=full_name).order_by("pk").first()
    if stored is not None and stored.owner_id != actor.pk:
        raise Forbidden("This file name belongs to someone else", code="file_not_yours")
    if stored is None:
        stored = StoredFile(owner=actor, name=full_name)
    elif stored.storage_name:
        default_storage.delete(stored.storage_name)
    stored.storage_name = default_storage.save(STORAGE_PREFIX + full_name, content)
    stored.content_type = mimetypes.guess_type(full_name)[0] or "application/octet-stream"
    stored.size = content.size
    stored.uploaded_at = timezone.now()
    stored.save()
    return stored


def file_get(actor: User, *, name: object, file_type: object) -> StoredFile:
    """The uploaded file `<name>.<type>` if the actor may see it, or NotFound.

    A file (or its preview) is seen by whoever uploaded it, by those who see a message it is
    attached to, and by the participants of a chat it pictures: a name alone opens nothing."""
    full_name = file_name(name, file_type)
    stored = StoredFile.objects.filter(name=full_name, uploaded_at__isnull=False).order_by("pk").first()
    if stored is None or not stored.storage_name or not _sees_media(actor, stored, str(name)):
        raise NotFound("File not found", code="file_not_found")
    return stored


def _sees_media(actor: User, stored: StoredFile, name: str) -> bool:
    if stored.owner_id == actor.pk:
        return True
    media_id = name.removesuffix(PREVIEW_SUFFIX) if is_preview(name) else name
    # The lists' JSON text narrows the rows; the ids decide.
    needle = f'"id": "{media_id}"'  # as both databases write it (an id needs no escaping)
    pictured = conversations_of(actor).filter(images__icontains=needle).values_list("images", flat=True)
    return _lists_hold(_messages_holding(actor, media_id, needle), media_id) or _lists_hold(
        pictured[:CANDIDATES_MAX], media_id
    )


def _messages_holding(actor: User, media_id: str, needle: str) -> Iterable[list[Any]]:
    """The attachment lists of messages the actor sees that may hold the media: on PostgreSQL those
    containing it (`_holding_sql`); SQLite, which has no JSON containment, narrows by the lists'
    text."""
    if connection.vendor == "postgresql":
        media = orjson.dumps([{"id": media_id}]).decode()
        with executed(_holding_sql(), [media, actor.pk, actor.pk, CANDIDATES_MAX]) as cursor:
            return [orjson.loads(text) for (text,) in cursor.fetchall()]  # Django's connection reads JSON as text
    visible = visible_messages(actor).filter(attachments__icontains=needle)
    return visible.values_list("attachments", flat=True)[:CANDIDATES_MAX]


@cache
def _holding_sql() -> str:
    """PostgreSQL: the attachment lists that contain a media (the first parameter, as JSON) of the
    messages a user (the next two) sees, at most a number (the last). The messages holding it are
    found first, through the index on messages with attachments (messaging migration 0008), and
    then judged: left to the planner, which takes a conversation to hold a hundred messages, the
    statement read every message of the user's conversations instead."""
    join, condition = visible_messages_sql("m", "p")
    return (
        f"WITH holding AS MATERIALIZED (SELECT id, conversation_id, deleted_at, attachments"
        f" FROM {Message._meta.db_table} WHERE attachments @> %s::jsonb AND NOT attachments = '[]'::jsonb)"
        f" SELECT m.attachments FROM holding m {join} WHERE {condition} LIMIT %s"
    )


def _lists_hold(media_lists: Iterable[list[Any]], media_id: str) -> bool:
    return any(isinstance(media, dict) and media.get("id") == media_id for items in media_lists for media in items)


def file_open(stored: StoredFile) -> "File[bytes]":
    """The stored bytes, opened for reading (NotFound if the storage lost them)."""
    try:
        return default_storage.open(stored.storage_name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise NotFound("File not found", code="file_not_found") from error


def media_files_delete(media: dict[str, Any]) -> None:
    """Delete a media's file and preview once the transaction commits (a rollback keeps them)."""
    media_id, file_type = media.get("id"), media.get("file_type")
    if not isinstance(media_id, str) or not isinstance(file_type, str):
        return
    names = [f"{media_id}.{file_type}", f"{media_id}{PREVIEW_SUFFIX}.{PREVIEW_TYPE}"]
    rows = list(StoredFile.objects.filter(name__in=names))
    StoredFile.objects.filter(pk__in=[r.pk for r in rows]).delete()
    keys = [r.storage_name for r in rows if r.storage_name]

    def delete_keys() -> None:
        for key in keys:
            default_storage.delete(key)

    transaction.on_commit(delete_keys)
