"""The website chat widget's channel: socket.io with session persistence, history, the widget files.

Rasa's own `socketio` channel accepts any origin, crashes on malformed events, splits answers into
one message per paragraph and cannot tell a reloaded page what was said. This one:
- accepts connections only from the pages allowed to embed the chat (`allowed_origins`, or
  `WEB_ALLOWED_ORIGINS`, comma-separated);
- keys each conversation by a random session id the page keeps (localStorage), so a reload
  resumes it; `session_request` answers with `session_confirm`, the session's history
  (`session_history`) and its language;
- sends every response as one `bot_uttered` message (`text`, optional `quick_replies`) and, after
  each patient message, the conversation's language (`session_language`) for the widget's toggle;
- serves the widget itself at /webhooks/web/widget.js and widget.css, so one script tag embeds it.
The widget speaks socket.io over a WebSocket only (no long-polling), which needs no CORS and no
sticky sessions behind a proxy.
"""

import logging
import os
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.chat_history import SHOWN_AS, chat_history
from bot.channels.notices import TOO_LONG

logger = logging.getLogger(__name__)

WIDGET_FOLDER = Path(__file__).resolve().parent.parent / "widget"
WIDGET_FILES = {"widget.js": "application/javascript", "widget.css": "text/css"}
ORIGINS_VARIABLE = "WEB_ALLOWED_ORIGINS"
MAX_SHOWN_AS_CHARS = 200
_SESSION_ID = re.compile(r"[0-9a-f]{32}")


class _ClosedWebSocketNoise(logging.Filter):
    """Drops the ERROR Sanic logs, with a traceback, each time a chat WebSocket closes.

    python-engineio's Sanic driver returns no response when a WebSocket ends, which Sanic 21 reports
    as "Invalid response type None"; nothing failed, and the noise would hide real errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (error is not None and "Invalid response type None" in str(error)
                    and "/socket.io/" in record.getMessage())


logging.getLogger("sanic.error").addFilter(_ClosedWebSocketNoise())


class WebChatOutput(SocketIOOutput):
    """One socket.io message per response, paragraphs kept together as the history shows them."""

    @classmethod
    def name(cls) -> Text:
        return WebChatInput.name()

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        quick_replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]}
                         for b in buttons]
        await self._send_message(recipient_id, {"text": text, "quick_replies": quick_replies})


class _AppAwareBlueprint(SocketBlueprint):
    """Remembers the Rasa app it joins: the socket.io handlers read trackers through its agent."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        self.ctx.app = app
        super().register(app, options)


class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        origins = os.environ.get(ORIGINS_VARIABLE)
        return cls(
            allowed_origins=(origins.split(",") if origins
                             else credentials.get("allowed_origins") or []),
            max_message_chars=int(credentials.get("max_message_chars", 1000)),
            history_limit=int(credentials.get("history_limit", 200)),
        )

    def __init__(self, allowed_origins: List[str], max_message_chars: int = 1000,
                 history_limit: int = 200) -> None:
        self.allowed_origins = [o.strip().rstrip("/") for o in allowed_origins if o.strip()]
        if not self.allowed_origins:
            raise ValueError(
                "The web chat channel needs the origins of the pages that embed it: set "
                f"`allowed_origins` under bot.channels.web.WebChatInput in credentials.yml, or "
                f"{ORIGINS_VARIABLE}=https://clinic.example,http://localhost:8080."
            )
        self.max_message_chars = max_message_chars
        self.history_limit = history_limit
        self.sio: Optional[AsyncServer] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WebChatOutput(self.sio, "bot_uttered") if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.allowed_origins)
        self.sio = sio
        web = _AppAwareBlueprint(sio, "/socket.io", "web_chat", __name__)

        @web.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @web.route("/<name:str>", methods=["GET"])
        async def widget_file(_: Request, name: str) -> HTTPResponse:
            if name not in WIDGET_FILES:
                return response.json({"error": "not found"}, status=404)
            return await response.file(WIDGET_FOLDER / name, mime_type=WIDGET_FILES[name],
                                       headers={"Cache-Control": "no-cache"})

        async def tracker_of(session_id: str):
            agent = getattr(web.ctx.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return None
            return await agent.tracker_store.retrieve(session_id)

        async def send_language(tracker, room: str) -> None:
            language = tracker.get_slot("language") if tracker else None
            await sio.emit("session_language", {"language": language}, room=room)

        # Both handlers take and ignore extra arguments: a client may emit an event with
        # several, and python-socketio passes them all.
        @sio.on("session_request")
        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
                session_id = uuid.uuid4().hex
            await sio.save_session(sid, {"session_id": session_id})
            sio.enter_room(sid, session_id)  # python-socketio < 5.10: not a coroutine
            await sio.emit("session_confirm", session_id, room=sid)
            tracker = await tracker_of(session_id)
            # The language first: the widget greets in it when the history turns out empty.
            await send_language(tracker, sid)
            history = chat_history(tracker.events, self.history_limit) if tracker else []
            await sio.emit("session_history", {"messages": history}, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: Text, data: Any = None, *_: Any) -> None:
            session_id = (await sio.get_session(sid)).get("session_id")
            text = data.get("message") if isinstance(data, dict) else None
            if session_id is None or not isinstance(text, str):
                logger.debug("Web chat event without a session or a text message ignored.")
                return
            output = WebChatOutput(sio, "bot_uttered")
            if len(text) > self.max_message_chars:
                await output.send_text_message(session_id, TOO_LONG)
            else:
                shown_as = data.get(SHOWN_AS)
                metadata = ({SHOWN_AS: shown_as[:MAX_SHOWN_AS_CHARS]}
                            if isinstance(shown_as, str) and shown_as else None)
                try:
                    await on_new_message(UserMessage(text, output, session_id,
                                                     input_channel=self.name(), metadata=metadata))
                except Exception as error:  # noqa: BLE001 — the turn must still end, below
                    logger.error("A web chat message could not be handled (%s).",
                                 type(error).__name__)
                    logger.debug("Web chat message handling failed.", exc_info=True)
            # Also tells the widget that the turn has ended.
            await send_language(await tracker_of(session_id), session_id)

        return web
