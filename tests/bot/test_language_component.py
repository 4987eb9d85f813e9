"""The language decision inside the trained assistant (bot/language_component.py)."""

import uuid

import pytest

from tests.responses import talk, text


@pytest.mark.parametrize(
    "message, language",
    [("¿cuáles son los efectos secundarios?", "es"), ("what are the side effects", "en"),
     ("ok", None), ("👍", None), ("FDA?", None)],
)
def test_parse_result_carries_the_language(agent, run, message, language):
    parsed = run(agent.parse_message(message))
    assert parsed["language"] == language
    language_entities = [e["value"] for e in parsed["entities"] if e["entity"] == "language"]
    assert language_entities == ([language] if language else [])


def test_a_lone_surrogate_is_dropped_before_parsing(agent, run):
    # JSON lets a client send the escape \ud83d on its own; lingua and spaCy take only UTF-8.
    parsed = run(agent.parse_message("¿Cuánto cuesta el tratamiento?\ud83d"))
    assert parsed["text"] == "¿Cuánto cuesta el tratamiento?"
    assert parsed["language"] == "es"


def test_a_third_language_becomes_the_other_language_intent(agent, run):
    parsed = run(agent.parse_message("Bonjour, je voudrais prendre un rendez-vous"))
    assert parsed["intent"]["name"] == "other_language"
    assert parsed["language"] is None
    assert parsed["other_language"] == "fr"


def test_a_third_language_faq_question_is_not_called_ambiguous(agent, run):
    # The classifier is sure this is an FAQ question (faq at 1.0): other_language must not tie.
    parsed = run(agent.parse_message("c'est quoi exactement la thérapie à la kétamine"))
    assert parsed["intent"]["name"] == "other_language"


def test_replies_follow_the_language_of_each_message(agent, run):
    sender = str(uuid.uuid4())
    responses = agent.domain.responses
    assert talk(agent, run, sender, "hola") == [
        text(responses, "utter_greet", "es"), text(responses, "utter_disclaimer", "es")]
    assert talk(agent, run, sender, "cuales son los efectos secundarios") == [
        text(responses, "utter_faq/side_effects", "es")]
    assert talk(agent, run, sender, "what are the side effects?") == [
        text(responses, "utter_faq/side_effects", "en")]
    tracker = run(agent.tracker_store.retrieve(sender))
    assert tracker.get_slot("language") == "en"


def test_a_message_without_language_keeps_the_conversation_language(agent, run):
    sender = str(uuid.uuid4())
    responses = agent.domain.responses
    talk(agent, run, sender, "¿cuánto cuesta la infusión?")
    assert talk(agent, run, sender, "ok") == [text(responses, "utter_anything_else", "es")]
    tracker = run(agent.tracker_store.retrieve(sender))
    assert tracker.get_slot("language") == "es"


def test_an_explicit_request_switches_the_language(agent, run):
    sender = str(uuid.uuid4())
    responses = agent.domain.responses
    talk(agent, run, sender, "hi, how does ketamine work?")
    assert talk(agent, run, sender, "¿me puedes hablar en español?") == [
        text(responses, "utter_language_switched", "es")]
    assert talk(agent, run, sender, "in English please") == [
        text(responses, "utter_language_switched", "en")]


def test_a_message_in_another_language_gets_the_bilingual_reply(agent, run):
    replies = talk(agent, run, str(uuid.uuid4()), "Ciao, quali sono gli effetti collaterali della ketamina?")
    assert replies == [agent.domain.responses["utter_other_language"][0]["text"]]


def test_a_model_stored_before_the_compact_lexicon_still_loads(tmp_path):
    import gzip
    import json

    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message

    from bot.language_component import LanguageDetectorComponent

    storage, resource = LocalModelStorage(tmp_path), Resource("language")
    with storage.write_to(resource) as directory:
        with gzip.open(directory / "lexicon.json.gz", "wt", encoding="utf-8") as file:
            json.dump({"quiero": 5.0, "saber": 5.0, "cuesta": 5.0}, file)
    component = LanguageDetectorComponent.load(LanguageDetectorComponent.get_default_config(),
                                               storage, resource, None)
    message = Message(data={"text": "quiero saber cuanto cuesta"})
    component.process([message])
    assert message.get("language") == "es"
