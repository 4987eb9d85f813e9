"""The TF-IDF logistic regression (bot/linear_classifier.py): scikit-learn's answers, faster."""

import numpy as np
import pytest

from bot.linear_classifier import ConceptFinder, LinearClassifier, fit_pipeline, fold

TEXTS = ["how much does it cost", "what is the price", "cuanto cuesta", "¿cuál es el precio?",
         "is it safe", "side effects?", "¿es segura?", "efectos secundarios",
         "hi", "hello there", "hola", "buenas tardes"]
LABELS = ["faq/cost"] * 4 + ["faq/side_effects"] * 4 + ["greet"] * 4
# Words no example above uses: only the tables tie them to a topic.
TABLES = {"cost_words": ["price", "precio", "copay", "aseguranza", "blue cross"],
          "side_effect_words": ["safe", "segura", "náuseas", "mareo"]}


@pytest.fixture(scope="module")
def pipeline():
    return fit_pipeline(TEXTS, LABELS, regularization=100.0)


@pytest.fixture(scope="module")
def with_concepts():
    return fit_pipeline(TEXTS, LABELS, regularization=100.0, lookup_tables=TABLES, lookup_weight=1.0)


def test_text_is_folded_as_the_tokenizer_folds_it():
    assert fold("¿Cuánto CUESTA x sesión?") == "cuanto cuesta por sesion"
    assert fold("") == ""


def test_concepts_are_found_in_folded_text_once_per_mention():
    find = ConceptFinder(TABLES)
    assert find(fold("¿Aseguranza? Blue Cross, copay")) == ["cost_words"] * 3
    assert find(fold("Náuseas o MAREO, ¿es segura?")) == ["side_effect_words"] * 3
    assert find(fold("unsafe prices")) == []  # whole words only
    assert find("") == []


@pytest.mark.parametrize("text", ["cuánto cuesta la sesión", "what are the side effects",
                                  "hola!", "", "👍", "zzzz qqqq", "is it safe and what does it cost",
                                  "copay y aseguranza", "mareo"])
@pytest.mark.parametrize("fitted", ["pipeline", "with_concepts"])
def test_probabilities_are_scikit_learns(request, fitted, text):
    pipeline = request.getfixturevalue(fitted)
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


def test_a_word_only_a_lookup_table_lists_counts_for_its_topic(pipeline, with_concepts):
    def cost(fitted, text):
        return LinearClassifier.from_pipeline(fitted).probabilities(text)["faq/cost"]

    # "copay" and "aseguranza" are in no example: without the tables they say nothing of cost.
    for text in ("copay?", "aseguranza?"):
        assert cost(with_concepts, text) > 0.5
        assert cost(with_concepts, text) > cost(pipeline, text) + 0.2
