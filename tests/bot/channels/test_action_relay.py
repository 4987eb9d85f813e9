"""Rasa's action relay (bot/channels/action_relay.py): actions pass through; with the action
server down the patient is asked, in their language, to try again later or call."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.channels import action_relay
from bot.channels.action_relay import APOLOGY, RELAY_PATH, ActionRelayInput, unavailable_reply
from bot.launch import free_port
from tests.assistant import running_assistant
from tests.conversation_events import conversation_events
from tests.responses import text


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    running = running_assistant(trained_model, tmp_path_factory.mktemp("relay"))
    yield running
    running.stop()


def test_action_calls_are_encoded_as_the_same_json_data(agent):
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [e for e in conversation_events() if getattr(e, "key", None) != "name"]
    tracker = DialogueStateTracker.from_events("+15550001111", events, agent.domain.slots)
    tracker.update(UserUttered("¿qué es \"ketamina\"? http://a/b 👍", {"name": "faq",
                                                                        "confidence": 1 / 3}))
    call = RemoteAction("validate_booking_form", None)._action_call_format(tracker, agent.domain)
    assert json.loads(action_relay.call_as_json(call)) == json.loads(json.dumps(call))
    assert call["tracker"]["events"] and call["domain"]["responses"]


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


# An action the action server does not know: it answers 404, which Rasa takes as a failure.
UNKNOWN_ACTION_CALL = {"next_action": "no_such_action", "sender_id": "relay",
                       "tracker": {"sender_id": "relay", "events": []}, "domain": {}}


def test_the_relay_route_passes_calls_to_the_action_server(assistant):
    request = urllib.request.Request(assistant.url(RELAY_PATH),
                                     data=json.dumps(UNKNOWN_ACTION_CALL).encode(),
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    # The action server's own answer, naming the action: not the relay's apology, nor a
    # missing route's 404.
    assert refused.value.code == 404
    assert json.loads(refused.value.read())["action_name"] == "no_such_action"


@pytest.fixture
def relay_in_this_process(monkeypatch):
    """Installs a relay's in-process route as `rasa run` does, and undoes it after the test."""
    monkeypatch.setattr(EndpointConfig, "request", EndpointConfig.request)
    monkeypatch.setattr(action_relay, "_running_relay", {})

    def install(action_server_url):
        ActionRelayInput(action_server_url, timeout_seconds=5).blueprint(None)

    return install


def test_rasas_calls_to_its_relay_get_the_http_answers_without_http(assistant,
                                                                     relay_in_this_process):
    relay_in_this_process(f"http://127.0.0.1:{assistant.settings.action_port}/webhook")
    # Nothing listens on port 1: over HTTP this would be a connection error.
    endpoint = EndpointConfig(f"http://localhost:1{RELAY_PATH}")
    with pytest.raises(ClientResponseError) as refused:
        asyncio.run(endpoint.request(json=UNKNOWN_ACTION_CALL, method="post"))
    assert refused.value.status == 404
    assert b"no_such_action" in refused.value.text


def test_in_process_the_relay_still_apologises_for_a_dead_action_server(relay_in_this_process):
    relay_in_this_process(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens there
    endpoint = EndpointConfig(f"http://127.0.0.1:5005{RELAY_PATH}")
    call = {"next_action": "action_submit_booking", "tracker": {"events": []}}
    answer = asyncio.run(endpoint.request(json=call, method="post"))
    assert answer == {"events": [], "responses": [{"response": APOLOGY}]}


def test_other_endpoints_are_still_called_over_http(relay_in_this_process):
    relay_in_this_process("http://127.0.0.1:1/webhook")
    elsewhere = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhooks/rest/webhook")
    with pytest.raises(Exception) as failed:
        asyncio.run(elsewhere.request(json={"sender": "a", "message": "hi"}, method="post"))
    assert not isinstance(failed.value, ClientResponseError)  # no server there: a connection error


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
