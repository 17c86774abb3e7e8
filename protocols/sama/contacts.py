"""SAMA's address book: `contact_add`, `contacts` (batch add), `contact_update`, `contact_list`,
`contact_delete`."""

from typing import Any

from accounts import contacts
from protocols.sama import render
from protocols.sama.args import limit, ms_bounds, params
from realtime.adapter import call, to_id, to_ids


def render_contact(view: contacts.ContactView) -> dict[str, Any]:
    """A contact as SAMA answers it; matched user ids are strings like every SAMA id."""

    def entries(items: list[dict]) -> list[dict]:
        return [{**e, "matched_user_id": str(e["matched_user_id"])} if e.get("matched_user_id") else e for e in items]

    c = view.contact
    return {
        "_id": str(c.pk),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "company": c.company,
        "email": entries(view.email),
        "phone": entries(view.phone),
        "created_at": render.iso(c.created_at.timestamp()),
        "updated_at": render.iso(c.updated_at.timestamp()),
    }


class SamaContactsMixin:
    """Request handlers for the address book; the rules live in `accounts.contacts`."""

    user: Any

    async def contact_add(self, p: object) -> dict:
        view = await call(contacts.contact_add, self.user, data=params(p, "contact_add"))
        return {"contact": render_contact(view)}

    async def contacts_batch_add(self, p: object) -> dict:
        """`{contacts: [...]}` as the document shows it, or `{contact_batch_add: {contacts}}`."""
        items = p.get("contacts") if isinstance(p, dict) else p
        views = await call(contacts.contacts_add, self.user, items=items)
        return {"contacts": [render_contact(v) for v in views]}

    async def contact_update(self, p: object) -> dict:
        data = dict(params(p, "contact_update"))
        contact_id = to_id(data.pop("id", None))
        view = await call(contacts.contact_update, self.user, contact_id=contact_id, data=data)
        return {"contact": render_contact(view)}

    async def contact_list(self, p: object) -> dict:
        q = params(p, "contact_list")
        after, before = ms_bounds(q.get("updated_at"), "updated_at")
        ids = to_ids(q["ids"], "ids", limit=contacts.IDS_MAX) if q.get("ids") is not None else None
        views = await call(
            contacts.contact_list,
            self.user,
            updated_after=after,
            updated_before=before,
            limit=limit(q.get("limit")),
            ids=ids,
        )
        return {"contacts": [render_contact(v) for v in views]}

    async def contact_delete(self, p: object) -> dict:
        await call(contacts.contact_delete, self.user, contact_id=to_id(params(p, "contact_delete").get("id")))
        return {"success": True}
