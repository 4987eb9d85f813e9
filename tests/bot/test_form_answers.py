"""A bare name typed while the booking form asks for the name is that answer (bot/form_answers.py)."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.form_answers import looks_like_a_name, take_as_form_answer

DOMAIN = Domain.from_yaml(open("domain.yml").read())


def _tracker(loop="booking_form", requested="patient_name"):
    tracker = DialogueStateTracker.from_events("p", [], DOMAIN.slots)
    if loop:
        tracker.update(ActiveLoop(loop))
    tracker.update(SlotSet("requested_slot", requested))
    return tracker


def _parsed(text, intent, confidence):
    ranking = [{"name": intent, "confidence": confidence},
               {"name": "greet", "confidence": 1.0 - confidence}]
    return {"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking}


@pytest.mark.parametrize("text", ["Jane Doe", "jane doe", "María José Fernández", "Anne-Marie O'Neil",
                                  "Bob.", "Ngozi"])
def test_names_look_like_names(text):
    assert looks_like_a_name(text)


@pytest.mark.parametrize("text", ["what to expect?", "¿Jane?", "Jane 2", "call me at 5pm",
                                  "a b c d e", "", "Jane; DROP"])
def test_questions_numbers_and_sentences_do_not(text):
    assert not looks_like_a_name(text)


def test_an_unsure_faq_guess_for_a_name_becomes_the_answer():
    parsed = _parsed("Jane Doe", "faq", 0.53)
    take_as_form_answer(parsed, _tracker())
    assert parsed["intent"] == {"name": "inform", "confidence": 0.53}
    assert [i["name"] for i in parsed["intent_ranking"]] == ["inform", "faq", "greet"]
    assert sum(i["confidence"] for i in parsed["intent_ranking"]) == pytest.approx(1.0)


@pytest.mark.parametrize("text, intent, confidence, tracker", [
    ("side effects", "faq", 0.97, _tracker()),  # a sure FAQ question is answered
    ("Jane Doe", "faq", 0.53, _tracker(requested="phone")),  # another question was asked
    ("Jane Doe", "faq", 0.53, _tracker(loop=None, requested=None)),  # no form
    ("Jane Doe", "faq", 0.53, None),  # /model/parse: no conversation
    ("no quiero vivir", "crisis", 0.5, _tracker()),  # safety always wins
    ("never mind", "cancel", 0.6, _tracker()),
])
def test_everything_else_keeps_its_intent(text, intent, confidence, tracker):
    parsed = _parsed(text, intent, confidence)
    take_as_form_answer(parsed, tracker)
    assert parsed["intent"] == {"name": intent, "confidence": confidence}
