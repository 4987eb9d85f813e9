"""Fallback follow-up: counts a message the assistant did not understand, for staff to train on."""

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.database import engine
from bot.unanswered import record

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"


class ActionNoteUnanswered(Action):
    """Records the latest message (scrubbed, without who sent it); says nothing to the patient.

    It runs before the fallback reply (data/rules/fallback.yml), so a database failure is only
    logged: the patient's reply must not depend on it.
    """

    def name(self) -> Text:
        return "action_note_unanswered"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        # Only misunderstandings: out-of-scope and safety messages were understood.
        if (message.get("intent") or {}).get("name") != FALLBACK_INTENT:
            return []
        text = (message.get("text") or "").strip()
        if not text:
            return []
        # The slot is the message's language when decided, else the conversation's.
        language = tracker.get_slot("language") or message.get("language")
        try:
            counted = await asyncio.get_running_loop().run_in_executor(
                None, lambda: record(engine(), text, language)
            )
        except Exception as error:  # noqa: BLE001 — the patient's reply does not depend on it
            # Only the error's type: database errors quote their parameters (the message).
            logger.warning("Could not count an unanswered question (%s).", type(error).__name__)
            return []
        logger.debug("Unanswered question %s (language %s).",
                     "counted" if counted else "skipped, nothing left after scrubbing", language)
        return []
