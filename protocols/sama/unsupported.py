"""SAMA requests its newer clients send that this server does not offer: answered with a clear 501
in SAMA's shape, so a client can tell them from a failure."""

from config.errors import NotSupported


class SamaUnsupportedMixin:
    """The AI requests of SAMA's SDK (a summary of a conversation, a message rewritten in a tone)."""

    async def message_summary(self, p: object) -> dict:
        raise NotSupported("message_summary is not supported by this server")

    async def message_tone(self, p: object) -> dict:
        raise NotSupported("message_tone is not supported by this server")
