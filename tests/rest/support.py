"""REST test helpers: a JSON API client signed in through the service layer, and the error shape."""

import base64

from rest_framework.test import APIClient

from tests.helpers import PASSWORD, access_token_for


class Api(APIClient):
    """A JSON client; `as_user` signs it in with a fresh device session's Bearer token."""

    default_format = "json"

    def as_user(self, user, device_id: str = "rest-device") -> "Api":
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user, device_id)}")
        self.user = user
        return self

    def as_basic(self, login: str, password: str = PASSWORD) -> "Api":
        token = base64.b64encode(f"{login}:{password}".encode()).decode()
        self.credentials(HTTP_AUTHORIZATION=f"Basic {token}")
        return self

    def group_create(self, *others, title: str = "G") -> int:
        """A group chat of the signed-in user with `others`, created over REST: its id."""
        body = {"title": title, "participants": [u.pk for u in others], "isPersonal": False}
        return self._created(self.post("/chats", body))

    def personal_create(self, other) -> int:
        """The personal chat of the signed-in user with `other`, created over REST: its id."""
        return self._created(self.post("/chats", {"participants": [other.pk]}))

    @staticmethod
    def _created(response) -> int:
        assert response.status_code == 200, (response.status_code, response.content)
        return response.json()["id"]


def assert_error(response, status: int, reason: str | None = None) -> None:
    """The documented error shape `{"error": true, "reason": "..."}` with this status."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error", "reason"} and body["error"] is True and isinstance(body["reason"], str), body
    if reason is not None:
        assert reason in body["reason"], body


USER_INFO_KEYS = {"id", "name", "username", "about", "lastSeen", "photos"}
MEDIA_INFO_KEYS = {"id", "fileType", "fileSize", "previewWidth", "previewHeight", "createdAt"}
MESSAGE_INFO_KEYS = {
    "id",
    "localId",
    "chatId",
    "authorId",
    "text",
    "createdAt",
    "updatedAt",
    "editedAt",
    "deletedAt",
    "isVisible",
    "attachments",
    "readMarks",
    # beyond the Chats REST document: replies, forwards, reactions
    "repliedMessageId",
    "forwardedMessageId",
    "reactions",
}
CHAT_INFO_KEYS = {
    "id",
    "title",
    "isPersonal",
    "owner",
    "allUsers",
    "addedUsers",
    "removedUsers",
    "lastMessage",
    "images",
    "isMuted",
    "isArchived",
    "isBlocked",
}
