"""How the assistant's replies are rendered and measured for SMS: encoding, segments, numbered choices.

Carriers (and Twilio's bill) count segments, not characters. A message is sent as GSM-7 when every
character is in the GSM 03.38 alphabet, otherwise as UCS-2, and one accent outside that alphabet
(Spanish á í ó ú) more than halves what fits. Segments are counted as they are actually packed: a
character never straddles two parts of a concatenated message, so an extension character (2
septets) or an emoji (2 UTF-16 units) at a boundary moves to the next part.
"""

import re
from typing import Any, Dict, List, Optional

# The GSM 03.38 default alphabet without 0x1B, which is the escape into the extension table.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")  # each is sent as ESC + char: 2 septets

_SINGLE = {"gsm": 160, "ucs2": 70}
_PART = {"gsm": 153, "ucs2": 67}  # concatenated parts lose room to the header
ELLIPSIS = "..."  # not "…", which is outside GSM-7 and would force UCS-2

_CHOICE = re.compile(r"^\s*#?\s*(\d{1,3})\s*[.)]?\s*$")


def is_gsm7(text: str) -> bool:
    """Whether the whole text can be sent in the GSM-7 alphabet (basic or extension table)."""
    return all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text)


def septets(text: str) -> int:
    """GSM-7 length of text; extension characters count 2. Only meaningful when is_gsm7(text)."""
    return sum(_septet_widths(text))


def utf16_units(text: str) -> int:
    """UCS-2/UTF-16 length of text; characters outside the BMP (most emoji) count 2."""
    return sum(_utf16_widths(text))


def segments(text: str) -> int:
    """Number of SMS segments text is sent (and billed) as; empty text is 1."""
    if is_gsm7(text):
        return _packed(_septet_widths(text), "gsm")
    return _packed(_utf16_widths(text), "ucs2")


def numbered_choices(buttons: List[Dict[str, Any]]) -> str:
    """Buttons as a numbered list a patient can answer by number: "1) Tell me more" per line."""
    return "\n".join(f"{number}) {_title(button)}" for number, button in enumerate(buttons, 1))


def chosen_number(reply: str) -> Optional[int]:
    """The number a reply like "2", " 2. ", "2)" or "#2" is; None for anything else."""
    match = _CHOICE.match(reply)
    return int(match.group(1)) if match else None


def choice(reply: str, buttons: List[Dict[str, Any]]) -> Optional[str]:
    """Payload of the button a numbered reply picks; None for anything else."""
    number = chosen_number(reply)
    if number is None or not 1 <= number <= len(buttons):
        return None
    payload = buttons[number - 1].get("payload")
    return None if payload is None else str(payload)


def fit(text: str, max_segments: int = 3, suffix: str = "") -> str:
    """Text, cut at a word boundary with "..." if needed, so that it plus suffix fits in max_segments.

    The cut is measured with the suffix, so the encoding is that of what is actually sent (cutting
    off the only "á" can make the rest GSM-7 again). A single word too long for the budget is cut
    mid-word; if not even "..." fits beside the suffix, the result is "".
    """
    if segments(text + suffix) <= max_segments:
        return text
    for cuts in (_word_cuts(text), range(len(text), 0, -1)):
        best = _longest_fitting(text, list(cuts), max_segments, suffix)
        if best is not None:
            return best
    return ""


def render(text: str, buttons: List[Dict[str, Any]], max_segments: int = 3) -> str:
    """The whole SMS body: the fitted text, then the numbered choices, within max_segments.

    The choices are dropped only when they would not fit on their own; otherwise the text gives
    way to them, since they are how the conversation goes on.
    """
    choices = numbered_choices(buttons)
    if not choices or segments(choices) > max_segments:
        return fit(text, max_segments)
    body = fit(text, max_segments, "\n" + choices)
    return f"{body}\n{choices}" if body else choices


def _septet_widths(text: str) -> List[int]:
    return [2 if char in _GSM_EXTENSION else 1 for char in text]


def _utf16_widths(text: str) -> List[int]:
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _packed(widths: List[int], encoding: str) -> int:
    if sum(widths) <= _SINGLE[encoding]:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > _PART[encoding]:
            parts, used = parts + 1, 0
        used += width
    return parts


def _title(button: Dict[str, Any]) -> str:
    # A title with line breaks would break the one-choice-per-line list.
    return " ".join(str(button.get("title", "")).split())


def _word_cuts(text: str) -> List[int]:
    return sorted({match.start() for match in re.finditer(r"\s", text)}, reverse=True)


def _cut(text: str, at: int) -> str:
    # Trailing punctuation before the dots reads as a typo ("dosis,...").
    kept = text[:at].rstrip().rstrip(",;:.").rstrip()
    return kept + ELLIPSIS if kept else ""


def _longest_fitting(text: str, cuts: List[int], budget: int, suffix: str) -> Optional[str]:
    """The longest cut (cuts are in descending order) that fits; segments only grow with length."""
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        candidate = _cut(text, cuts[middle])
        if not candidate:  # only blanks and punctuation before it, as before every shorter cut
            high = middle - 1
        elif segments(candidate + suffix) <= budget:
            best, high = candidate, middle - 1
        else:
            low = middle + 1
    return best
