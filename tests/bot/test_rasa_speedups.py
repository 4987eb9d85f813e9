"""Rasa's hot spots replaced (bot/rasa_speedups.py): the same results as Rasa's own code."""

import jsonschema
import numpy as np
import pytest
import scipy.sparse
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.utils.common import all_subclasses

from bot import rasa_speedups
from bot.nlu_evaluation import held_out_examples
from tests.conversation_events import conversation_events

rasa_speedups.apply()


def test_every_event_name_finds_the_class_rasa_finds():
    for cls in all_subclasses(Event):
        rasa_first = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is rasa_first
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("session_started") is SessionStarted


def test_unknown_event_names_keep_rasas_answers():
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_events_read_back_from_their_dicts():
    events = [UserUttered("hola", {"name": "greet", "confidence": 1.0}), SlotSet("language", "es"),
              ActionExecuted("action_listen")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


def test_action_server_answers_are_still_checked():
    action = RemoteAction("action_tell_me_more", None)
    assert action._validate_action_result({"events": [], "responses": []})
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        action._validate_action_result({"events": "not a list", "responses": []})


def test_the_lean_model_loading_predicts_exactly_as_rasas(agent, run, trained_model):
    from rasa.core.agent import Agent

    with rasa_speedups.rasa_model_loading():
        reference = Agent.load(str(trained_model))
    texts = [e.text for e in held_out_examples()][::4]
    for text in texts:
        lean, rasa = run(agent.parse_message(text)), run(reference.parse_message(text))
        assert lean["intent_ranking"] == rasa["intent_ranking"], text
        assert lean.get("response_selector") == rasa.get("response_selector"), text


def _random_coo(rows, columns, dtype, seed):
    return scipy.sparse.random(rows, columns, density=0.01, format="coo", dtype=dtype,
                               random_state=seed)


@pytest.mark.parametrize("rows, left_columns, right_columns, dtypes", [
    (6, 3000, 15000, (np.float32, np.float64)),
    (1, 40, 2, (np.float64, np.float64)),
    (3, 5, 7, (np.int64, np.float32)),
    (2, 2**31 - 10, 100, (np.float32, np.float32)),  # indices beyond int32
])
def test_sparse_features_join_exactly_as_scipy_joins_them(rows, left_columns, right_columns,
                                                          dtypes):
    left = _random_coo(rows, min(left_columns, 10_000), dtypes[0], 1)
    left = scipy.sparse.coo_matrix((left.data, (left.row, left.col)), shape=(rows, left_columns))
    right = _random_coo(rows, right_columns, dtypes[1], 2)
    ours, scipys = rasa_speedups.hstack_coo(left, right), scipy.sparse.hstack([left, right])
    assert type(ours) is type(scipys) and ours.shape == scipys.shape
    for part in ("data", "row", "col"):
        assert getattr(ours, part).dtype == getattr(scipys, part).dtype
        assert np.array_equal(getattr(ours, part), getattr(scipys, part))


def test_features_combine_as_before_whatever_their_format():
    left = Features(_random_coo(4, 30, np.float32, 3), "sequence", "text", "words")
    left.combine_with_features(Features(_random_coo(4, 20, np.float32, 4), "sequence", "text",
                                        "chars"))
    assert left.features.shape == (4, 50)
    csr = Features(_random_coo(4, 30, np.float32, 3).tocsr(), "sequence", "text", "words")
    csr.combine_with_features(Features(_random_coo(4, 20, np.float32, 4).tocsr(), "sequence",
                                       "text", "chars"))
    assert (csr.features != left.features).nnz == 0
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        left.combine_with_features(Features(_random_coo(3, 20, np.float32, 5), "sequence",
                                            "text", "chars"))


def test_graph_nodes_run_after_the_nodes_they_need_once_each():
    from types import SimpleNamespace

    def node(**needs):
        return SimpleNamespace(needs=needs)

    schema = SimpleNamespace(nodes={
        "tokens": node(messages="__message__"), "features": node(messages="tokens"),
        "intent": node(messages="features"), "language": node(messages="intent", t="tokens"),
        "unused": node(messages="tokens")})
    assert rasa_speedups.execution_order(schema, ["language", "intent"]) == [
        ("tokens", ("__message__",)), ("features", ("tokens",)), ("intent", ("features",)),
        ("language", ("intent", "tokens"))]


def test_the_model_graph_gives_what_dask_gives(agent, run, monkeypatch):
    from rasa.engine.runner.dask import DaskGraphRunner

    def parse_and_predict(text):
        parse_data = run(agent.parse_message(text))
        tracker = DialogueStateTracker.from_events(
            "speedups", [ActionExecuted("action_listen"), UserUttered(text, parse_data)],
            agent.domain.slots)
        prediction = agent.processor._predict_next_with_tracker(tracker)
        return parse_data, prediction.policy_name, prediction.probabilities

    texts = [e.text for e in held_out_examples()][::8]
    in_order = [parse_and_predict(text) for text in texts]
    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run.original)
    assert [parse_and_predict(text) for text in texts] == in_order


def _components(agent):
    return [node._component for node in agent.processor.graph_runner._instantiated_nodes.values()]


def _component(agent, cls):
    # Exactly this class: the ResponseSelector is a DIETClassifier too.
    return next(component for component in _components(agent) if type(component) is cls)


def test_diet_and_the_response_selector_predict_a_list_as_each_message_alone(agent):
    from rasa.core.channels import UserMessage
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.nlu.selectors.response_selector import ResponseSelector

    from bot.nlu_batching import run_nlu_graph

    # The messages as DIET gets them: tokenized and featurized, in one run of the graph.
    tracker = DialogueStateTracker.from_events("batched-prediction", [])
    texts = [e.text for e in held_out_examples()][::5]
    featurized = run_nlu_graph(agent.processor, [UserMessage(t) for t in texts], tracker)
    for cls in (DIETClassifier, ResponseSelector):
        classifier = _component(agent, cls)
        batch = rasa_speedups.predict_batch(classifier, featurized)
        assert len(batch) == len(featurized), cls.__name__  # the batch path is taken
        for message in featurized:
            alone = classifier._predict(message)
            assert np.array_equal(batch[id(message)]["i_scores"], alone["i_scores"]), \
                message.get("text")


def test_parsing_a_list_gives_each_message_what_parsing_it_alone_gives(agent):
    from rasa.core.channels import UserMessage

    from bot.nlu_batching import run_nlu_graph

    tracker = DialogueStateTracker.from_events("batched-parsing", [])
    texts = [e.text for e in held_out_examples()][::3]

    def parsed(messages):
        return [{key: value for key, value in m.as_dict().items() if key != "message_id"}
                for m in run_nlu_graph(agent.processor, messages, tracker)]

    alone = [parsed([UserMessage(text)])[0] for text in texts]
    together = []
    for start in range(0, len(texts), 16):
        together += parsed([UserMessage(text) for text in texts[start:start + 16]])
    assert together == alone


# Looked at after every event, or every few: then an undo and new events may come in between.
@pytest.mark.parametrize("omit_unset_slots, every", [(False, 1), (True, 1), (False, 3), (False, 4)])
def test_dialogue_states_go_on_from_the_last_replay_as_rasa_makes_them(agent, omit_unset_slots,
                                                                         every):
    from rasa.shared.core.domain import Domain

    domain = agent.domain
    rasas = Domain.states_for_tracker_history.original
    tracker = DialogueStateTracker("replay", domain.slots)
    for count, event in enumerate(conversation_events(), start=1):
        tracker.update(event)
        if count % every:
            continue
        ours = domain.states_for_tracker_history(tracker, omit_unset_slots=omit_unset_slots)
        assert ours == rasas(domain, tracker, omit_unset_slots=omit_unset_slots), event
        for state in ours:  # as Rasa's featurizer does to the states it gets
            state.get("user", {}).pop("intent", None)
        ours.clear()
    assert tracker._state_replays[omit_unset_slots]._events  # the replay was kept and reused


def test_the_rule_lookup_finds_the_rules_rasa_finds(agent, run):
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy

    policy = _component(agent, RulePolicy)
    rasas = RulePolicy._get_possible_keys.original
    # A real conversation: two misunderstandings in a row, the booking form, an FAQ inside it.
    for text in ["hola", "qwerty asdf zxcv", "uiop hjkl vbnm", "quiero una cita", "Ana López",
                 "what are the side effects?", "+1 415 555 0100", "sí", "gracias"]:
        run(agent.handle_text(text, sender_id="rule-lookup"))
    events = list(run(agent.tracker_store.retrieve("rule-lookup")).events)
    tracker = DialogueStateTracker("rules", agent.domain.slots)
    longest_used = 0
    for event in events:
        tracker.update(event)
        states = policy._prediction_states(tracker, agent.domain,
                                           rule_only_data=policy._get_rule_only_data())
        for lookup in (policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
            keys = policy._get_possible_keys(lookup, states)
            assert keys == rasas(policy, lookup, states), event
            longest_used = max([longest_used] + [len(policy._rule_key_to_state(k)) for k in keys])
    assert longest_used >= 3  # rules that look several turns back took part


def test_another_domain_replays_the_conversation_anew(agent):
    from rasa.shared.core.domain import Domain

    tracker = DialogueStateTracker("two-domains", agent.domain.slots)
    for event in conversation_events()[:8]:
        tracker.update(event)
    agent.domain.states_for_tracker_history(tracker)
    smaller = Domain.from_dict({"intents": ["greet"], "slots": {}, "actions": []})
    assert smaller.states_for_tracker_history(tracker) == \
        Domain.states_for_tracker_history.original(smaller, tracker)


def _tokenized(agent, texts):
    """Messages as the CountVectorsFeaturizers get them: through the graph's tokenizer."""
    from rasa.nlu.tokenizers.tokenizer import Tokenizer
    from rasa.shared.nlu.training_data.message import Message

    tokenizer = next(c for c in _components(agent) if isinstance(c, Tokenizer))
    return tokenizer.process([Message({"text": text}) for text in texts])


def _same_matrix(left, right):
    return (type(left) is type(right) and left.shape == right.shape and left.dtype == right.dtype
            and all(np.array_equal(getattr(left, part), getattr(right, part))
                    and getattr(left, part).dtype == getattr(right, part).dtype
                    for part in ("row", "col", "data")))


def test_vocabulary_patterns_give_the_features_rasa_gives(agent):
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer

    featurizer = _component(agent, RegexFeaturizer)
    rasas = RegexFeaturizer._features_for_patterns.original
    texts = [e.text for e in held_out_examples()] + [
        "", "   ", "FDA FDA fda?", "ñ" * 300, "spravato/esketamine", "ketamina,esketamina",
        "fda-approved", "depresión(ansiedad)"]
    ours, theirs = _tokenized(agent, texts), _tokenized(agent, texts)
    matched = 0
    for mine, rasa in zip(ours, theirs):
        features = featurizer._features_for_patterns(mine, "text")
        expected = rasas(featurizer, rasa, "text")
        assert all((a is None and b is None) or _same_matrix(a, b)
                   for a, b in zip(features, expected)), mine.get("text")
        tokens = [t.get("pattern") for t in mine.get("text_tokens", [])]
        assert tokens == [t.get("pattern") for t in rasa.get("text_tokens", [])]
        matched += bool(features[1] is not None and features[1].nnz)
    assert matched > 100  # the vocabulary lists matched many of them


def test_count_vectors_of_a_list_are_each_messages_own(agent):
    import copy

    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer)

    texts = [e.text for e in held_out_examples()][::7] + ["", "👍", "ok ok ok"]
    featurizers = [c for c in _components(agent) if isinstance(c, CountVectorsFeaturizer)]
    assert len(featurizers) == 2  # words and character n-grams (config.yml)
    listwise = _tokenized(agent, texts)
    one_by_one = copy.deepcopy(listwise)
    for featurizer in featurizers:
        featurizer.process(listwise)
        for message in one_by_one:
            featurizer.process([message])  # a list of one: Rasa's own code
    for together, alone in zip(listwise, one_by_one):
        assert len(together.features) == len(alone.features)
        assert together.features or not together.get("text")  # only the empty text has none
        for mine, rasas in zip(together.features, alone.features):
            assert (mine.type, mine.attribute, mine.origin) == (rasas.type, rasas.attribute,
                                                                rasas.origin)
            assert _same_matrix(mine.features, rasas.features), together.get("text")


def test_joined_features_are_kept_until_the_message_gets_more():
    from rasa.shared.nlu.training_data.message import Message

    message = Message({"text": "hola"})
    for origin, seed in [("words", 1), ("chars", 2)]:
        message.add_features(Features(_random_coo(1, 10, np.float64, seed), "sentence", "text",
                                      origin))
    _, sentence = message.get_sparse_features("text")
    assert sentence.features.shape == (1, 20)
    assert message.get_sparse_features("text")[1] is sentence  # joined once
    assert message.get_sparse_features("text", ["words"])[1].features.shape == (1, 10)
    message.add_features(Features(_random_coo(1, 5, np.float64, 3), "sentence", "text", "regex"))
    assert message.get_sparse_features("text")[1].features.shape == (1, 25)
