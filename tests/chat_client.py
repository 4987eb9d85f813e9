"""A socket.io client speaking to the web chat channel as the widget does (WebSocket only)."""

import asyncio
from typing import Any, List, Optional, Tuple

import socketio

PAGE_ORIGIN = "http://localhost:8080"  # the demo page's origin, which the channel accepts by default


class ChatClient:
    """One page's connection; every event the server sends is queued in arrival order."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: "asyncio.Queue[Tuple[str, Any]]" = asyncio.Queue()
        self.client.on("*", self._received)

    async def _received(self, name: str, data: Any = None) -> None:
        await self.events.put((name, data))

    async def connect(self, server: str, origin: str = PAGE_ORIGIN) -> None:
        await self.client.connect(server, headers={"Origin": origin}, transports=["websocket"],
                                  socketio_path="socket.io", wait_timeout=10)

    async def open_session(self, session_id: Optional[str] = None) -> Tuple[str, List[dict], Any]:
        """(confirmed session id, history, language) for a `session_request`."""
        await self.client.emit("session_request", {"session_id": session_id})
        confirmed = await self.next("session_confirm")
        language = (await self.next("session_language"))["language"]
        history = (await self.next("session_history"))["messages"]
        return confirmed, history, language

    async def say(self, message: Any, **extra: Any) -> Tuple[List[dict], Any]:
        """(the assistant's messages, the conversation's language) for one patient message."""
        await self.client.emit("user_uttered", {"message": message, **extra})
        replies = []
        while True:
            name, data = await self._next_event()
            if name == "session_language":
                return replies, data["language"]
            if name == "bot_uttered":
                replies.append(data)

    async def next(self, wanted: str, timeout: float = 30) -> Any:
        while True:
            name, data = await self._next_event(timeout)
            if name == wanted:
                return data

    async def _next_event(self, timeout: float = 60) -> Tuple[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def close(self) -> None:
        await self.client.disconnect()
