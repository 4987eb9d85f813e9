"""A bare name or a clock time typed while the booking form asks for it is that answer.

The classifier knows nothing of the question just asked: "Jane Doe" got `faq` (what to expect) at
0.53 and "5pm" `request_booking` at 0.47, and neither intent is ever taken as a form answer
(domain.yml, `not_intent`), so the patient got an FAQ answer, or "Sorry, I lost the thread",
instead of the next question. When the form has just asked for the name (or the best time to
call), a message that looks like one and that the classifier is unsure of is labelled `inform`
instead. A sure FAQ guess ("side effects", "cost") is still answered, and safety intents are
never touched.
"""

import re
from typing import Any, Callable, Dict, FrozenSet, Optional, Text, Tuple

from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY

from bot.intent_ranking import ranked_first
from bot.language import CLOCK_TIME, strip_accents

FORM = "booking_form"
ANSWER_INTENT = "inform"
# At or above this the classifier is sure: a patient asking a question mid-form gets the answer.
SURE = 0.8
# One to four words of letters (hyphens and apostrophes inside), an optional full stop: no
# question mark, digit or symbol.
_NAME_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)*"
_BARE_NAME = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}\.?$")
# An hour after a word that makes it one ("at 5", "a las 5"), or written as a time ("5:30").
_HOUR = re.compile(r"\b(?:at|after|before|around|by|from|until|a las|a la|despues de las|"
                   r"antes de las|desde las|hasta las)\s+\d{1,2}\b|\b\d{1,2}:\d{2}\b")
_TIME_MAX_WORDS = 6


def looks_like_a_name(text: Text) -> bool:
    return bool(_BARE_NAME.match((text or "").strip()))


def looks_like_a_time(text: Text) -> bool:
    """A short message with a clock time in it: "5pm", "at 10 a.m. please", "a las 5"."""
    text = strip_accents((text or "").strip())
    return (len(text.split()) <= _TIME_MAX_WORDS
            and bool(CLOCK_TIME.search(text) or _HOUR.search(text)))


# The form's question → what an answer to it looks like, and the classifier's guesses it may
# overrule. Other intents either fill the slot already (a weak `greet` for "Carmen Ortiz") or
# must win (safety, cancel).
ANSWERS: Dict[Text, Tuple[Callable[[Text], bool], FrozenSet[Text]]] = {
    "patient_name": (looks_like_a_name, frozenset({"faq"})),
    "best_time": (looks_like_a_time, frozenset({"faq", "request_booking"})),
}


def asked_slot(tracker: Optional[DialogueStateTracker]) -> Optional[Text]:
    """The slot the booking form has just asked for, if it is active."""
    if tracker is None or tracker.active_loop_name != FORM:
        return None
    return tracker.get_slot("requested_slot")


def take_as_form_answer(parse_data: Dict[Text, Any],
                        tracker: Optional[DialogueStateTracker]) -> None:
    """Relabels `parse_data` (a parsed message) as `inform` if it answers the form's question."""
    answer = ANSWERS.get(asked_slot(tracker))
    if answer is None:
        return
    looks_like_the_answer, overruled = answer
    intent = parse_data.get(INTENT) or {}
    confidence = intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0
    if (intent.get(INTENT_NAME_KEY) in overruled and confidence < SURE
            and looks_like_the_answer(parse_data.get("text", ""))):
        parse_data.update(ranked_first(parse_data, ANSWER_INTENT, confidence))
