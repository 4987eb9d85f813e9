"""Looks up what the domain says a response is in a given language, for asserting replies."""

from typing import Any, Dict, List


def variation(responses: Dict[str, List[Dict[str, Any]]], name: str, language: str) -> Dict:
    """The variation of response `name` for `language` ("es" is conditioned, "en" the default)."""
    for candidate in responses[name]:
        conditions = candidate.get("condition") or []
        spanish = any(c.get("name") == "language" and c.get("value") == "es" for c in conditions)
        if spanish == (language == "es"):
            return candidate
    raise KeyError(f"{name} has no {language} variation")


def text(responses, name: str, language: str) -> str:
    return variation(responses, name, language)["text"]
