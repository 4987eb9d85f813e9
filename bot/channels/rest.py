"""Rasa's REST channel, refusing the requests it would fail on, at the same address
(/webhooks/rest/webhook).

Rasa 3.6.21's RestInput hands the request's JSON on unchecked: a body that is not a JSON object
is a 500; a sender the tracker store cannot write (a lone surrogate on SQLite, a NUL on
PostgreSQL) makes its SQLTrackerStore call sys.exit and stops the whole server; no sender at all
puts the message in one conversation shared by everyone ("default"); `?stream=true` never ends
when handling fails; and a 100 KB message holds the event loop for seconds while everyone else
waits. Here those get a 400, or for an over-long message the polite bilingual "too long" reply
the other channels give, before Rasa sees them (tests/test_fuzz_endpoints.py).
"""

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.notices import TOO_LONG

MAX_SENDER_CHARS = 255


def writable(text: str) -> bool:
    """Text every tracker store can keep: encodable as UTF-8, without NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def problem_with(body: Any) -> Optional[str]:
    """What is wrong with a REST request's body, in a sentence; None if nothing."""
    if not isinstance(body, dict):
        return "the body must be a JSON object with `sender` and `message`"
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS \
            or not writable(sender):
        return f"`sender` must be a text of 1 to {MAX_SENDER_CHARS} characters"
    if not isinstance(message, str):
        return "`message` must be a text"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "`metadata` must be a JSON object"
    if body.get("input_channel") is not None and not isinstance(body["input_channel"], str):
        return "`input_channel` must be a text"
    return None


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(int((credentials or {}).get("max_message_chars", 1000)))

    def __init__(self, max_message_chars: int = 1000) -> None:
        self.max_message_chars = max_message_chars

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        rest = super().blueprint(on_new_message)

        @rest.middleware("request")
        async def check(request: Request):
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            if request.args.get("stream"):
                return response.json({"error": "streamed answers are not offered"}, status=400)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 — Sanic's own parse error; any is "not JSON"
                body = None
            problem = problem_with(body)
            if problem:
                return response.json({"error": problem}, status=400)
            if len(body["message"]) > self.max_message_chars:
                return response.json([{"recipient_id": body["sender"], "text": TOO_LONG}])
            return None

        return rest
