"""A whole-message yes built on a negation word is `affirm` (bot/yes_idioms.py)."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.yes_idioms import YesIdiomComponent, is_yes_idiom

YES = ["¿Por qué no?", "por que no", "xq no", "Sí, claro, ¿por qué no?", "no hay problema",
       "sin problema por favor", "Ni lo dudes", "¡Cómo no!", "No problem", "NO PROBLEM!!",
       "no problem, thanks", "sure, why not :)", "I don't see why not", "don’t mind"]
NOT_YES = ["no", "No, gracias", "no thanks", "not at all", "no worries", "no no problem",
           "claro que no", "no problem if not", "why not call me instead?", "please", "", None,
           "por qué no funciona la ketamina?"]


@pytest.mark.parametrize("text", YES)
def test_yes_idioms_are_recognised_in_any_spelling(text):
    assert is_yes_idiom(text)


@pytest.mark.parametrize("text", NOT_YES)
def test_refusals_questions_and_ambiguous_replies_are_not(text):
    assert not is_yes_idiom(text)


def _message(text, intent, confidence=0.93):
    ranking = [{"name": intent, "confidence": confidence},
               {"name": "affirm", "confidence": 1.0 - confidence}]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


def test_the_component_relabels_only_the_idiom():
    idiom, refusal = _message("no problem", "deny"), _message("no thanks", "deny")
    YesIdiomComponent().process([idiom, refusal])
    assert idiom.get("intent") == {"name": "affirm", "confidence": 1.0}
    assert [i["name"] for i in idiom.get("intent_ranking")] == ["affirm", "deny"]
    assert refusal.get("intent") == {"name": "deny", "confidence": 0.93}


def test_a_safety_intent_is_left_to_the_safety_component():
    message = _message("no problem", "crisis")
    YesIdiomComponent().process([message])
    assert message.get("intent")["name"] == "crisis"


@pytest.mark.parametrize("text, language", [("¿por qué no?", "es"), ("no hay bronca", "es"),
                                            ("no problem", "en"), ("why not", "en")])
def test_the_trained_assistant_reads_them_as_yes_in_their_language(agent, run, text, language):
    parsed = run(agent.parse_message(text))
    assert (parsed["intent"]["name"], parsed["language"]) == ("affirm", language)


@pytest.mark.parametrize("text", ["no", "no gracias", "no thanks"])
def test_the_trained_assistant_still_reads_a_plain_no_as_no(agent, run, text):
    assert run(agent.parse_message(text))["intent"]["name"] == "deny"
