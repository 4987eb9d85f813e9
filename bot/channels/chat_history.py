"""The current session of a conversation as the web chat shows it after a page reload."""

from typing import Any, Dict, Iterable, List, Optional

from rasa.shared.core.events import BotUttered, Event, SessionStarted, UserUttered

SHOWN_AS = "shown_as"  # metadata key: what the widget displayed for a message it sent


def chat_history(events: Iterable[Event], limit: int = 200) -> List[Dict[str, Any]]:
    """Patient and assistant messages since the session started, oldest first, at most `limit`.

    A patient message is shown as the widget showed it when it was sent (`shown_as` in its
    metadata: a button's title, "Talk to staff"); other `/intent` payloads (the widget's hidden
    greeting and language switch) are left out, as they were never shown.
    """
    messages: List[Dict[str, Any]] = []
    for event in events:
        if isinstance(event, SessionStarted):
            messages = []
        elif isinstance(event, BotUttered) and event.text:
            buttons = _buttons(event.data.get("buttons"))
            messages.append({"sender": "assistant", "text": event.text, "buttons": buttons})
        elif isinstance(event, UserUttered) and event.text is not None:
            shown = _as_shown(event.text, event.metadata or {})
            if shown is not None:
                messages.append({"sender": "patient", "text": shown, "buttons": []})
    return messages[-limit:]


def _as_shown(text: str, metadata: Dict[str, Any]) -> Optional[str]:
    shown_as = metadata.get(SHOWN_AS)
    if isinstance(shown_as, str) and shown_as:
        return shown_as
    return None if text.startswith("/") else text


def _buttons(raw: Any) -> List[Dict[str, str]]:
    return [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in raw or []
        if isinstance(button, dict)
    ]
