"""SAMA's attachments: `create_files` answers signed upload URLs, `get_file_urls` download URLs."""

from typing import Any

from config.errors import Invalid
from messaging import attachments
from protocols.sama.args import params
from realtime.adapter import call


class SamaFilesMixin:
    """File requests; the rules (sizes, content types, who may read) live in `messaging.attachments`."""

    user: Any
    connection: Any

    def _base_url(self) -> str:
        scope = self.connection.scope
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1") or None
        return attachments.base_url(host, secure=scope.get("scheme") in ("wss", "https"))

    async def create_files(self, p: object) -> dict:
        files = p.get("files") if isinstance(p, dict) else p
        created = await call(attachments.files_create, self.user, files=files)
        base = self._base_url()
        urls = await call(lambda: [attachments.upload_url(f, base) for f in created])
        return {
            "files": [
                {
                    "_id": attachments.public_id(f),
                    # the id clients put in attachments' file_id and ask get_file_urls for
                    "object_id": attachments.public_id(f),
                    "name": f.name,
                    "size": f.size,
                    "content_type": f.content_type,
                    "upload_url": url,
                }
                for f, url in zip(created, urls, strict=True)
            ]
        }

    async def get_file_urls(self, p: object) -> dict:
        ids = params(p, "get_file_urls").get("file_ids")
        if not isinstance(ids, list):
            raise Invalid("file_ids must be a list")
        urls = await call(attachments.file_download_urls, self.user, file_ids=ids, base=self._base_url())
        return {"file_urls": urls}
