"""Safety follow-up: records a crisis or emergency flag where staff tools read it."""

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.database import engine
from bot.safety_flags import KINDS, record_flag

logger = logging.getLogger(__name__)


class ActionRecordSafetyFlag(Action):
    """Stores the flag for the latest message's safety intent; says nothing to the patient.

    The reply has already gone out (bot/safety_policy.py sends it first), so a database
    failure is logged, without the conversation id, and does not reach the patient.
    """

    def name(self) -> Text:
        return "action_record_safety_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kind = (tracker.latest_message.get("intent") or {}).get("name")
        if kind not in KINDS:
            return []
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: record_flag(
                    engine(), tracker.sender_id, kind,
                    language=tracker.get_slot("language"),
                    channel=tracker.get_latest_input_channel(),
                )
            )
        except Exception as error:  # noqa: BLE001 — the patient already has the reply
            # Only the error's type: database errors quote their parameters (the sender id).
            logger.error(
                "Could not store a %s flag (%s); the tracker still holds it.",
                kind, type(error).__name__,
            )
        return []
