"""The booking form end to end: a running assistant (action server + `rasa run`), real SQLite.

One assistant for the module; each test is its own conversation."""

import asyncio
import threading
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ActionAskPhone, ActionSubmitBooking, ValidateBookingForm, _clean_name
from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.handoff import store
from bot.safety_flags import flagged_conversations
from tests.assistant import TOKEN, running_assistant
from tests.responses import text
from tests.services import require
from tests.tcp_switch import TcpSwitch


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    running = running_assistant(trained_model, tmp_path_factory.mktemp("booking"))
    yield running
    running.stop()


def _engine(assistant):
    return engine_for(assistant.environ[DATABASE_URL_VARIABLE])


def _requests_of(assistant, sender):
    return [r for r in store.newest_first(_engine(assistant)) if r.conversation_id == sender]


def test_a_spanish_booking_is_stored_then_confirmed(assistant, responses):
    sender = str(uuid.uuid4())
    say = lambda message: assistant.say(sender, message)  # noqa: E731
    assert say("quiero agendar una cita") == [
        text(responses, "utter_ask_patient_name", "es"), text(responses, "utter_disclaimer", "es")]
    assert say("Me llamo Ana López") == [text(responses, "utter_ask_phone", "es")]
    assert say("mi número es (212) 555-0123") == [text(responses, "utter_ask_best_time", "es")]
    assert say("por las tardes") == [text(responses, "utter_ask_reason", "es")]
    assert say("omitir") == [text(responses, "utter_ask_consent", "es")]
    [confirmation] = say("sí")
    assert "Ana López" in confirmation and "+12125550123" in confirmation
    [stored] = _requests_of(assistant, sender)
    assert (stored.name, stored.phone, stored.best_time, stored.reason, stored.language,
            stored.status, stored.channel) == (
        "Ana López", "+12125550123", "por las tardes", None, "es", "new", "rest")


def test_a_bad_number_an_faq_and_a_correction_along_the_way(assistant, responses):
    sender = str(uuid.uuid4())
    say = lambda message: assistant.say(sender, message)  # noqa: E731
    say("I'd like to book an appointment")
    assert say("Bob Smith") == [text(responses, "utter_ask_phone", "en")]
    assert say("12345") == [text(responses, "utter_invalid_phone", "en"),
                            text(responses, "utter_ask_phone", "en")]
    assert say("how much does it cost?") == [text(responses, "utter_faq/cost", "en"),
                                             text(responses, "utter_ask_phone", "en")]
    assert say("212 555 0123") == [text(responses, "utter_ask_best_time", "en")]
    assert say("actually my number is 415-555-2671") == [text(responses, "utter_ask_best_time", "en")]
    say("weekday mornings")
    say("Cost and insurance")
    say("yes")
    [stored] = _requests_of(assistant, sender)
    assert (stored.name, stored.phone, stored.reason) == ("Bob Smith", "+14155552671",
                                                          "Cost and insurance")


def test_a_spanish_sounding_name_does_not_switch_an_english_conversation(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "I want to book a consultation")
    assert assistant.say(sender, "Rosa Martínez") == [text(responses, "utter_ask_phone", "en")]
    assert assistant.say(sender, "(212) 555-0123") == [text(responses, "utter_ask_best_time", "en")]


def test_a_name_with_a_weak_greeting_guess_is_taken(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "I'd like to book an appointment")
    assert assistant.say(sender, "Carmen Ortiz") == [text(responses, "utter_ask_phone", "en")]


def test_a_name_the_classifier_takes_for_an_faq_question_is_taken(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "I'd like to book an appointment")
    assert assistant.say(sender, "Jane Doe") == [text(responses, "utter_ask_phone", "en")]
    assert assistant.say(sender, "what are the side effects?") == [
        text(responses, "utter_faq/side_effects", "en"), text(responses, "utter_ask_phone", "en")]


def test_never_mind_cancels_and_forgets_the_answers(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "I want to book")
    assistant.say(sender, "Carla Ruiz")
    assert assistant.say(sender, "never mind, forget it") == [
        text(responses, "utter_booking_cancelled", "en")]
    assert assistant.say(sender, "I want to book") == [text(responses, "utter_ask_patient_name", "en")]
    assert _requests_of(assistant, sender) == []


def test_without_consent_nothing_is_sent(assistant, responses):
    sender = str(uuid.uuid4())
    for message in ["I want to book", "Dan Lee", "212 555 0123", "evenings", "skip"]:
        assistant.say(sender, message)
    assert assistant.say(sender, "no") == [text(responses, "utter_booking_no_consent", "en")]
    assert _requests_of(assistant, sender) == []


def test_a_clock_time_answers_when_and_keeps_the_conversations_language(assistant, responses):
    sender = str(uuid.uuid4())
    for message in ["quiero agendar una cita", "Dan Lee", "212 555 0123"]:
        assistant.say(sender, message)
    assert assistant.say(sender, "5pm") == [text(responses, "utter_ask_reason", "es")]
    assistant.say(sender, "omitir")
    assistant.say(sender, "sí")
    [stored] = _requests_of(assistant, sender)
    assert (stored.best_time, stored.language) == ("5pm", "es")


@pytest.mark.parametrize("yes, language", [("¿Por qué no?", "es"), ("no problem", "en")])
def test_a_yes_idiom_with_a_negation_word_gives_consent(assistant, responses, yes, language):
    sender = str(uuid.uuid4())
    opening, when, skip = {"en": ("I want to book", "evenings", "skip"),
                           "es": ("quiero agendar una cita", "por las tardes", "omitir")}[language]
    for message in [opening, "Dan Lee", "212 555 0123", when, skip]:
        assistant.say(sender, message)
    [confirmation] = assistant.say(sender, yes)
    assert "Dan Lee" in confirmation
    [stored] = _requests_of(assistant, sender)
    assert (stored.name, stored.language) == ("Dan Lee", language)


def test_a_crisis_inside_the_form_is_answered_and_closes_it(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "quiero agendar una cita")
    assert assistant.say(sender, "ya no quiero vivir") == [text(responses, "utter_crisis", "es")]
    status, tracker = assistant.request(f"/conversations/{sender}/tracker", token=TOKEN)
    assert tracker["active_loop"] == {} or tracker["active_loop"].get("name") is None
    kinds = [f.kind for f in flagged_conversations(_engine(assistant)) if f.conversation_id == sender]
    assert kinds == ["crisis"]


@pytest.mark.parametrize("typed, name", [
    ("Ana López", "Ana López"), ("my name is Bob", "Bob"), ("me llamo María José", "María José"),
    ("12345", ""), ("", ""), ("a " * 10, ""),
])
def test_names_are_cleaned_or_refused(typed, name):
    assert _clean_name(typed) == name


def test_a_store_failure_is_told_to_the_patient_and_keeps_the_answers(monkeypatch):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql://nobody@127.0.0.1:1/none")
    slots = {"patient_name": "Ana", "phone": "+12125550123", "best_time": "tardes",
             "reason": "-", "consent": True, "language": "es"}
    tracker = Tracker("c1", slots, {}, [], False, None, {}, "booking_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitBooking().run(dispatcher, tracker, {}))
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_booking_not_saved"]


def test_a_briefly_unreachable_database_is_waited_out_and_the_request_stored(monkeypatch):
    require("postgresql")
    switch = TcpSwitch(5432)
    monkeypatch.setenv(DATABASE_URL_VARIABLE,
                       f"postgresql://postgres@127.0.0.1:{switch.port}/test")
    conversation = f"outage-{uuid.uuid4().hex}"
    slots = {"patient_name": "Ana", "phone": "+12125550123", "best_time": "tardes",
             "reason": "-", "consent": True, "language": "es"}
    tracker = Tracker(conversation, slots, {}, [], False, None, {}, "booking_form")
    dispatcher = CollectingDispatcher()
    threading.Timer(1.0, switch.open).start()  # down at first, back a second later
    try:
        asyncio.run(ActionSubmitBooking().run(dispatcher, tracker, {}))
    finally:
        switch.close()
    assert [m["response"] for m in dispatcher.messages] == ["utter_booking_saved"]
    stored = store.newest_first(engine_for("postgresql://postgres@127.0.0.1:5432/test"))
    assert conversation in {request.conversation_id for request in stored}


def _sms_tracker(latest_intent, requested_slot):
    latest = {"intent": {"name": latest_intent}, "text": "yes"}
    events = [{"event": "user", "text": "yes", "parse_data": latest, "input_channel": "twilio"}]
    slots = {"requested_slot": requested_slot, "language": "en"}
    return Tracker("+12125550123", slots, latest, events, False, None,
                   {"name": "booking_form"}, "action_listen")


def test_over_sms_the_senders_number_is_offered_not_asked_for():
    dispatcher = CollectingDispatcher()
    ActionAskPhone().run(dispatcher, _sms_tracker("request_booking", "phone"), {})
    assert dispatcher.messages[0]["response"] == "utter_confirm_sms_phone"
    assert dispatcher.messages[0]["sms_phone"] == "+12125550123"


def test_over_sms_yes_keeps_the_senders_number():
    extracted = asyncio.run(ValidateBookingForm().extract_phone(
        CollectingDispatcher(), _sms_tracker("affirm", "phone"), {}))
    assert extracted == {"phone": "+12125550123"}
