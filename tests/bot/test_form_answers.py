"""A bare name or a clock time typed while the booking form asks for it is that answer
(bot/form_answers.py)."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.form_answers import looks_like_a_name, looks_like_a_time, take_as_form_answer

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


@pytest.mark.parametrize("text", ["5pm", "5 PM", "at 10am please", "10 a.m.", "5:30", "17h",
                                  "a las 5", "después de las 6 pm", "after 4 on weekdays"])
def test_clock_times_look_like_times(text):
    assert looks_like_a_time(text)


@pytest.mark.parametrize("text", ["mornings", "I am free", "call me 212 555 0123", "5",
                                  "can I book 2 sessions at 5pm for my mother and my sister?", ""])
def test_words_numbers_and_long_sentences_do_not(text):
    assert not looks_like_a_time(text)


@pytest.mark.parametrize("text, intent", [("5pm", "request_booking"), ("a las 5", "faq")])
def test_an_unsure_guess_for_a_time_becomes_the_answer_to_when(text, intent):
    parsed = _parsed(text, intent, 0.47)
    take_as_form_answer(parsed, _tracker(requested="best_time"))
    assert parsed["intent"] == {"name": "inform", "confidence": 0.47}


def test_an_unsure_faq_guess_for_a_name_becomes_the_answer():
    parsed = _parsed("Jane Doe", "faq", 0.53)
    take_as_form_answer(parsed, _tracker())
    assert parsed["intent"] == {"name": "inform", "confidence": 0.53}
    assert [i["name"] for i in parsed["intent_ranking"]] == ["inform", "faq", "greet"]
    assert sum(i["confidence"] for i in parsed["intent_ranking"]) == pytest.approx(1.0)


@pytest.mark.parametrize("text, intent, confidence, tracker", [
    ("side effects", "faq", 0.97, _tracker()),  # a sure FAQ question is answered
    ("Jane Doe", "faq", 0.53, _tracker(requested="phone")),  # another question was asked
    ("5pm", "request_booking", 0.47, _tracker()),  # a time is no answer to "your name?"
    ("Jane Doe", "faq", 0.53, _tracker(requested="best_time")),  # nor a name to "when?"
    ("Jane Doe", "request_booking", 0.53, _tracker()),  # a name overrules FAQ guesses only
    ("at 5pm", "faq", 0.9, _tracker(requested="best_time")),  # a sure guess stays
    ("Jane Doe", "faq", 0.53, _tracker(loop=None, requested=None)),  # no form
    ("Jane Doe", "faq", 0.53, None),  # /model/parse: no conversation
    ("no quiero vivir", "crisis", 0.5, _tracker()),  # safety always wins
    ("never mind", "cancel", 0.6, _tracker()),
])
def test_everything_else_keeps_its_intent(text, intent, confidence, tracker):
    parsed = _parsed(text, intent, confidence)
    take_as_form_answer(parsed, tracker)
    assert parsed["intent"] == {"name": intent, "confidence": confidence}
