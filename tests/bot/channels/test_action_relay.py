"""Rasa's action relay (bot/channels/action_relay.py): actions pass through; with the action
server down the patient is asked, in their language, to try again later or call."""

import json
import urllib.error
import urllib.request

import pytest

from bot.channels.action_relay import APOLOGY, unavailable_reply
from tests.assistant import running_assistant
from tests.responses import text


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    running = running_assistant(trained_model, tmp_path_factory.mktemp("relay"))
    yield running
    running.stop()


def test_a_failed_form_check_forgets_only_the_unchecked_answer_and_apologises():
    call = {"next_action": "validate_booking_form",
            "tracker": {"active_loop": {"name": "booking_form"},
                        "slots": {"requested_slot": "phone", "patient_name": "Ana López"},
                        "events": [{"event": "user", "text": "212 555 0123"}]}}
    assert unavailable_reply(call) == {
        "events": [{"event": "slot", "name": "phone", "value": None}],
        "responses": [{"response": APOLOGY}]}


def test_a_failed_action_outside_a_form_only_apologises():
    call = {"next_action": "action_submit_booking", "tracker": {"active_loop": {}, "slots": {}}}
    assert unavailable_reply(call) == {"events": [], "responses": [{"response": APOLOGY}]}


def test_one_failing_turn_gets_one_apology():
    apologised = {"event": "bot", "text": "...", "metadata": {"utter_action": APOLOGY}}
    call = {"next_action": "action_ask_phone",
            "tracker": {"events": [{"event": "user", "text": "Ana"}, apologised]}}
    assert unavailable_reply(call)["responses"] == []
    earlier_turn = {"next_action": "action_ask_phone", "tracker": {"events": [
        apologised, {"event": "user", "text": "Ana"}]}}
    assert unavailable_reply(earlier_turn)["responses"] == [{"response": APOLOGY}]


def test_failed_bookkeeping_is_not_mentioned_to_the_patient():
    assert unavailable_reply({"next_action": "action_note_unanswered"}) == {
        "events": [], "responses": []}


def test_with_the_action_server_down_the_patient_is_asked_to_try_again_in_spanish(
        assistant, responses):
    sender = "relay-es"
    assert assistant.say(sender, "quiero agendar una cita")[0] == text(
        responses, "utter_ask_patient_name", "es")
    assistant.processes[0].terminate()  # the action server
    assistant.processes[0].wait(15)

    # The answer could not be checked: an apology, and the same question again.
    assert assistant.say(sender, "Me llamo Ana López") == [
        text(responses, APOLOGY, "es"), text(responses, "utter_ask_patient_name", "es")]

    assistant.restart()
    assert assistant.say(sender, "Me llamo Ana López") == [text(responses, "utter_ask_phone", "es")]


def test_the_relay_refuses_calls_that_came_through_a_proxy(assistant):
    body = json.dumps({"next_action": "action_submit_booking", "tracker": {}}).encode()
    request = urllib.request.Request(assistant.url("/webhooks/action_relay/webhook"), data=body,
                                     headers={"Content-Type": "application/json",
                                              "X-Forwarded-For": "203.0.113.9"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
