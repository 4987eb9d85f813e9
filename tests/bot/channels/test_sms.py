"""bot/channels/sms.py against a real `rasa run` with the trained model: requests signed by the twilio
library exactly as Twilio signs them, TwiML read back. The server sits "behind a proxy": requests
are signed for the public URL Twilio would call."""

import urllib.error
import urllib.parse
import urllib.request
import uuid
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.channels.notices import TEXT_ONLY, TOO_LONG
from bot.channels.sms import SmsInput, SmsSettings, twiml
from bot.channels.sms_keywords import REPLIES
from tests.assistant import TOKEN, running_assistant
from tests.responses import text

AUTH_TOKEN = "test-twilio-auth-token"
PUBLIC_URL = "https://clinic.example/webhooks/sms/webhook"
CLINIC_NUMBER = "+15550100100"


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    running = running_assistant(trained_model, tmp_path_factory.mktemp("sms"),
                                {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "SMS_PUBLIC_URL": PUBLIC_URL})
    yield running
    running.stop()


def new_number() -> str:
    return "+1212555" + str(uuid.uuid4().int)[:4]


def post(assistant, fields, signature=None, content_type="application/x-www-form-urlencoded",
         raw=None):
    """(status, body) of a webhook POST; signed for PUBLIC_URL unless a signature is given."""
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL, fields)
    body = raw if raw is not None else urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": content_type}
    if signature:
        headers["X-Twilio-Signature"] = signature
    request = urllib.request.Request(assistant.url("/webhooks/sms/webhook"), data=body,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def text_message(phone, body, **extra):
    return {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32,
            "From": phone, "To": CLINIC_NUMBER, "Body": body, "NumMedia": "0", **extra}


def sms(assistant, phone, body, **extra):
    """The SMS bodies the TwiML answer holds."""
    status, twiml = post(assistant, text_message(phone, body, **extra))
    assert status == 200, twiml
    return [m.text for m in ElementTree.fromstring(twiml).findall("Message")]


def sms_text_of(responses, name, language):
    for candidate in responses[name]:
        spanish = any(c.get("value") == "es" for c in candidate.get("condition") or [])
        if candidate.get("channel") == "sms" and spanish == (language == "es"):
            return candidate["text"]
    return text(responses, name, language)


def test_a_spanish_question_is_answered_in_spanish_twiml(assistant, responses):
    replies = sms(assistant, new_number(), "¿Cuánto cuesta la infusión?")
    assert replies[0].startswith(sms_text_of(responses, "utter_faq/cost", "es"))
    assert replies[0].endswith("1) Cuéntame más\n2) Hablar con el personal")
    assert replies[1] == text(responses, "utter_disclaimer", "es")


def test_unsigned_or_forged_requests_are_refused_and_not_processed(assistant):
    phone = new_number()
    fields = text_message(phone, "How much does it cost?")
    assert post(assistant, fields, signature="")[0] == 403
    assert post(assistant, fields, signature="forged+signature=")[0] == 403
    signed_for_other_text = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_URL, {**fields, "Body": "hello"})
    assert post(assistant, fields, signature=signed_for_other_text)[0] == 403
    other_token = RequestValidator("someone-elses-token").compute_signature(PUBLIC_URL, fields)
    assert post(assistant, fields, signature=other_token)[0] == 403
    status, tracker = assistant.request(
        f"/conversations/{urllib.parse.quote(phone)}/tracker", token=TOKEN)
    assert status == 200 and not [e for e in tracker["events"] if e["event"] == "user"]


def test_stop_silences_the_number_until_start(assistant, responses):
    phone = new_number()
    assert sms(assistant, phone, "STOP") == [REPLIES[("opt_out", "en")]]
    assert sms(assistant, phone, "How does ketamine work?") == []
    assert sms(assistant, phone, "help") == []
    assert sms(assistant, phone, "Start") == [REPLIES[("opt_in", "en")]]
    replies = sms(assistant, phone, "How does ketamine work?")
    assert replies[0].startswith(sms_text_of(responses, "utter_faq/how_it_works", "en"))


def test_spanish_keywords_answer_in_spanish(assistant):
    phone = new_number()
    assert sms(assistant, phone, "AYUDA") == [REPLIES[("help", "es")]]
    assert sms(assistant, phone, "Baja") == [REPLIES[("opt_out", "es")]]
    assert sms(assistant, phone, "¿Qué efectos secundarios tiene?") == []
    assert sms(assistant, phone, "ALTA") == [REPLIES[("opt_in", "es")]]


def test_a_number_picks_from_the_numbered_list(assistant, responses):
    phone = new_number()
    greeting = sms(assistant, phone, "hello")[0]
    assert greeting.startswith(text(responses, "utter_greet", "en"))
    assert "\n7) Cost\n" in greeting
    replies = sms(assistant, phone, "7")
    assert replies[0].startswith(sms_text_of(responses, "utter_faq/cost", "en"))


def test_a_picture_without_text_gets_a_polite_answer(assistant):
    replies = sms(assistant, new_number(), "", NumMedia="1",
                  MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg")
    assert replies == [TEXT_ONLY]


def test_a_2000_character_message_gets_a_polite_answer(assistant):
    assert sms(assistant, new_number(), "why " * 500) == [TOO_LONG]


def test_every_reply_fits_three_segments(assistant):
    from bot.channels.sms_text import segments

    phone = new_number()
    for question in ["hola", "¿Qué pasa durante una infusión?", "cuéntame más",
                     "quiero hablar con alguien", "no quiero vivir"]:
        for reply in sms(assistant, phone, question):
            assert segments(reply) <= 3, reply


@pytest.mark.parametrize("fields, raw, content_type, expected", [
    ({"Body": "no sender", "To": CLINIC_NUMBER}, None, None, 400),
    ({}, b'{"From": "+12125550100", "Body": "hi"}', "application/json", 415),
    ({}, b'{"From": "+12125550100", "Body": "hi"}', None, 403),  # not Twilio's: no signature
    ({}, b"From=%2B1212&Body=\xff\xfe\x00", None, 400),  # not UTF-8
    ({}, b"a" * 100_000, None, 413),
], ids=["no sender", "json", "not signed", "invalid utf-8", "100 KB"])
def test_malformed_posts_get_a_client_error(assistant, fields, raw, content_type, expected):
    status, _ = post(assistant, fields, raw=raw,
                     content_type=content_type or "application/x-www-form-urlencoded",
                     signature=None if raw is None else "x")
    assert status == expected


def test_a_looping_auto_responder_is_cut_off(assistant):
    phone = new_number()
    answered = [bool(sms(assistant, phone, "How much does it cost?")) for _ in range(12)]
    assert answered == [True] * 10 + [False] * 2


def test_without_an_auth_token_the_webhook_is_not_opened():
    blueprint = SmsInput(SmsSettings(auth_token="")).blueprint(on_new_message=None)
    assert [route.uri for route in blueprint._future_routes] == ["/"]


def test_a_booking_confirmation_with_a_control_character_in_the_name_is_valid_twiml():
    reply = "Thank you, Ana\x0bLópez. Your request is saved."
    message = ElementTree.fromstring(twiml([reply]).body).find("Message")
    assert message.text == "Thank you, AnaLópez. Your request is saved."


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.text(st.characters(exclude_categories=[]), max_size=200), max_size=3))
def test_twiml_is_well_formed_whatever_the_replies_hold(replies):
    root = ElementTree.fromstring(twiml(replies).body)
    assert root.tag == "Response" and len(root.findall("Message")) == len(replies)
