"""SAMA's password reset by a one-time code: `user_send_otp` and `user_reset_password`, both
anonymous; the rules live in `accounts.password_reset`.

`organization_id` (this server has one organization) and `device_id` (a reset ends every session
of the account, not only one device's) are accepted and not used."""

from accounts import password_reset
from protocols.sama.args import params
from realtime.adapter import call


class SamaPasswordResetMixin:
    """Request handlers for resetting a forgotten password."""

    client_address: str

    async def user_send_otp(self, p: object) -> dict:
        # The original answers 422 "We couldn't find the specified user." for an unknown e-mail;
        # this server answers success whatever the e-mail, so the request cannot tell who has an
        # account here (the code goes only to the account's own mailbox either way).
        email = params(p, "user_send_otp").get("email")
        await call(password_reset.password_reset_code_send, email=email, address=self.client_address)
        return {"success": True}

    async def user_reset_password(self, p: object) -> dict:
        fields = params(p, "user_reset_password")
        await call(
            password_reset.password_reset_with_code,
            email=fields.get("email"),
            token=fields.get("token"),
            new_password=fields.get("new_password"),
            address=self.client_address,
        )
        return {"success": True}
