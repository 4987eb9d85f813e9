"""A bare name typed while the booking form asks for the patient's name is that answer.

The classifier knows nothing of the question just asked: "Jane Doe" got `faq` (what to expect) at
0.53, and an FAQ message is never taken as a form answer (domain.yml, `not_intent`), so the
patient got an FAQ answer and the name question again. When the form has just asked for the name,
a message that looks like one and that the classifier is unsure of is labelled `inform` instead.
A sure FAQ guess ("side effects", "cost") is still answered, and safety intents are never touched.
"""

import re
from typing import Any, Dict, Optional, Text

from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY

from bot.intent_ranking import ranked_first

FORM = "booking_form"
NAME_SLOT = "patient_name"
ANSWER_INTENT = "inform"
# Guesses an answer to the name question may overrule: FAQ topics only. Other intents either
# fill the slot already (a weak `greet` for "Carmen Ortiz") or must win (safety, cancel).
OVERRULED_INTENTS = frozenset({"faq"})
# At or above this the classifier is sure: a patient asking a question mid-form gets the answer.
SURE = 0.8
# One to four words of letters (hyphens and apostrophes inside), an optional full stop: no
# question mark, digit or symbol.
_NAME_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)*"
_BARE_NAME = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}\.?$")


def looks_like_a_name(text: Text) -> bool:
    return bool(_BARE_NAME.match((text or "").strip()))


def asks_for_the_name(tracker: Optional[DialogueStateTracker]) -> bool:
    return (tracker is not None and tracker.active_loop_name == FORM
            and tracker.get_slot("requested_slot") == NAME_SLOT)


def take_as_form_answer(parse_data: Dict[Text, Any],
                        tracker: Optional[DialogueStateTracker]) -> None:
    """Relabels `parse_data` (a parsed message) as `inform` if it answers the name question."""
    intent = parse_data.get(INTENT) or {}
    confidence = intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0
    if (intent.get(INTENT_NAME_KEY) in OVERRULED_INTENTS and confidence < SURE
            and asks_for_the_name(tracker) and looks_like_a_name(parse_data.get("text", ""))):
        parse_data.update(ranked_first(parse_data, ANSWER_INTENT, confidence))
