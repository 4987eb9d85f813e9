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

Rasa's own calls to the relay do not go out over HTTP and back into the same server: the
running relay is called directly (`EndpointConfig.request`, patched when the relay starts), with
the same answers and errors as over HTTP. Under load the trip through the server's own busy
event loop made every custom action's turn several times slower than an FAQ answer.

credentials.yml: `bot.channels.action_relay.ActionRelayInput` with `action_server_url_env`
(the variable naming the action server's webhook URL; `make run` sets it) and
`timeout_seconds`.
"""

import asyncio
import json
import logging
import os
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple
from urllib.parse import urlparse

import aiohttp
import ujson
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

logger = logging.getLogger(__name__)

DEFAULT_ACTION_SERVER_URL = "http://localhost:5055/webhook"
RELAY_PATH = "/webhooks/action_relay/webhook"
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
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

    async def relay(self, body: bytes) -> Tuple[int, bytes]:
        """The action server's answer to the call `body` (status, JSON), or, when it fails,
        the answer it would give if it could say "try again later" itself."""
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session:
                async with session.post(self.action_server_url, data=body,
                                        headers={"Content-Type": "application/json"}) as answer:
                    answered = await answer.read()
                    if answer.status < 500:
                        return answer.status, answered
                    problem = f"HTTP {answer.status}"
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            problem = type(error).__name__
        call = _parsed(body)
        # The action's name only: the call carries the whole conversation.
        logger.error("The action server failed to run %s (%s); the patient is asked to try "
                     "again later.", call.get("next_action"), problem)
        return 200, json.dumps(unavailable_reply(call)).encode()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        relay = Blueprint("action_relay", __name__)
        _call_in_process(self)

        @relay.route("/webhook", methods=["POST"])
        async def run_action(request: Request):
            # Only Rasa calls this: never a request that came through the public proxy (nginx
            # also refuses the path), else anyone could run actions with a made-up conversation.
            if request.headers.get("x-forwarded-for") or request.headers.get("forwarded"):
                return response.json({"error": "not available"}, status=403)
            status, body = await self.relay(request.body)
            return response.raw(body, status=status, content_type="application/json")

        return relay


def call_as_json(call: Dict[str, Any]) -> str:
    """The action call as JSON, by ujson: three times faster than `json` on the 100 KB that Rasa
    sends for a 25-message conversation (every event with its parse data), the same data."""
    return ujson.dumps(call, escape_forward_slashes=False)


def _parsed(body: bytes) -> Dict[str, Any]:
    try:
        call = json.loads(body)
    except ValueError:
        return {}
    return call if isinstance(call, dict) else {}


_running_relay: Dict[str, ActionRelayInput] = {}


def _call_in_process(relay: ActionRelayInput) -> None:
    """Rasa's requests to a relay on this machine are answered by `relay` without HTTP, as
    `EndpointConfig.request` answers over HTTP: the JSON answer, or ClientResponseError."""
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    _running_relay["relay"] = relay
    if getattr(EndpointConfig.request, "in_process", False):
        return
    over_http = EndpointConfig.request

    async def request(self: EndpointConfig, method: Text = "post", subpath: Optional[Text] = None,
                      content_type: Optional[Text] = "application/json", compress: bool = False,
                      **kwargs: Any) -> Optional[Any]:
        url = urlparse(self.url or "")
        if (method.lower() != "post" or subpath or "json" not in kwargs
                or url.hostname not in _LOOPBACK or url.path.rstrip("/") != RELAY_PATH):
            return await over_http(self, method, subpath, content_type, compress, **kwargs)
        status, body = await _running_relay["relay"].relay(call_as_json(kwargs["json"]).encode())
        if status >= 400:
            reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            raise ClientResponseError(status, reason, body)
        return json.loads(body)

    request.in_process = True
    EndpointConfig.request = request
