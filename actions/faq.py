"""FAQ follow-ups: "tell me more" continues with the topic of the last FAQ answer."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

FAQ_INTENT = "faq"


def last_faq_topic(tracker: Tracker) -> Optional[Text]:
    """The topic ("side_effects") of the latest FAQ question, or None if none was asked."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        parse_data = event.get("parse_data") or {}
        selected = parse_data.get("response_selector", {}).get(FAQ_INTENT, {})
        key = selected.get("response", {}).get("intent_response_key")
        if parse_data.get("intent", {}).get("name") == FAQ_INTENT and key:
            return key.split("/", 1)[1]
    return None


class ActionTellMeMore(Action):
    """Utters `utter_more_<topic>` for the last FAQ topic, or asks which topic."""

    def name(self) -> Text:
        return "action_tell_me_more"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        topic = last_faq_topic(tracker)
        more = f"utter_more_{topic}" if topic else None
        # Rasa renders the response, so the `language` slot still picks its variation.
        dispatcher.utter_message(response=more if more in domain["responses"] else "utter_ask_topic")
        return []
