"""DIET's and the ResponseSelector's guesses averaged with the linear classifier's
(bot/blended_intent_classifier.py)."""

import logging

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.blended_intent_classifier import BlendedIntentClassifier

TEXTS = {"faq/cost": ["how much does it cost", "what is the price", "cuanto cuesta", "precio?"],
         "faq/side_effects": ["is it safe", "side effects?", "es segura?", "efectos secundarios"],
         "greet": ["hi", "hello there", "hola", "buenas tardes"]}
# "aseguranza" and "copay" are in no example: only the table ties them to cost.
LOOKUP_TABLES = [{"name": "cost_words", "elements": ["precio", "price", "aseguranza", "copay"]}]


def config(**changes):
    return {**BlendedIntentClassifier.get_default_config(), **changes}


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    return trained(tmp_path_factory.mktemp("storage"), config())


def trained(folder, settings):
    """Trained, stored and loaded back the way Rasa does it."""
    examples = []
    for label, texts in TEXTS.items():
        for text in texts:
            data = {"text": text, "intent": label.split("/")[0]}
            if "/" in label:
                data["intent_response_key"] = label
            examples.append(Message(data=data))
    responses = {"utter_faq/cost": [{"text": "utter_faq/cost"}],
                 "utter_faq/side_effects": [{"text": "utter_faq/side_effects"}],
                 "utter_greet": [{"text": "hello"}]}
    storage = LocalModelStorage(folder)
    resource = Resource("blended")
    untrained = BlendedIntentClassifier.create(settings, storage, resource, None)
    untrained.train(TrainingData(training_examples=examples, responses=responses,
                                 lookup_tables=LOOKUP_TABLES))
    return BlendedIntentClassifier.load(settings, storage, resource, None)


def parsed(text, diet, topics):
    """A message as DIET and the ResponseSelector leave it."""
    ranking = [{"name": name, "confidence": confidence} for name, confidence in diet.items()]
    best_topic = max(topics, key=topics.get)
    selector = {"faq": {
        "response": {"responses": [{"text": f"utter_{best_topic}"}], "confidence": topics[best_topic],
                     "intent_response_key": best_topic, "utter_action": f"utter_{best_topic}"},
        "ranking": [{"confidence": c, "intent_response_key": k} for k, c in topics.items()]}}
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking,
                         "response_selector": selector})


def test_agreeing_opinions_keep_the_intent_and_topic(classifier):
    message = parsed("how much is it", {"faq": 0.9, "greet": 0.1},
                     {"faq/cost": 0.8, "faq/side_effects": 0.2})
    classifier.process([message])
    assert message.get("intent")["name"] == "faq"
    selected = message.get("response_selector")["faq"]["response"]
    assert selected["intent_response_key"] == "faq/cost"
    assert selected["utter_action"] == "utter_faq/cost"
    assert selected["responses"] == [{"text": "utter_faq/cost"}]
    ranking = message.get("intent_ranking")
    assert [i["name"] for i in ranking] == ["faq", "greet"]
    assert sum(i["confidence"] for i in ranking) == pytest.approx(1.0)


def test_the_decision_is_logged_at_debug_without_the_patients_words(classifier, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.blended_intent_classifier")
    classifier.process([parsed("how much is it", {"faq": 0.9, "greet": 0.1},
                               {"faq/cost": 0.8, "faq/side_effects": 0.2})])
    assert "Blended intent faq" in caplog.text
    assert "how much" not in caplog.text


def test_the_blend_is_the_weighted_average_of_both(classifier):
    message = parsed("efectos secundarios", {"greet": 0.7, "faq": 0.3},
                     {"faq/cost": 0.5, "faq/side_effects": 0.5})
    linear = classifier._linear.probabilities("efectos secundarios")
    weight = config()["weight"]  # the linear classifier's share
    classifier.process([message])
    intents = {i["name"]: i["confidence"] for i in message.get("intent_ranking")}
    assert intents["greet"] == pytest.approx((1 - weight) * 0.7 + weight * linear["greet"])
    faq_linear = linear["faq/cost"] + linear["faq/side_effects"]
    assert intents["faq"] == pytest.approx((1 - weight) * 0.3 + weight * faq_linear)


def test_a_confident_second_opinion_changes_the_topic_and_its_answer(classifier):
    message = parsed("efectos secundarios", {"faq": 1.0}, {"faq/cost": 0.55, "faq/side_effects": 0.45})
    classifier.process([message])
    selector = message.get("response_selector")["faq"]
    assert selector["response"]["intent_response_key"] == "faq/side_effects"
    assert selector["response"]["utter_action"] == "utter_faq/side_effects"
    assert selector["response"]["responses"] == [{"text": "utter_faq/side_effects"}]
    topics = [t["intent_response_key"] for t in selector["ranking"]]
    assert topics == ["faq/side_effects", "faq/cost"]
    assert sum(t["confidence"] for t in selector["ranking"]) == pytest.approx(1.0)


@pytest.mark.parametrize("urgent", ["crisis", "medical_emergency"])
def test_an_urgent_intent_ranked_first_is_left_to_the_safety_component(classifier, urgent):
    message = parsed("how much does it cost", {urgent: 0.5, "faq": 0.5},
                     {"faq/cost": 0.9, "faq/side_effects": 0.1})
    classifier.process([message])
    assert message.get("intent") == {"name": urgent, "confidence": 0.5}
    assert message.get("response_selector")["faq"]["ranking"][0]["confidence"] == 0.9


def test_a_message_no_classifier_ranked_is_left_alone(classifier):
    message = Message(data={"text": ""})
    classifier.process([message])
    assert message.get("intent") is None


def test_the_lookup_tables_teach_the_linear_opinion_at_their_weight(tmp_path):
    def best(lookup_weight):
        folder = tmp_path / str(lookup_weight)
        folder.mkdir()
        classifier = trained(folder, config(lookup_weight=lookup_weight))
        linear = classifier._linear.probabilities("aseguranza?")
        return max(linear, key=linear.get)

    assert best(1.0) == "faq/cost"
    assert best(0.0) != "faq/cost"  # "segura" inside it sounds like safety


@pytest.mark.parametrize("changes, option", [({"weight": 1.5}, "'weight'"),
                                             ({"regularization": 0}, "'regularization'"),
                                             ({"lookup_weight": -0.1}, "'lookup_weight'")])
def test_a_wrong_setting_is_refused_by_name(tmp_path, changes, option):
    with pytest.raises(ValueError, match=option):
        BlendedIntentClassifier.create(config(**changes), LocalModelStorage(tmp_path),
                                       Resource("x"), None)
