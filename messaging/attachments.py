"""Message attachments: files declared first, then uploaded to a signed, expiring URL and read
back through signed, expiring download URLs.

Local storage (Django's default storage under MEDIA_ROOT) is served by this server's
`/attachments/<token>` view; an S3-compatible default storage (django-storages) gets presigned
URLs from the store itself. A file's public id carries a MAC, so ids cannot be guessed."""

import fnmatch
import hmac
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any, Protocol, TypeGuard, TypeVar

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import get_valid_filename

from accounts.models import User
from config.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from config.id_lists import ids_within
from messaging.models import StoredFile

FILES_MAX = 10
URLS_MAX = 50
NAME_MAX = 255
_UPLOAD_SALT = "messaging.attachments.upload"
_DOWNLOAD_SALT = "messaging.attachments.download"
_ID_SALT = "messaging.attachments.id"
_CHUNK = 64 * 1024
_INLINE_TYPES = ("image/", "video/", "audio/")

T = TypeVar("T")


class S3Storage(Protocol):
    """What this module uses of django-storages' S3 storage (which ships no type information)."""

    bucket_name: str
    connection: Any  # a boto3 S3 service resource

    def url(self, name: str, parameters: dict[str, Any] | None = None, expire: int | None = None) -> str: ...


class Readable(Protocol):
    """Where uploaded bytes are read from: a file, or the request itself."""

    def read(self, size: int, /) -> bytes: ...


def _setting(name: str, default: T) -> T:
    value: T = getattr(settings, name, default)
    return value


def max_bytes() -> int:
    return int(_setting("ATTACHMENT_MAX_BYTES", 100 * 1024 * 1024))


def _content_type_allowed(content_type: str) -> bool:
    patterns = _setting("ATTACHMENT_CONTENT_TYPES", ["*/*"])
    return any(fnmatch.fnmatchcase(content_type, pattern.lower()) for pattern in patterns)


def _is_s3(storage: Storage) -> TypeGuard[S3Storage]:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


# --- ids and tokens ----------------------------------------------------------------------------


def public_id(stored: StoredFile) -> str:
    """The file's id on the wire: "<pk>-<mac>", which only this server can make."""
    return f"{stored.pk}-{salted_hmac(_ID_SALT, str(stored.pk)).hexdigest()[:24]}"


def _pk_from_public_id(file_id: str) -> int | None:
    pk, _, mac = file_id.partition("-")
    if not pk.isdigit() or len(pk) > 18 or not mac:
        return None
    expected = salted_hmac(_ID_SALT, pk).hexdigest()[:24]
    return int(pk) if hmac.compare_digest(expected, mac) else None


def file_access(actor: User, file_id: object) -> StoredFile:
    """The file a wire id names: anyone may use a public id; a bare database id only its owner."""
    if isinstance(file_id, int) and not isinstance(file_id, bool):
        file_id = str(file_id)
    if not isinstance(file_id, str) or not file_id:
        raise Invalid("file ids must be strings", code="invalid_file_id")
    pk = _pk_from_public_id(file_id)
    rows = StoredFile.objects.all()
    if pk is None:
        if not file_id.isdigit() or len(file_id) > 18:
            raise NotFound("File not found", code="file_not_found")
        pk, rows = int(file_id), rows.filter(owner=actor)
    stored = rows.filter(pk=pk).first()
    if stored is None:
        raise NotFound("File not found", code="file_not_found")
    return stored


def _token(stored: StoredFile, salt: str) -> str:
    return signing.dumps(stored.pk, salt=salt, compress=False)


def _from_token(token: str, salt: str, ttl: int) -> StoredFile:
    try:
        pk = signing.loads(token, salt=salt, max_age=ttl)
    except signing.SignatureExpired as error:
        raise Forbidden("This URL has expired", code="url_expired") from error
    except signing.BadSignature as error:
        raise NotFound("File not found", code="file_not_found") from error
    stored = StoredFile.objects.filter(pk=pk).first()
    if stored is None:
        raise NotFound("File not found", code="file_not_found")
    return stored


def upload_ttl() -> int:
    return int(_setting("ATTACHMENT_UPLOAD_URL_TTL", 3600))


def download_ttl() -> int:
    return int(_setting("ATTACHMENT_DOWNLOAD_URL_TTL", 3600))


def base_url(host: str | None = None, *, secure: bool = False) -> str:
    """Where this server is reached: PUBLIC_BASE_URL, else the request's host, else "" (relative)."""
    configured = _setting("PUBLIC_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    return f"{'https' if secure else 'http'}://{host}" if host else ""


def upload_url(stored: StoredFile, base: str) -> str:
    """A signed, expiring URL the client PUTs the file's bytes to."""
    if _is_s3(default_storage):
        client = default_storage.connection.meta.client
        params = {"Bucket": default_storage.bucket_name, "Key": stored.storage_name}
        params["ContentType"] = stored.content_type
        url: str = client.generate_presigned_url("put_object", Params=params, ExpiresIn=upload_ttl())
        return url
    return base + reverse("attachment", args=[_token(stored, _UPLOAD_SALT)])


def download_url(stored: StoredFile, base: str) -> str:
    """A signed, expiring URL the file's bytes are read from."""
    if _is_s3(default_storage):
        return default_storage.url(stored.storage_name, expire=download_ttl())
    return base + reverse("attachment", args=[_token(stored, _DOWNLOAD_SALT)])


# --- services ----------------------------------------------------------------------------------


def _clean_file(item: object, index: int) -> StoredFile:
    if not isinstance(item, dict):
        raise Invalid(f"files[{index}] must be an object with name, size and content_type", code="invalid_file")
    name, size, content_type = item.get("name"), item.get("size"), item.get("content_type")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        raise Invalid(f"files[{index}].name must be 1 to {NAME_MAX} characters", code="invalid_file")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise Invalid(f"files[{index}].size must be a positive number of bytes", code="invalid_file")
    if size > max_bytes():
        raise TooLarge(f"files[{index}] is larger than the limit of {max_bytes()} bytes", code="file_too_large")
    if not isinstance(content_type, str) or "/" not in content_type or len(content_type) > 255:
        raise Invalid(f"files[{index}].content_type must be a MIME type", code="invalid_file")
    content_type = content_type.split(";")[0].strip().lower()
    if not _content_type_allowed(content_type):
        raise Invalid(f"files[{index}]: content type {content_type} is not allowed", code="content_type_not_allowed")
    try:
        safe = get_valid_filename(PurePath(name).name)[:100] or "file"
    except SuspiciousFileOperation:  # nothing of the name can stand in a path ("😀", "..")
        safe = "file"
    return StoredFile(
        name=name.strip(),
        size=size,
        content_type=content_type,
        storage_name=f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{safe}",
    )


@transaction.atomic
def files_create(owner: User, *, files: object) -> list[StoredFile]:
    """Declare files to upload (name, size, content_type); answers them, not yet uploaded."""
    if not isinstance(files, list) or not files or len(files) > FILES_MAX:
        raise Invalid(f"files must be a list of 1 to {FILES_MAX} files", code="invalid_files")
    rows = [_clean_file(item, i) for i, item in enumerate(files)]
    for row in rows:
        row.owner = owner
    return StoredFile.objects.bulk_create(rows)


def file_download_urls(actor: User, *, file_ids: Iterable[object], base: str) -> dict[str, str]:
    """Signed download URLs keyed by the ids asked for; NotFound names the first unknown id."""
    file_ids = list(file_ids)
    ids_within(len(file_ids), limit=URLS_MAX, field="file_ids", required=True)
    return {str(file_id): download_url(file_access(actor, file_id), base) for file_id in file_ids}


def file_for_upload(token: str) -> StoredFile:
    return _from_token(token, _UPLOAD_SALT, upload_ttl())


def file_for_download(token: str) -> StoredFile:
    """The uploaded file a download token names."""
    stored = _from_token(token, _DOWNLOAD_SALT, download_ttl())
    if stored.uploaded_at is None:
        raise NotFound("File is not uploaded yet", code="file_not_uploaded")
    return stored


def file_content_store(
    stored: StoredFile, *, stream: Readable, content_type: str, content_length: int | None
) -> StoredFile:
    """Store the bytes of a declared file, once: they must match its size and content type."""
    declared = stored.content_type
    if (content_type or "").split(";")[0].strip().lower() != declared:
        raise Invalid(f"Content-Type must be {declared}", code="content_type_mismatch")
    if content_length is not None and content_length > stored.size:
        raise TooLarge(f"The file is larger than the declared {stored.size} bytes", code="file_too_large")
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as buffer:
        received = 0
        while chunk := stream.read(_CHUNK):
            received += len(chunk)
            if received > stored.size:
                raise TooLarge(f"The file is larger than the declared {stored.size} bytes", code="file_too_large")
            buffer.write(chunk)
        if received != stored.size:
            raise Invalid(f"Received {received} bytes, {stored.size} declared", code="size_mismatch")
        buffer.seek(0)
        with transaction.atomic():
            locked = StoredFile.objects.select_for_update().get(pk=stored.pk)
            if locked.uploaded_at is not None:
                raise Conflict("The file is already uploaded", code="already_uploaded")
            locked.storage_name = default_storage.save(locked.storage_name, File(buffer, name=locked.name))
            locked.uploaded_at = timezone.now()
            locked.save(update_fields=["storage_name", "uploaded_at"])
    return locked


def is_inline(stored: StoredFile) -> bool:
    """Media a browser may show in place; anything else downloads as an attachment."""
    return stored.content_type.startswith(_INLINE_TYPES)


def public_download_url(file_id: str) -> str | None:
    """A download URL for a public file id (for push notifications), or None for an unknown id."""
    pk = _pk_from_public_id(file_id)
    stored = StoredFile.objects.filter(pk=pk).first() if pk is not None else None
    return download_url(stored, base_url()) if stored is not None else None
