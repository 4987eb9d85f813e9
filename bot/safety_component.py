"""Rasa NLU graph component that has the last word on crisis, emergency and medical-advice intents.

It runs after the FallbackClassifier, so nothing downstream can undo it:
- a safety pattern (`bot.safety`) sets its intent with confidence 1.0, whatever the classifier said;
- a classifier's crisis or emergency guess too weak for the fallback still counts (a missed crisis
  costs far more than a warm reply to someone who was not in one);
- a classifier's safety guess on a figure of speech ("dying to know the price") gives way to its
  next guess, and so does an emergency guess that names no sign of a body in trouble.
The parse result carries `safety`: the safety intent, if any, and what decided it.
"""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.intent_ranking import drop_intents, intent_name, set_intent
from bot.safety import MEDICAL_EMERGENCY, SAFETY_INTENTS, URGENT_INTENTS, SafetyPatterns

logger = logging.getLogger(__name__)

SAFETY_KEY = "safety"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyComponent(GraphComponent):
    """Patterns first, then the classifier's urgent guesses, figures of speech excluded."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # A crisis or emergency guess at least this confident is acted on even when the
            # FallbackClassifier found the message too unclear to answer.
            "urgent_min_confidence": 0.2,
            # The FallbackClassifier's threshold (keep them equal): the guess that replaces a
            # dropped safety intent comes after the fallback's judgement, so it is judged here.
            "fallback_threshold": 0.4,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._urgent_min_confidence = config["urgent_min_confidence"]
        self._fallback_threshold = config["fallback_threshold"]
        self._patterns = SafetyPatterns()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyComponent":
        if not 0.0 <= config["urgent_min_confidence"] <= 1.0:
            raise ValueError(
                "SafetyComponent: 'urgent_min_confidence' must be between 0 and 1, e.g. 0.2."
            )
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        reading = self._patterns.read(message.get(TEXT) or "")
        verdict = reading.verdict
        if verdict.intent:
            logger.debug("Safety pattern: %s.", verdict.rule)
            set_intent(message, verdict.intent, 1.0)
            _mark(message, verdict.intent, "pattern")
            return
        guess = _top_guess(message)
        if not guess or guess[INTENT_NAME_KEY] not in SAFETY_INTENTS:
            return
        if reading.idiom:
            logger.debug("Safety guess %s dropped: figure of speech.", guess[INTENT_NAME_KEY])
            self._drop(message, SAFETY_INTENTS)
        elif guess[INTENT_NAME_KEY] == MEDICAL_EMERGENCY and not reading.emergency_sign:
            logger.debug("Emergency guess dropped: no sign of a body in trouble.")
            self._drop(message, [MEDICAL_EMERGENCY])
        elif intent_name(message) == guess[INTENT_NAME_KEY]:
            _mark(message, guess[INTENT_NAME_KEY], "classifier")
        elif (
            guess[INTENT_NAME_KEY] in URGENT_INTENTS
            and guess[PREDICTED_CONFIDENCE_KEY] >= self._urgent_min_confidence
        ):
            set_intent(message, guess[INTENT_NAME_KEY], guess[PREDICTED_CONFIDENCE_KEY])
            _mark(message, guess[INTENT_NAME_KEY], "classifier")

    def _drop(self, message: Message, intents) -> None:
        """The next guess replaces `intents`, or "not understood" when it is too weak.

        ("212 555 0123" in the booking form: a weak emergency guess, then a weaker FAQ one.)
        """
        drop_intents(message, intents)
        confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 0.0)
        if intent_name(message) != DEFAULT_NLU_FALLBACK_INTENT_NAME and (
            confidence < self._fallback_threshold
        ):
            set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME, self._fallback_threshold)


def _top_guess(message: Message) -> Optional[Dict[Text, Any]]:
    """The classifier's best guess, looking past the FallbackClassifier's verdict."""
    ranking = [
        i for i in message.get(INTENT_RANKING_KEY) or []
        if i[INTENT_NAME_KEY] != DEFAULT_NLU_FALLBACK_INTENT_NAME
    ]
    return ranking[0] if ranking else None


def _mark(message: Message, intent: Text, source: Text) -> None:
    message.set(SAFETY_KEY, {"intent": intent, "source": source}, add_to_output=True)
