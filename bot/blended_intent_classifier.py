"""Rasa NLU graph component: DIET's and the ResponseSelector's guess averaged with a linear one.

DIET and the ResponseSelector are small neural networks trained from random weights: the same
data trains them to held-out accuracies two or three points apart on different machines. A
TF-IDF logistic regression (`bot.linear_classifier`) over the same examples errs differently, and
their weighted average is right more often than either (README, "Measured"). Both give a
probability to each full intent (`faq/cost` is DIET's `faq` times the ResponseSelector's
`faq/cost`); the blend decides the intent, its ranking and the FAQ topic, in the shapes DIET and
the ResponseSelector set them, so the FallbackClassifier and the FAQ answers work as before.

A crisis or emergency that DIET ranks first is left as DIET ranked it, for the SafetyComponent
to judge: averaged with a second opinion that reads "does it work fast? I can't hold on much
longer" as an FAQ question, the crisis would lose, and a missed crisis costs far more than a
wrong topic.
"""

import logging
import pickle
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_IDENTIFIER_DELIMITER,
    RESPONSE_SELECTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from bot.linear_classifier import LinearClassifier, fit_pipeline
from bot.safety import URGENT_INTENTS

logger = logging.getLogger(__name__)

_MODEL_FILE = "linear_classifier.pkl"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BlendedIntentClassifier(GraphComponent):
    """Place it after DIETClassifier and the ResponseSelector, before the FallbackClassifier."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # The linear classifier's share of each blended probability (DIET's is the rest).
            # 0.6: the best 5-fold cross-validated accuracy on the training examples alone
            # (bench/intent_cv.py) that finds no fewer crises and emergencies than 0.5 and takes
            # at most 5 more other messages for one (README, "Measured").
            "weight": 0.6,
            # Inverse regularisation (scikit-learn's C): 100 scored best of 3, 10, 30 and 100 in
            # a 5-fold cross-validation on the training examples alone.
            "regularization": 100.0,
            # The lookup tables' concepts (data/nlu/lookups.yml) as features beside the words, at
            # this share of theirs. 0 leaves them out: at 0.2 (the best share for the regression
            # alone) cross-validation gained 1.3 points, but the test sets did not confirm it
            # (README, "Measured"); `python -m bench.intent_cv --lookup-weight` measures it again.
            "lookup_weight": 0.0,
            # The ResponseSelector's retrieval intent, whose topics are blended too.
            "retrieval_intent": "faq",
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 linear: Optional[LinearClassifier] = None,
                 responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._linear = linear
        self._responses = responses or {}  # what the ResponseSelector lists for each topic

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "BlendedIntentClassifier":
        if not 0.0 <= config["weight"] <= 1.0:
            raise ValueError("BlendedIntentClassifier: 'weight' is the linear classifier's share "
                             f"and must be between 0 and 1; got {config['weight']}.")
        if config["regularization"] <= 0:
            raise ValueError("BlendedIntentClassifier: 'regularization' must be above 0 "
                             f"(100 is the measured choice); got {config['regularization']}.")
        if config["lookup_weight"] < 0:
            raise ValueError("BlendedIntentClassifier: 'lookup_weight' must be 0 (no lookup "
                             f"features) or above (0.2 was measured); got "
                             f"{config['lookup_weight']}.")
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        pipeline = fit_pipeline([m.get(TEXT) for m in examples],
                                [m.get(INTENT_RESPONSE_KEY) or m.get(INTENT) for m in examples],
                                self._config["regularization"],
                                lookup_tables(training_data), self._config["lookup_weight"])
        prefix = intent_response_key_to_template_key(
            self._config["retrieval_intent"] + RESPONSE_IDENTIFIER_DELIMITER)
        responses = {name: value for name, value in training_data.responses.items()
                     if name.startswith(prefix)}
        with self._model_storage.write_to(self._resource) as directory:
            with open(Path(directory) / _MODEL_FILE, "wb") as file:
                pickle.dump({"pipeline": pipeline, "responses": responses}, file)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "BlendedIntentClassifier":
        with model_storage.read_from(resource) as directory:
            with open(Path(directory) / _MODEL_FILE, "rb") as file:
                stored = pickle.load(file)  # written by `train` above, inside the model file
        return cls(config, model_storage, resource,
                   LinearClassifier.from_pipeline(stored["pipeline"]), stored["responses"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY)
            if (self._linear and message.get(TEXT) and ranking
                    and ranking[0][INTENT_NAME_KEY] not in URGENT_INTENTS):
                self._blend(message)
        return messages

    def _blend(self, message: Message) -> None:
        retrieval_intent = self._config["retrieval_intent"]
        selector = (message.get(RESPONSE_SELECTOR) or {}).get(retrieval_intent)
        first = first_opinion(message.get(INTENT_RANKING_KEY), selector, retrieval_intent)
        second = self._linear.probabilities(message.get(TEXT))
        blended = blend(first, second, self._config["weight"])

        intents = intent_totals(blended)
        ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: probability}
                   for name, probability in sorted(intents.items(), key=lambda item: -item[1])]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        if selector and intents.get(retrieval_intent):
            self._select_topic(message, selector, blended, intents[retrieval_intent])
        if logger.isEnabledFor(logging.DEBUG):
            best = ranking[0][INTENT_NAME_KEY]
            def share(opinion: Dict[Text, float]) -> float:
                return sum(p for label, p in opinion.items()
                           if label.split(RESPONSE_IDENTIFIER_DELIMITER)[0] == best)
            logger.debug("Blended intent %s %.2f (DIET with the topic selector %.2f, linear %.2f).",
                         best, ranking[0][PREDICTED_CONFIDENCE_KEY], share(first), share(second))

    def _select_topic(self, message: Message, selector: Dict[Text, Any],
                      blended: Dict[Text, float], intent_probability: float) -> None:
        """The ResponseSelector's answer for the retrieval intent, with the blended topic."""
        prefix = self._config["retrieval_intent"] + RESPONSE_IDENTIFIER_DELIMITER
        topics = sorted(((label, probability / intent_probability)
                         for label, probability in blended.items() if label.startswith(prefix)),
                        key=lambda item: -item[1])
        best, confidence = topics[0]
        template = intent_response_key_to_template_key(best)
        selector[RESPONSE_SELECTOR_PREDICTION_KEY] = {
            # As the ResponseSelector lists them (from the same training data).
            RESPONSE_SELECTOR_RESPONSES_KEY: self._responses.get(template, [{TEXT: best}]),
            PREDICTED_CONFIDENCE_KEY: confidence,
            INTENT_RESPONSE_KEY: best,
            RESPONSE_SELECTOR_UTTER_ACTION_KEY: template,
        }
        selector[RESPONSE_SELECTOR_RANKING_KEY] = [
            {PREDICTED_CONFIDENCE_KEY: probability, INTENT_RESPONSE_KEY: label}
            for label, probability in topics]
        message.set(RESPONSE_SELECTOR, message.get(RESPONSE_SELECTOR), add_to_output=True)


def lookup_tables(training_data: TrainingData) -> Dict[Text, List[Text]]:
    """The training data's lookup tables, by name, as listed in the YAML (not in a file)."""
    return {table["name"]: table["elements"] for table in training_data.lookup_tables
            if isinstance(table.get("elements"), list)}


def first_opinion(ranking: List[Dict[Text, Any]], selector: Optional[Dict[Text, Any]],
                  retrieval_intent: Text) -> Dict[Text, float]:
    """DIET's probability per full intent: its retrieval intent's split by the topic ranking."""
    topics = {topic[INTENT_RESPONSE_KEY]: topic[PREDICTED_CONFIDENCE_KEY]
              for topic in (selector or {}).get(RESPONSE_SELECTOR_RANKING_KEY) or []}
    topics_total = sum(topics.values())
    probabilities: Dict[Text, float] = defaultdict(float)
    for intent in ranking:
        name, probability = intent[INTENT_NAME_KEY], intent[PREDICTED_CONFIDENCE_KEY]
        if name == retrieval_intent and topics_total > 0:
            for topic, share in topics.items():
                probabilities[topic] += probability * share / topics_total
        else:
            probabilities[name] += probability
    return probabilities


def blend(first: Dict[Text, float], second: Dict[Text, float], weight: float) -> Dict[Text, float]:
    """Each full intent's probability: `weight` of the second opinion's, the rest the first's."""
    return {label: (1 - weight) * first.get(label, 0.0) + weight * second.get(label, 0.0)
            for label in first.keys() | second.keys()}


def intent_totals(probabilities: Dict[Text, float]) -> Dict[Text, float]:
    """Each intent's probability: a retrieval intent's is the sum of its topics' (`faq/cost`...)."""
    intents: Dict[Text, float] = defaultdict(float)
    for label, probability in probabilities.items():
        intents[label.split(RESPONSE_IDENTIFIER_DELIMITER)[0]] += probability
    return intents
