"""Patients texting the clinic's number: Twilio's messaging webhook at /webhooks/sms/webhook.

Rasa's own `twilio` connector checks no signature, fails on picture-only messages, blocks the
event loop while sending and sends every button as its own SMS. This channel:
- processes only requests signed with the account's auth token (`X-Twilio-Signature`, checked
  against `public_url` when the server sits behind a proxy, else the URL the request came to);
  without TWILIO_AUTH_TOKEN the webhook is not opened at all;
- answers in the webhook's own TwiML response; a reply that takes longer than Twilio waits goes
  out later through Twilio's REST API (bot/channels/twilio_api.py);
- renders buttons as one numbered list and reads a reply "2" as the second button
  (bot/channels/sms_text.py), every message within `max_segments` SMS segments;
- honours STOP/START/HELP and their Spanish forms (bot/channels/sms_keywords.py): an opted-out
  number gets no reply at all, and the opt-out is stored (bot/channels/sms_opt_out.py);
- limits each number to `rate_limit_messages` per `rate_limit_seconds`.
The sender's number is the conversation id; it is never logged.
"""

import asyncio
import logging
import os
import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels import sms_opt_out, sms_text
from bot.channels.chat_history import SHOWN_AS
from bot.channels.notices import TEXT_ONLY, TOO_LONG
from bot.channels.rate_limit import RateLimit
from bot.channels.sms_keywords import keyword
from bot.channels.twilio_api import TWILIO_API, TwilioAccount, send_sms
from bot.database import engine

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024  # Twilio's forms are a few KB; anything bigger is not Twilio
# What XML 1.0 cannot hold: one such character in a reply (a patient's name with a control
# character, echoed in the booking confirmation) would make Twilio reject the whole TwiML answer.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TUNABLE = ("reply_timeout_seconds", "max_segments", "max_body_chars", "rate_limit_messages",
            "rate_limit_seconds")


@dataclass(frozen=True)
class SmsSettings:
    auth_token: str
    account_sid: str = ""
    public_url: str = ""
    api_base: str = TWILIO_API
    reply_timeout_seconds: float = 10.0  # Twilio gives a webhook 15 s
    max_segments: int = 3
    max_body_chars: int = 1600  # Twilio's own limit for one message
    rate_limit_messages: int = 10
    rate_limit_seconds: float = 60.0


class SmsOutput(CollectingOutputChannel):
    @classmethod
    def name(cls) -> Text:
        return SmsInput.name()


class SmsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Secrets from the environment variables credentials.yml names, the rest from there."""
        credentials = dict(credentials or {})

        def secret(key: str, variable: str) -> str:
            return os.environ.get(credentials.pop(f"{key}_env", variable), "")

        settings = SmsSettings(
            auth_token=secret("auth_token", "TWILIO_AUTH_TOKEN"),
            account_sid=secret("account_sid", "TWILIO_ACCOUNT_SID"),
            public_url=os.environ.get("SMS_PUBLIC_URL") or credentials.get("public_url") or "",
            api_base=os.environ.get("TWILIO_API_BASE", TWILIO_API),
            **{key: type(getattr(SmsSettings, key))(credentials[key])
               for key in _TUNABLE if credentials.get(key) is not None},
        )
        return cls(settings)

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self.rate_limit = RateLimit(settings.rate_limit_messages, settings.rate_limit_seconds)
        self.account = (TwilioAccount(settings.account_sid, settings.auth_token, settings.api_base)
                        if settings.account_sid else None)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms = Blueprint("sms_webhook", __name__)
        token = self.settings.auth_token

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if token else "disabled"})

        if not token:
            logger.warning("The SMS channel is closed: TWILIO_AUTH_TOKEN is not set, and an "
                           "unsigned webhook would let anyone send messages as any number.")
            return sms

        validator = RequestValidator(token)

        @sms.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_REQUEST_BYTES:
                return response.text("Request too large.", status=413)
            if not request.content_type.startswith("application/x-www-form-urlencoded"):
                return response.text("Expected a Twilio form post.", status=415)
            try:
                form = _twilio_form(request.body)
            except (UnicodeDecodeError, ValueError):
                return response.text("Unreadable form.", status=400)
            url = self.settings.public_url or request.url
            signature = request.headers.get("X-Twilio-Signature", "")
            if not signature or not validator.validate(url, form, signature):
                logger.warning("SMS webhook request with a missing or wrong signature refused.")
                return response.text("Invalid signature.", status=403)
            phone = form.get("From") or ""
            if not phone.strip():
                return response.text("No sender number.", status=400)
            replies = await self._answer(request, on_new_message, phone,
                                         form.get("Body") or "", form.get("To") or "",
                                         _count(form.get("NumMedia")))
            return twiml(replies)

        return sms

    async def _answer(self, request: Request, on_new_message, phone: str, body: str,
                      clinic_number: str, media: int) -> List[str]:
        """The SMS bodies to answer with (none: say nothing at all)."""
        database = engine()
        said = keyword(body)
        if said and said.kind == "opt_in":
            await _blocking(sms_opt_out.opt_in, database, phone)
            return [said.reply]
        if await _blocking(sms_opt_out.is_opted_out, database, phone):
            return []
        if said and said.kind == "opt_out":
            await _blocking(sms_opt_out.opt_out, database, phone)
            return [said.reply]
        if not self.rate_limit.allow(phone):
            logger.warning("SMS rate limit reached for a number; its message was dropped.")
            return []
        if said:
            return [said.reply]
        if not body.strip() and media:
            return [TEXT_ONLY]
        if len(body) > self.settings.max_body_chars:
            return [TOO_LONG]
        text, metadata = await self._with_choice(request, phone, body)
        output = SmsOutput()
        handling = asyncio.ensure_future(on_new_message(UserMessage(
            text, output, phone, input_channel=self.name(), metadata=metadata)))
        try:
            await asyncio.wait_for(asyncio.shield(handling), self.settings.reply_timeout_seconds)
        except asyncio.TimeoutError:
            handling.add_done_callback(
                lambda _: asyncio.ensure_future(self._send_late(output, phone, clinic_number)))
            return []
        return self._render(output)

    async def _with_choice(self, request: Request, phone: str, body: str):
        """A reply "2" to a numbered list stands for the second button's payload."""
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None or sms_text.chosen_number(body) is None:
            return body, None
        tracker = await agent.tracker_store.retrieve(phone)
        buttons = _last_buttons(tracker.events) if tracker else []
        payload = sms_text.choice(body, buttons)
        if payload is None:
            return body, None
        title = next(b.get("title") for b in buttons if b.get("payload") == payload)
        return payload, {SHOWN_AS: f"{body.strip()} ({title})"}

    def _render(self, output: SmsOutput) -> List[str]:
        return [sms_text.render(m.get("text") or "", m.get("buttons") or [],
                                self.settings.max_segments)
                for m in output.messages if m.get("text") or m.get("buttons")]

    async def _send_late(self, output: SmsOutput, phone: str, clinic_number: str) -> None:
        replies = self._render(output)
        if not replies:
            return
        if self.account is None or not clinic_number:
            logger.error("%d late SMS replies were not sent: TWILIO_ACCOUNT_SID is not set.",
                         len(replies))
            return
        for reply in replies:
            if not await send_sms(self.account, phone, clinic_number, reply):
                logger.error("A late SMS reply could not be delivered after retries.")


def twiml(replies: List[str]) -> HTTPResponse:
    messages = "".join(f"<Message>{escape(_NOT_XML.sub('', reply))}</Message>"
                       for reply in replies)
    return response.text(f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>',
                         content_type="text/xml; charset=utf-8")


def _twilio_form(body: bytes) -> RequestParameters:
    """The posted fields, empty ones kept: Twilio signs "Body=" of a picture-only message too."""
    return RequestParameters(parse_qs(body.decode("utf-8"), keep_blank_values=True))


def _last_buttons(events) -> List[Dict[str, Any]]:
    """The buttons of the assistant's latest turn (the last of its messages that had some)."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return event.data["buttons"]
    return []


def _count(value: Optional[str]) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


async def _blocking(function, *args):
    return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args))
