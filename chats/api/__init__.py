"""The Chats REST API: `/users`, `/chats`, `/files`, as DRF viewsets over the service layer."""
