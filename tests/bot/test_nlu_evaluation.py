"""Held-out intent accuracy per language (bot/nlu_evaluation.py) against the floor."""

import pytest

from bot.nlu_evaluation import held_out_examples, evaluate, predicted_intent

# Per language, on tests/nlu/ which training never sees. The product target is 0.95 in both; Spanish
# measures about 0.90 (README, "Measured"), so its floor guards that level until it gets there.
FLOORS = {"en": 0.95, "es": 0.90}


@pytest.fixture(scope="module")
def reports(agent, run):
    return run(evaluate(agent.parse_message, held_out_examples()))


@pytest.mark.parametrize("language", ["en", "es"])
def test_held_out_accuracy_meets_the_floor(reports, language):
    report = reports[language]
    assert report.total >= 150
    misses = "\n".join(f"{t!r}: expected {e}, got {g}" for t, e, g in report.misses)
    assert report.accuracy >= FLOORS[language], f"{language}: {report.accuracy:.3f}\n{misses}"


def test_held_out_examples_never_appear_in_training():
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.language import words

    trained = {" ".join(words(m.get("text"))) for m in load_data("data/nlu").intent_examples}
    leaked = [e.text for e in held_out_examples() if " ".join(words(e.text)) in trained]
    assert not leaked


def test_faq_predictions_are_named_by_topic():
    parsed = {"intent": {"name": "faq"},
              "response_selector": {"faq": {"response": {"intent_response_key": "faq/cost"}}}}
    assert predicted_intent(parsed) == "faq/cost"
    assert predicted_intent({"intent": {"name": "greet"}}) == "greet"
