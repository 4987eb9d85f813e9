"""Intent accuracy per language (bot/nlu_evaluation.py) on data training never sees."""

from pathlib import Path

import pytest

from bot.nlu_evaluation import evaluate, held_out_examples, not_in_training, predicted_intent

HELD_OUT = Path("tests/nlu")  # the held-out split, written with the training data
# Typical messages written later by someone who never saw the data; the common ones ("hola",
# "gracias") are also training examples, so only the others are scored.
UNSEEN = Path("tests/nlu_unseen")

# The product target is 0.95 everywhere. On the held-out split English measures 0.91-0.93 and
# Spanish about 0.91 since the safety intents joined (README, "Measured"). DIET's training is not
# bit-for-bit repeatable on CPU: the same data gave 194/208 one day and 189/208 the next in
# English, so the floors sit below the lowest figure seen, to catch a real regression.
FLOORS = {(HELD_OUT, "en"): 0.89, (HELD_OUT, "es"): 0.88,
          (UNSEEN, "en"): 0.95, (UNSEEN, "es"): 0.94}


@pytest.fixture(scope="module")
def reports(agent, run):
    return {folder: run(evaluate(agent.parse_message, not_in_training(held_out_examples(folder))))
            for folder in (HELD_OUT, UNSEEN)}


@pytest.mark.parametrize("folder, language", list(FLOORS), ids=lambda v: str(v))
def test_accuracy_meets_the_floor(reports, folder, language):
    report = reports[folder][language]
    assert report.total >= 60
    misses = "\n".join(f"{t!r}: expected {e}, got {g}" for t, e, g in report.misses)
    floor = FLOORS[(folder, language)]
    assert report.accuracy >= floor, f"{folder} {language}: {report.accuracy:.3f}\n{misses}"


def test_held_out_examples_never_appear_in_training():
    examples = held_out_examples(HELD_OUT)
    assert not_in_training(examples) == examples


def test_faq_predictions_are_named_by_topic():
    parsed = {"intent": {"name": "faq"},
              "response_selector": {"faq": {"response": {"intent_response_key": "faq/cost"}}}}
    assert predicted_intent(parsed) == "faq/cost"
    assert predicted_intent({"intent": {"name": "greet"}}) == "greet"
