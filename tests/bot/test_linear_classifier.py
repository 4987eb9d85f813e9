"""The TF-IDF logistic regression (bot/linear_classifier.py): scikit-learn's answers, faster."""

import numpy as np
import pytest

from bot.linear_classifier import LinearClassifier, fit_pipeline, fold

TEXTS = ["how much does it cost", "what is the price", "cuanto cuesta", "¿cuál es el precio?",
         "is it safe", "side effects?", "¿es segura?", "efectos secundarios",
         "hi", "hello there", "hola", "buenas tardes"]
LABELS = ["faq/cost"] * 4 + ["faq/side_effects"] * 4 + ["greet"] * 4


@pytest.fixture(scope="module")
def pipeline():
    return fit_pipeline(TEXTS, LABELS, regularization=100.0)


def test_text_is_folded_as_the_tokenizer_folds_it():
    assert fold("¿Cuánto CUESTA x sesión?") == "cuanto cuesta por sesion"
    assert fold("") == ""


@pytest.mark.parametrize("text", ["cuánto cuesta la sesión", "what are the side effects",
                                  "hola!", "", "👍", "zzzz qqqq", "is it safe and what does it cost"])
def test_probabilities_are_scikit_learns(pipeline, text):
    ours = LinearClassifier.from_pipeline(pipeline).probabilities(text)
    expected = pipeline.predict_proba([fold(text)])[0]
    assert list(ours) == list(pipeline.classes_)
    np.testing.assert_allclose([ours[label] for label in pipeline.classes_], expected, atol=1e-12)


def test_it_learns_both_languages(pipeline):
    classifier = LinearClassifier.from_pipeline(pipeline)
    def best(text):
        probabilities = classifier.probabilities(text)
        return max(probabilities, key=probabilities.get)

    assert best("what does it cost") == "faq/cost"
    assert best("cuanto cuesta") == "faq/cost"
    assert best("efectos secundarios?") == "faq/side_effects"
    assert best("hello") == "greet"
