"""The websocket of a proposal's live debate (`/ws/proposals/<id>/`).

Thin: the transport (`realtime.consumers.StreamConsumer`) follows the stream
of the proposal's page; this consumer says who may follow it, and turns the
debate's frames (post, edit, flag, moderation) into calls of its services.
The JSON protocol is described in docs/realtime.md.
"""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from debates import selectors, services
from kernel.errors import DomainError
from kernel.ids import as_id
from realtime.consumers import StreamConsumer, Welcome

ACTIONS = {
    "post": services.post_argument,
    "edit": services.edit_argument,
    "flag": services.flag_argument,
    "hide": services.hide_argument,
    "request_review": services.request_review,
    "restore": services.restore_argument,
    "confirm": services.confirm_hiding,
}


class DebateConsumer(StreamConsumer):
    def join(self, *, person, channel_name: str) -> Welcome:
        self.proposal_id = int(self.scope["url_route"]["kwargs"]["proposal_id"])
        return services.join_debate(
            person=person, proposal_id=self.proposal_id, channel_name=channel_name
        )

    async def act(self, kind: str, message: dict, ref) -> None:
        service = ACTIONS.get(kind)
        if service is None:
            await super().act(kind, message, ref)
            return
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            await self.error(
                "not_authenticated", _("Log in as a member to take part in the debate."), ref
            )
            return
        if kind == "post":
            kwargs = {
                "proposal_id": self.proposal_id,
                "body": message.get("body"),
                "stance": message.get("stance") or "",
                "parent_id": message.get("parent"),
            }
        else:
            kwargs = {"argument_id": message.get("argument")}
            if kind == "edit":
                kwargs["body"] = message.get("body")
            else:
                kwargs["reason"] = message.get("reason") or ""
            if not isinstance(kwargs["argument_id"], int) or as_id(kwargs["argument_id"]) is None:
                await self.error("invalid_frame", _("Name the message by its number."), ref)
                return
            if not await self._in_this_debate(kwargs["argument_id"]):
                await self.error("not_found", _("There is no such message in this debate."), ref)
                return
        try:
            done = await self.call(service, actor=user, **kwargs)
        except DomainError as error:
            await self.error(error.code, error.message, ref)
            return
        argument = done.argument_id if kind == "flag" else done.pk
        await self.send(
            text_data=json.dumps({"type": "ack", "ref": ref, "action": kind, "argument": argument})
        )

    @database_sync_to_async
    def _in_this_debate(self, argument_id: int) -> bool:
        argument = selectors.argument(argument_id)
        return argument is not None and argument.proposal_id == self.proposal_id
