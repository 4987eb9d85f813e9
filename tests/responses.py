"""Looks up what the domain says a response is in a given language, and what the assistant replied."""

from typing import Any, Dict, List, Optional


def variation(responses: Dict[str, List[Dict[str, Any]]], name: str, language: str,
              channel: Optional[str] = None) -> Dict:
    """The variation of response `name` for `language` ("es" is conditioned, "en" the default)
    written for `channel` (None: every channel's)."""
    for candidate in responses[name]:
        conditions = candidate.get("condition") or []
        spanish = any(c.get("name") == "language" and c.get("value") == "es" for c in conditions)
        if spanish == (language == "es") and candidate.get("channel") == channel:
            return candidate
    raise KeyError(f"{name} has no {language} variation for channel {channel}")


def text(responses, name: str, language: str) -> str:
    return variation(responses, name, language)["text"]


def talk(agent, run, sender: str, message: str) -> List[str]:
    """The texts the in-process assistant replies to `message` in conversation `sender`."""
    replies = run(agent.handle_text(message, sender_id=sender))
    return [r.get("text") for r in replies]
