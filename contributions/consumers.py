"""The websocket of the live marketplace (`/ws/contributions/marketplace/`).

Thin: the transport (`realtime.consumers.StreamConsumer`) follows the
marketplace's stream (new needs and standing offers, needs that changed);
anyone may follow it, as anyone may read the page. A member may also offer
help from the page: the frame `{"type": "offer", "need": ID, "message": …}`
calls the same service as the form, and a refusal comes back as an error
frame with its code. The JSON protocol is described in docs/realtime.md.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from contributions import services
from contributions.broadcasts import marketplace_key
from kernel.errors import DomainError
from kernel.ids import as_id
from realtime import services as transport
from realtime.consumers import StreamConsumer, Welcome


def join_marketplace(*, person, channel_name: str) -> Welcome:
    return Welcome(
        joined=transport.join_stream(
            key=marketplace_key(), person=person, channel_name=channel_name
        )
    )


class MarketplaceConsumer(StreamConsumer):
    def join(self, *, person, channel_name: str) -> Welcome:
        return join_marketplace(person=person, channel_name=channel_name)

    async def act(self, kind: str, message: dict, ref) -> None:
        if kind != "offer":
            await super().act(kind, message, ref)
            return
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            await self.error("not_authenticated", _("Log in as a member to offer help."), ref)
            return
        need = message.get("need")
        if not isinstance(need, int) or as_id(need) is None:
            await self.error("invalid_frame", _("Name the need by its number."), ref)
            return
        text = message.get("message", "")
        try:
            offer = await self.call(
                services.offer_help, actor=user, need_id=need, message=text if text else ""
            )
        except DomainError as error:
            await self.error(error.code, error.message, ref)
            return
        await self.send(
            text_data=json.dumps({"type": "ack", "ref": ref, "action": kind, "offer": offer.pk})
        )
