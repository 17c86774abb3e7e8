"""Users, their device sessions, phone verification, password reset codes, contacts, blocks and push subscriptions."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class CaseInsensitiveUserManager(UserManager["User"]):
    """Looks logins up case-insensitively, so "Alice" and "alice" are one account."""

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(username__lower_exact=username)


class User(AbstractUser):
    """A person. `username` is the login every protocol authenticates with. `phone` is the profile
    phone as the user gave it; `country_code` and `phone_number` the phone verified by Hooligram
    sign-in; `phone_e164` the number contacts find them by (`accounts/phones.py: user_phone_e164`),
    kept in step by every write of the other three."""

    phone = models.CharField(max_length=32, blank=True, db_index=True)
    country_code = models.CharField(max_length=4, blank=True)
    phone_number = models.CharField(max_length=20, blank=True)
    phone_e164 = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    about = models.TextField(blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects: ClassVar[CaseInsensitiveUserManager] = CaseInsensitiveUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_login_ci_unique"),
            models.UniqueConstraint(
                fields=["country_code", "phone_number"],
                condition=~models.Q(phone_number=""),
                name="accounts_user_verified_phone_unique",
            ),
        ]
        # NkCHAT user search filters and sorts on these (login and phone have their own indexes);
        # contacts match e-mail addresses case-insensitively.
        indexes = [
            models.Index(Lower("email"), name="accounts_user_email_ci"),
            models.Index(fields=["first_name"], name="nkchat_user_first_name"),
            models.Index(fields=["last_name"], name="nkchat_user_last_name"),
            models.Index(fields=["email"], name="nkchat_user_email"),
            models.Index(fields=["date_joined"], name="nkchat_user_date_joined"),
        ]

    @property
    def login(self) -> str:
        return self.username

    @property
    def sid(self) -> str:
        """The Hooligram address: "<country_code>.<phone_number>", or the login without a phone."""
        if self.phone_number:
            return f"{self.country_code}.{self.phone_number}"
        return self.username

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username


class DeviceSession(models.Model):
    """One signed-in device of a user; tokens name it, and logging out deletes it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_sessions")
    device_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    info = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "device_id"], name="accounts_devicesession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.device_id}"


class PhoneVerification(models.Model):
    """A one-time code sent to a phone number (Hooligram sign-in)."""

    country_code = models.CharField(max_length=4)
    phone_number = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["country_code", "phone_number", "-created_at"])]

    def __str__(self) -> str:
        return f"+{self.country_code} {self.phone_number}"


class PasswordResetCode(models.Model):
    """The one-time code mailed to a user to reset their password (SAMA's `user_send_otp`): at most
    one per user, kept as a keyed hash; using it, or its last wrong try, deletes it."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="password_reset_code")
    code_hash = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Password reset code of {self.user_id}"


class Contact(models.Model):
    """An address-book entry of a user (SAMA contacts). `email` and `phone` hold `{type, value}`
    entries as given; each phone entry also keeps `e164`, its number in E.164 read when it was
    written ("" if it did not read), which contacts are matched by."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    company = models.CharField(max_length=255, blank=True)
    email = models.JSONField(default=list, blank=True)
    phone = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or f"Contact #{self.pk}"


class UserBlock(models.Model):
    """`blocker` does not want to hear from `blocked`."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="accounts_userblock_unique")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class PushSubscription(models.Model):
    """Where to send a user's push notifications for one device."""

    PLATFORMS = [("web", "Web"), ("ios", "iOS"), ("android", "Android")]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="push_subscriptions")
    platform = models.CharField(max_length=16, choices=PLATFORMS)
    device_udid = models.CharField(max_length=255)
    device_token = models.TextField(blank=True)
    web_endpoint = models.TextField(blank=True)
    web_key_auth = models.CharField(max_length=255, blank=True)
    web_key_p256dh = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "device_udid"], name="accounts_pushsubscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.device_udid}"


class PushEvent(models.Model):
    """A push notification queued for some users; a worker sends it."""

    sender = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="push_events_sent")
    recipient_ids = models.JSONField(default=list)
    message = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Push #{self.pk}"


class PushDelivery(models.Model):
    """One push of an event to one subscription, retried with backoff until sent or given up."""

    event = models.ForeignKey(PushEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="deliveries")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="None once done.")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Push #{self.event_id} to {self.subscription_id}"
