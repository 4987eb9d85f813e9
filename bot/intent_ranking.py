"""Changing a parsed message's intent the way Rasa's classifiers set it (intent + ranking)."""

from typing import Any, Collection, Dict, Optional, Text, Union

from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


def intent_name(message: Message) -> Optional[Text]:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)


def set_intent(message: Message, name: Text, confidence: float) -> None:
    """Makes `name` the intent, first in the ranking; the others share what is left of 1.

    Left as they were, the others could tie with the new intent (a French FAQ question is
    `faq` at 1.0 for the classifier) and the FallbackClassifier would call it ambiguous.
    """
    for key, value in ranked_first(message, name, confidence).items():
        message.set(key, value, add_to_output=True)


def ranked_first(parsed: Union[Message, Dict[Text, Any]], name: Text,
                 confidence: float) -> Dict[Text, Any]:
    """The intent and ranking of `parsed` (a message, or its parse data) with `name` first and
    the others scaled to share what is left of 1."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    rest = 1.0 - confidence
    ranking = [{**i, PREDICTED_CONFIDENCE_KEY: i[PREDICTED_CONFIDENCE_KEY] * rest}
               for i in parsed.get(INTENT_RANKING_KEY) or [] if i[INTENT_NAME_KEY] != name]
    return {INTENT: intent, INTENT_RANKING_KEY: [intent] + ranking}


def drop_intents(message: Message, names: Collection[Text]) -> None:
    """The classifier's best other guess replaces `names`; later components judge its confidence."""
    ranking = [i for i in message.get(INTENT_RANKING_KEY, []) if i[INTENT_NAME_KEY] not in names]
    if ranking:
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
