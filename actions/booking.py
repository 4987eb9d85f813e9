"""The booking form: checks each answer, takes corrections, and stores the request for staff.

The patient is told their request is done only after it is stored; a failed store says so and
keeps their answers, so "book" again submits them without asking twice.
"""

import asyncio
import hashlib
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.database import engine, unreachable
from bot.handoff.outbox import queue_notifications
from bot.handoff.phone import normalise
from bot.handoff.store import BookingRequest, save

logger = logging.getLogger(__name__)

FORM = "booking_form"
FORM_SLOTS = ("patient_name", "phone", "best_time", "reason", "consent")
SMS_CHANNELS = ("twilio", "sms")
MAX_NAME_LENGTH = 80
MAX_FREE_TEXT = 300
# Waits between tries while the clinic database is unreachable: about 5 s in all, then the
# patient hears it was not saved (answers kept).
STORE_RETRY_DELAYS = (0.5, 1.5, 3.0)

_NAME_INTRO = re.compile(
    r"\b(?:my name is|my name's|i am|i'm|im|this is|call me|me llamo|mi nombre es|soy)\s+(.+)",
    re.IGNORECASE,
)
_CORRECTION = re.compile(
    r"\b(?:actually|sorry|wait|correction|en realidad|perdón|perdon|mejor|corrijo|me equivoqué|"
    r"me equivoque|no,)\b", re.IGNORECASE,
)
_NO_REASON = re.compile(
    r"^\s*(?:skip|no|none|nothing|n/a|na|nope|ninguno|ninguna|nada|no gracias|omitir|saltar)"
    r"[\s.!]*$", re.IGNORECASE,
)
_NAME_WORD = re.compile(r"\b(?:name|nombre)\b", re.IGNORECASE)
_NOT_A_NAME_INTENTS = ("affirm", "deny", "greet", "thanks", "goodbye")


def _text(tracker: Tracker) -> Text:
    return (tracker.latest_message.get("text") or "").strip()


def _intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _language_before_this_message(tracker: Tracker) -> Dict[Text, Any]:
    """The `language` slot as it was before the latest message, if that message changed it.

    A name or a phone number says nothing about the patient's language ("Rosa Martínez" reads as
    Spanish), so answers to those questions must not switch the conversation.
    """
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if last_user is None:
        return {}
    before = [e.get("value") for e in events[:last_user]
              if e.get("event") == "slot" and e.get("name") == "language"]
    if before and before[-1] and before[-1] != tracker.get_slot("language"):
        return {"language": before[-1]}
    return {}


def _sms_number(tracker: Tracker) -> Optional[Text]:
    """The sender's own number when the patient writes by SMS (the conversation id is it)."""
    if tracker.get_latest_input_channel() in SMS_CHANNELS:
        return normalise(tracker.sender_id)
    return None


class ValidateBookingForm(FormValidationAction):
    def name(self) -> Text:
        return f"validate_{FORM}"

    async def extract_patient_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        """"Actually my name is Ana" at any point of the form corrects the name."""
        match = _NAME_INTRO.search(_text(tracker))
        asked = tracker.get_slot("requested_slot") == "patient_name"
        if match and (asked or _corrects_the_name(tracker)):
            return {"patient_name": match.group(1)}
        return {}

    async def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        """A number with "actually …" corrects the phone; over SMS "yes" keeps the sender's."""
        requested = tracker.get_slot("requested_slot")
        if requested == "phone" and _intent(tracker) == "affirm" and _sms_number(tracker):
            return {"phone": _sms_number(tracker)}
        if requested != "phone" and _CORRECTION.search(_text(tracker)):
            number = normalise(_text(tracker))
            if number:
                return {"phone": number}
        return {}

    def validate_patient_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        name = _clean_name(str(value or ""))
        intro = _NAME_INTRO.search(_text(tracker))
        # A real name often gets a weak guess ("Carmen Ortiz": greet, 0.45): only a sure one
        # ("yes", "hi") is refused.
        sure = (tracker.latest_message.get("intent") or {}).get("confidence", 0) >= 0.8
        if not name or (_intent(tracker) in _NOT_A_NAME_INTENTS and sure and not intro):
            dispatcher.utter_message(response="utter_invalid_name")
            return {"patient_name": None}
        return {"patient_name": name, **_language_before_this_message(tracker)}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        number = normalise(str(value or ""))
        if not number and _corrects_the_name(tracker):
            return {"phone": None}  # "actually my name is …": ask for the number again, quietly
        if not number:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"phone": number, **_language_before_this_message(tracker)}

    def validate_best_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if _corrects_another_field(tracker):
            return {"best_time": None}
        if not text or len(text) > MAX_FREE_TEXT:
            dispatcher.utter_message(response="utter_invalid_best_time")
            return {"best_time": None}
        return {"best_time": text}

    def validate_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()[:MAX_FREE_TEXT]
        if _corrects_another_field(tracker):
            return {"reason": None}
        return {"reason": "-" if not text or _NO_REASON.match(text) else text}


def _corrects_the_name(tracker: Tracker) -> bool:
    """"Actually I'm Ana", "my name is Ana", "mi nombre es Ana" while another question is open."""
    text = _text(tracker)
    return bool(_NAME_INTRO.search(text) and (_CORRECTION.search(text) or _NAME_WORD.search(text)))


def _corrects_another_field(tracker: Tracker) -> bool:
    """"Actually my number is …" while another question is open corrects, it does not answer."""
    text = _text(tracker)
    return bool(_CORRECTION.search(text) and normalise(text)) or _corrects_the_name(tracker)


def _clean_name(text: str) -> str:
    match = _NAME_INTRO.search(text)
    name = (match.group(1) if match else text).strip(" .,!¡¿?\t\n")
    words = name.split()
    if not name or len(name) > MAX_NAME_LENGTH or len(words) > 6:
        return ""
    if not re.search(r"[^\W\d_]", name) or re.search(r"\d", name):
        return ""
    return name


class ActionAskPhone(Action):
    """Over SMS the number is known: confirm it instead of asking for it."""

    def name(self) -> Text:
        return "action_ask_phone"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = _sms_number(tracker)
        if number:
            dispatcher.utter_message(response="utter_confirm_sms_phone", sms_phone=number)
        else:
            dispatcher.utter_message(response="utter_ask_phone")
        return []


class ActionSubmitBooking(Action):
    """Stores the completed form, then tells the patient; on failure keeps their answers."""

    def name(self) -> Text:
        return "action_submit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(response="utter_booking_no_consent")
            return _clear_form()
        reason = tracker.get_slot("reason")
        request = BookingRequest(
            conversation_id=tracker.sender_id,
            submission_key="",
            name=tracker.get_slot("patient_name"),
            phone=tracker.get_slot("phone"),
            best_time=tracker.get_slot("best_time"),
            reason=None if reason in (None, "-") else reason,
            consent=True,
            language=tracker.get_slot("language"),
            channel=tracker.get_latest_input_channel(),
        )
        request.submission_key = _submission_key(request)
        try:
            stored = await _store(request)
        except Exception as error:  # noqa: BLE001 — the patient must hear it was not saved
            logger.error("Booking request not stored (%s); the patient was told to retry.",
                         type(error).__name__)
            dispatcher.utter_message(response="utter_booking_not_saved")
            return []
        logger.info("Booking request %s stored.", stored.id)
        dispatcher.utter_message(response="utter_booking_saved", patient_name=stored.name,
                                 phone=stored.phone)
        return _clear_form() + [SlotSet("booking_request_id", str(stored.id))]


async def _store(request: BookingRequest) -> BookingRequest:
    """Stores the request, waiting out a database that is briefly unreachable (a few seconds).
    Trying again is safe: the same submission finds the row it already made."""
    for delay in STORE_RETRY_DELAYS:
        try:
            return await asyncio.get_running_loop().run_in_executor(
                None, lambda: save(engine(), request, on_insert=queue_notifications))
        except Exception as error:  # noqa: BLE001 — only an unreachable database is retried
            if not unreachable(error):
                raise
            logger.warning("Clinic database unreachable (%s); trying again in %.1f s.",
                           type(error).__name__, delay)
            await asyncio.sleep(delay)
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: save(engine(), request, on_insert=queue_notifications))


def _submission_key(request: BookingRequest) -> Text:
    """Same conversation, same answers: the same request, however often it is submitted
    (a retried webhook, a timeout between Rasa and this server, a second "book")."""
    fields = [request.conversation_id, request.name, request.phone, request.best_time,
              request.reason or ""]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def _clear_form() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionClearBookingForm(Action):
    """After "never mind": forget the answers, so a later booking starts afresh."""

    def name(self) -> Text:
        return "action_clear_booking_form"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return _clear_form()
