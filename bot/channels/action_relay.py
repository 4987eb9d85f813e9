"""Rasa's way to the action server, which answers the patient politely when it cannot be reached.

When Rasa 3.6 cannot reach the action server it logs the error, drops the action's events and
carries on: the patient gets no answer at all (in the booking form, not even the next question).
So Rasa calls its actions through this route on its own server (endpoints.yml's action_endpoint:
/webhooks/action_relay/webhook), which passes each call to the action server and its answer back
unchanged. If the action server is down, times out or fails (HTTP 5xx), the relay answers in its
place: "please try again in a few minutes, or call the clinic" (`utter_try_again_later`, in the
conversation's language); inside a form it forgets only the answer it could not check, so the
form asks for it again and the answers already checked are kept. A booking is
stored by the action server before the patient is told (actions/booking.py), so nothing the
patient saw confirmed is lost.

credentials.yml: `bot.channels.action_relay.ActionRelayInput` with `action_server_url_env`
(the variable naming the action server's webhook URL; `make run` sets it) and
`timeout_seconds`.
"""

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

logger = logging.getLogger(__name__)

DEFAULT_ACTION_SERVER_URL = "http://localhost:5055/webhook"
APOLOGY = "utter_try_again_later"
# Bookkeeping a patient never hears about: when they fail, the reply goes on without them.
SILENT_ACTIONS = frozenset({"action_note_unanswered", "action_record_safety_flag"})


def unavailable_reply(call: Dict[str, Any]) -> Dict[str, Any]:
    """What the action server would answer if it could say "try again later" itself.

    Inside a form the answer it could not check is forgotten, so the form asks for it again and
    the patient can simply retry; the answers checked before stay.
    """
    tracker = call.get("tracker") or {}
    events = []
    asked = (tracker.get("slots") or {}).get("requested_slot")
    if (tracker.get("active_loop") or {}).get("name") and asked:
        events.append({"event": "slot", "name": asked, "value": None})
    quiet = call.get("next_action") in SILENT_ACTIONS or _apologised_this_turn(tracker)
    return {"events": events, "responses": [] if quiet else [{"response": APOLOGY}]}


def _apologised_this_turn(tracker: Dict[str, Any]) -> bool:
    """A form asks through an action too: one failing turn gets one apology, not two."""
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and (event.get("metadata") or {}).get(
                "utter_action") == APOLOGY:
            return True
    return False


class ActionRelayInput(InputChannel):
    """Not a patient channel: a route on Rasa's own server between Rasa and its actions."""

    @classmethod
    def name(cls) -> Text:
        return "action_relay"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        variable = credentials.get("action_server_url_env", "ACTION_SERVER_URL")
        return cls(os.environ.get(variable) or DEFAULT_ACTION_SERVER_URL,
                   float(credentials.get("timeout_seconds", 30)))

    def __init__(self, action_server_url: str, timeout_seconds: float = 30) -> None:
        self.action_server_url = action_server_url
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        relay = Blueprint("action_relay", __name__)

        @relay.route("/webhook", methods=["POST"])
        async def run_action(request: Request):
            # Only Rasa calls this: never a request that came through the public proxy (nginx
            # also refuses the path), else anyone could run actions with a made-up conversation.
            if request.headers.get("x-forwarded-for") or request.headers.get("forwarded"):
                return response.json({"error": "not available"}, status=403)
            try:
                async with aiohttp.ClientSession(timeout=self.timeout) as session:
                    async with session.post(self.action_server_url, data=request.body,
                                            headers={"Content-Type": "application/json"}) as answer:
                        body = await answer.read()
                        if answer.status < 500:
                            return response.raw(body, status=answer.status,
                                                content_type="application/json")
                        problem = f"HTTP {answer.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                problem = type(error).__name__
            call = request.json if isinstance(request.json, dict) else {}
            # The action's name only: the call carries the whole conversation.
            logger.error("The action server failed to run %s (%s); the patient is asked to try "
                         "again later.", call.get("next_action"), problem)
            return response.json(unavailable_reply(call))

        return relay
