"""Hot spots of Rasa 3.6.21 (pinned) replaced by versions that give the same results.

Found by sampling a `rasa run` under load (py-spy; README, "Measured"):
- Every event read back from the tracker store looks its class up with
  `Event.resolve_by_type`, which walks the whole Event class tree and calls
  `inspect.isabstract` on each class: about 12% of the CPU of a served message. The classes
  are fixed once imported, so a name → class table gives the same answer.
- Every answer of the action server is checked with `jsonschema.validate`, which first checks
  the (constant) schema itself against JSON Schema's meta-schema: about 10% of the CPU. The
  answer is still checked, by a validator built once.
- Loading DIET or the ResponseSelector trains the empty network on one example, only to create
  its variables, before reading the trained weights: that traces the whole training graph and
  creates the optimizer's two extra copies of every weight, which a served model never uses.
  Here the variables are created by one eager prediction instead, the trained weights are read
  into them, and the label embeddings that prediction computed are computed again. The
  prediction graph is then called directly rather than through `tf.function`'s dispatch and
  argument matching, with the batch's arrays converted by the step TensorFlow's own conversion
  ends with.
- Each component joins the sparse features of a message (word counts, character n-grams,
  vocabulary patterns) with SciPy's general `hstack`, which converts and checks every block:
  about 7% of the CPU. Two COO matrices are joined here directly, entry for entry as SciPy does.
- Every run of the model's graph (one to parse a message, one per predicted action) first works
  out again which nodes the targets need, builds a dask task graph and lets dask order and run
  it: about 6% of the CPU. The graph is fixed once loaded, so the order of its nodes is worked
  out once per set of targets and the nodes are called in that order, as dask's synchronous
  scheduler calls them.
- DIET and the ResponseSelector predict each message of a list with its own TensorFlow call.
  Given a list (bot/nlu_batching.py parses messages that arrive together as one), they predict
  it in one call here: the same network on the same features, row by row.
- Every prediction (two or three a turn) turns the whole conversation into dialogue states again
  for the RulePolicy, replaying every event from the first: 11% of the CPU in a long
  conversation. The replay is kept with the conversation (the tracker store hands back the same
  tracker object, bot/cached_tracker_store.py) and goes on from where it stopped, as long as the
  events it replayed are still the conversation's first ones; any undo or restart replays anew.
- The RulePolicy then checks every rule against every turn of the conversation, back to the
  first, although a rule only looks as far back as its own length: 2% of the CPU in a long
  conversation. The check stops after the longest rule.
- The CountVectorsFeaturizers (words, and character n-grams) call scikit-learn twice per message,
  and each call checks its input and builds a matrix: about 8% of the CPU. Given a list, each
  featurizer here makes one call for the tokens of all its messages and one for their texts, and
  gives each message its rows.
- DIET and the ResponseSelector each join a message's sparse features (a deep copy and a join per
  featurizer): the same work twice, 4% of the CPU. The joined features are kept with the message
  until another featurizer adds features to it.
- The RegexFeaturizer (the vocabulary lists of data/nlu/lookups.yml) looks each of its
  patterns up in re's cache and then, for every token, reads and writes the token's pattern
  dict once per pattern: 5% of the CPU. Here the patterns are compiled once, and each token's
  dict is read and written once.
- The conversation tracker's copy before every action and its `applied_events()`:
  bot/tracker_speedups.py.
`apply()` is idempotent; the components import it, so it runs in every process that loads the
model (`rasa run`, `rasa shell`, tests).
"""

import functools
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Text, Tuple, Type

from rasa.shared.core.constants import USER

from bot import tracker_speedups


def apply() -> None:
    _fast_event_lookup()
    _compiled_action_response_check()
    _predict_only_model_loading()
    _direct_sparse_feature_joining()
    _graph_runs_in_a_fixed_order()
    _batched_prediction()
    _incremental_dialogue_states()
    _rule_lookup_stops_after_the_longest_rule()
    _vocabulary_patterns_matched_once()
    _count_vectors_for_a_list()
    _combined_features_kept_with_the_message()
    tracker_speedups.apply()


def _fast_event_lookup() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    if getattr(original, "fast", False):
        return
    by_name: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None):
        found = by_name.get(type_name)
        if found is None:
            # A name not seen yet: rebuild the table (a subclass may have been imported since),
            # and keep Rasa's answer for unknown names (default, None or ValueError).
            by_name.clear()
            for cls in all_subclasses(Event):
                by_name.setdefault(cls.type_name, cls)  # the first one, as Rasa's loop picks
            found = by_name.get(type_name)
        return found if found is not None else original(type_name, default)

    resolve_by_type.fast = True
    Event.resolve_by_type = staticmethod(resolve_by_type)


def _compiled_action_response_check() -> None:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    if getattr(original, "compiled", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does on every call
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        # jsonschema.validate raises the most relevant of the errors: the same here.
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        return original(self, result)  # Rasa's own message and exception

    validate_action_result.compiled = True
    RemoteAction._validate_action_result = validate_action_result


def _predict_only_model_loading() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__
    if getattr(original, "predict_only", False):
        return

    def load(cls, model_file_name, model_data_example, predict_data_example=None,
             finetune_mode=False, *args, **kwargs):
        if finetune_mode or predict_data_example is None:  # training goes on: Rasa's way
            return original(cls, model_file_name, model_data_example, predict_data_example,
                            finetune_mode, *args, **kwargs)
        model = cls(*args, **kwargs)
        # One eager prediction creates the variables a prediction uses (no graph traced yet).
        run_eagerly, model._run_eagerly = model._run_eagerly, True
        model.run_inference(predict_data_example)
        model._run_eagerly = run_eagerly
        # The checkpoint also holds the optimizer's state, left unread on purpose.
        model.load_weights(model_file_name).expect_partial()
        # The label embeddings that prediction computed came from random weights.
        model.prepared_for_prediction = False
        model.run_inference(predict_data_example)
        # Its input signature has no fixed sizes, so one graph serves every message.
        model._tf_predict_step = _direct_call(model._tf_predict_step.get_concrete_function())
        return model

    load.predict_only = True
    load.rasa_load = original
    RasaModel.load = classmethod(load)


def _direct_call(graph: Any) -> Callable[[Tuple[Any, ...]], Any]:
    """Calls a traced prediction graph with a batch of arrays, as `graph(batch)` does, without
    TensorFlow's general argument matching (binding, nesting and type checks for any Python
    call: about 7% of the CPU of a served message). TensorFlow 2.12 is pinned (constraints.txt):
    `_call_flat` is the step its own call ends with."""
    import tensorflow as tf

    from tensorflow.python.eager import context
    from tensorflow.python.framework.constant_op import convert_to_eager_tensor

    specs = tf.nest.flatten(graph.structured_input_signature[0], expand_composites=True)

    def tensor(array: Any, dtype: Any) -> Any:
        # The step `tf.convert_to_tensor` ends with for an array of the preferred type, without
        # its dispatch, error-filtering and tracing layers around each of the batch's dozens of
        # arrays (4% of the CPU); anything else is converted the usual way.
        try:
            return convert_to_eager_tensor(array, context.context(), dtype)
        except (TypeError, ValueError):
            return tf.convert_to_tensor(array, dtype_hint=dtype)

    def predict_step(batch: Tuple[Any, ...]) -> Any:
        arrays = tf.nest.flatten(batch)
        tensors = [tensor(array, spec.dtype) for array, spec in zip(arrays, specs)]
        if len(tensors) != len(specs) or not all(
                spec.is_compatible_with(tensor) for spec, tensor in zip(specs, tensors)):
            return graph(batch)  # TensorFlow's own call, and its error
        return graph._call_flat(tensors, captured_inputs=graph.captured_inputs)

    return predict_step


def _direct_sparse_feature_joining() -> None:
    from rasa.shared.nlu.training_data.features import Features

    original = Features._combine_sparse_features
    if getattr(original, "direct", False):
        return

    def combine_sparse_features(self: Features, additional_features: Features) -> None:
        left, right = self.features, additional_features.features
        if not (_is_coo(left) and _is_coo(right) and left.shape[0] == right.shape[0]):
            return original(self, additional_features)  # other formats, and Rasa's own error
        self.features = hstack_coo(left, right)
        self._cached_fingerprint = None

    combine_sparse_features.direct = True
    Features._combine_sparse_features = combine_sparse_features


def _is_coo(matrix: Any) -> bool:
    import scipy.sparse

    return type(matrix) is scipy.sparse.coo_matrix


def hstack_coo(left: Any, right: Any) -> Any:
    """`scipy.sparse.hstack([left, right])` for two COO matrices with as many rows: the same
    entries in the same order, dtypes and shape, without SciPy's general block machinery."""
    import numpy as np
    import scipy.sparse
    from scipy.sparse._sputils import get_index_dtype, upcast

    shape = (left.shape[0], left.shape[1] + right.shape[1])
    index_dtype = get_index_dtype(maxval=max(shape))
    data = np.concatenate((left.data, right.data)).astype(upcast(left.dtype, right.dtype),
                                                          copy=False)
    row = np.concatenate((left.row, right.row)).astype(index_dtype, copy=False)
    col = np.concatenate((left.col, right.col)).astype(index_dtype)
    col[len(left.col):] += left.shape[1]  # in the wider type: the sum may not fit the narrower one
    return scipy.sparse.coo_matrix((data, (row, col)), shape=shape)


def _graph_runs_in_a_fixed_order() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    if getattr(DaskGraphRunner.run, "fast", False):
        return
    original = DaskGraphRunner.run

    def run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        plans = self.__dict__.setdefault("_plans_by_targets", {})
        plan = plans.get(tuple(run_targets))
        if plan is None:
            plan = plans[tuple(run_targets)] = execution_order(self._graph_schema, run_targets)
        if inputs:
            self._add_inputs_to_graph(inputs, dict(self._graph_schema.nodes))  # Rasa's name check
        # Like dask: an input is the pair (name, value), as every node's output is.
        results = {name: (name, value) for name, value in (inputs or {}).items()}
        try:
            for name, needs in plan:
                if name not in results:
                    results[name] = self._instantiated_nodes[name](
                        *(results.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)

    run.fast = True
    run.original = original
    DaskGraphRunner.run = run


def execution_order(schema: Any, targets: List[Text]) -> List[Tuple[Text, Tuple[Text, ...]]]:
    """The nodes `targets` need, each after the nodes it needs, with the names of those."""
    order: List[Tuple[Text, Tuple[Text, ...]]] = []
    seen = set()

    def visit(name: Text) -> None:
        if name in seen or name not in schema.nodes:  # not a node: an input placeholder
            return
        seen.add(name)
        needs = tuple(schema.nodes[name].needs.values())
        for need in needs:
            visit(need)
        order.append((name, needs))

    for target in targets:
        visit(target)
    return order


def _batched_prediction() -> None:
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.nlu.selectors.response_selector import ResponseSelector

    predict = DIETClassifier._predict
    if getattr(predict, "batched", False):
        return

    def predict_from_batch(self: DIETClassifier, message: Any) -> Any:
        outputs = self.__dict__.get("_batch_outputs")
        if outputs and id(message) in outputs:
            return outputs.pop(id(message))
        return predict(self, message)

    def batched(process: Callable) -> Callable:
        @functools.wraps(process)  # Rasa's graph validation reads its signature and type hints
        def process_list(self, messages):
            if len(messages) > 1:
                self._batch_outputs = predict_batch(self, messages)
            try:
                return process(self, messages)  # Rasa's; each `_predict` takes its row
            finally:
                self._batch_outputs = None
        process_list.batched = True
        return process_list

    predict_from_batch.batched = True
    DIETClassifier._predict = predict_from_batch
    DIETClassifier.process = batched(DIETClassifier.process)
    ResponseSelector.process = batched(ResponseSelector.process)


def predict_batch(classifier: Any, messages: List[Any]) -> Dict[int, Any]:
    """What `classifier._predict(message)` returns for each message (by id), from one call; empty
    where that could differ: entity tags and diagnostic data are per token, and a padded batch
    would change their shapes."""
    from rasa.utils.tensorflow.constants import ENTITY_RECOGNITION

    if (classifier.model is None or classifier.component_config.get(ENTITY_RECOGNITION)
            or classifier._execution_context.should_add_diagnostic_data):
        return {}
    model_data = classifier._create_model_data(messages, training=False)
    if model_data.is_empty() or model_data.number_of_examples() != len(messages):
        return {}
    outputs = classifier.model.run_inference(model_data, batch_size=len(messages))
    scores = outputs.get("i_scores")
    rows = getattr(scores, "shape", (0,))[0]
    if set(outputs) - {"i_scores", "diagnostic_data"} or rows != len(messages):
        return {}
    # Each as a batch of one, as `_predict` gives it; diagnostic data is not used (see above).
    return {id(message): {"i_scores": scores[row:row + 1], "diagnostic_data": None}
            for row, message in enumerate(messages)}


def _incremental_dialogue_states() -> None:
    from rasa.shared.core.domain import Domain

    original = Domain.states_for_tracker_history
    if getattr(original, "incremental", False):
        return

    def states_for_tracker_history(self: Domain, tracker: Any, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False,
                                   rule_only_data: Optional[Dict[Text, Any]] = None) -> List[Any]:
        if ignore_rule_only_turns:  # the machine-learning policies' history (none configured)
            return original(self, tracker, omit_unset_slots, ignore_rule_only_turns,
                            rule_only_data)
        applied = tracker.applied_events()
        replays = tracker.__dict__.setdefault("_state_replays", {})
        replay = replays.get(omit_unset_slots)
        if replay is None or not replay.continues(self, applied):
            replay = replays[omit_unset_slots] = StateReplay(self, tracker, omit_unset_slots)
        return replay.states_after(applied)

    states_for_tracker_history.incremental = True
    states_for_tracker_history.original = original
    Domain.states_for_tracker_history = states_for_tracker_history


class StateReplay:
    """A conversation's dialogue states, as `Domain.states_for_tracker_history` makes them
    (without `ignore_rule_only_turns`): the state before each action and the current one."""

    def __init__(self, domain: Any, tracker: Any, omit_unset_slots: bool) -> None:
        self._domain = domain
        self._omit_unset_slots = omit_unset_slots
        self._tracker = tracker.init_copy()
        self._events: List[Any] = []  # replayed so far
        self._states: List[Dict[Text, Any]] = []  # before each action replayed

    def continues(self, domain: Any, applied: List[Any]) -> bool:
        return (domain is self._domain and len(applied) >= len(self._events)
                and all(new is old for new, old in zip(applied, self._events)))

    def states_after(self, applied: List[Any]) -> List[Dict[Text, Any]]:
        from rasa.shared.core.events import ActionExecuted

        for event in applied[len(self._events):]:
            if isinstance(event, ActionExecuted):
                self._states.append(self._state())
            self._tracker.update(event)
            self._events.append(event)
        # Copies: callers delete keys from the states they get (the featurizer does).
        return [_copy_state(state) for state in self._states] + [self._state()]

    def _state(self) -> Dict[Text, Any]:
        return self._domain.get_active_state(self._tracker, omit_unset_slots=self._omit_unset_slots)


def _copy_state(state: Dict[Text, Any]) -> Dict[Text, Any]:
    # Rasa's featurizer deletes keys of the user sub-state (text or intent); the other
    # sub-states are only read.
    copied = dict(state)
    if USER in copied:
        copied[USER] = dict(copied[USER])
    return copied


def _rule_lookup_stops_after_the_longest_rule() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    if getattr(RulePolicy._get_possible_keys, "stops", False):
        return
    original = RulePolicy._get_possible_keys

    def get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text],
                          states: List[Dict[Text, Any]]) -> Set[Text]:
        # Rasa goes back through every turn of the conversation, but a rule applies to any turn
        # further back than its own length (`_is_rule_applicable`): past the longest rule,
        # nothing more can be filtered out.
        keys = set(lookup.keys())
        longest = max((len(self._rule_key_to_state(key)) for key in keys), default=0)
        for turn, state in enumerate(reversed(states)):
            if turn >= longest:
                break
            keys = {key for key in keys if self._is_rule_applicable(key, turn, state)}
        return keys

    get_possible_keys.stops = True
    get_possible_keys.original = original
    RulePolicy._get_possible_keys = get_possible_keys


def _vocabulary_patterns_matched_once() -> None:
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer

    if getattr(RegexFeaturizer._features_for_patterns, "once", False):
        return
    import re

    import numpy as np
    import scipy.sparse
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.shared.nlu.constants import ACTION_TEXT, RESPONSE, TEXT

    original = RegexFeaturizer._features_for_patterns

    def features_for_patterns(self: RegexFeaturizer, message: Any, attribute: Text) -> Any:
        text = message.get(attribute)
        tokens = message.get(TOKENS_NAMES[attribute], []) if text else []
        if not tokens:
            return None, None
        known, compiled = self.__dict__.get("_compiled_patterns", (None, None))
        if known is not self.known_patterns or len(compiled) != len(known):  # trained anew
            flags = 0 if self.case_sensitive else re.IGNORECASE
            known, compiled = self.__dict__["_compiled_patterns"] = (self.known_patterns, [
                (pattern["name"], re.compile(pattern["pattern"], flags))
                for pattern in self.known_patterns])
        sequence_features = np.zeros([len(tokens), len(compiled)])
        sentence_features = np.zeros([1, len(compiled)])
        whole_message = attribute in (RESPONSE, TEXT, ACTION_TEXT)
        # Each token's {pattern name: matched} dict, filled in pattern order as Rasa fills it.
        token_patterns = [token.get("pattern", default={}) for token in tokens]
        for index, (name, regex) in enumerate(compiled):
            spans = [match.span() for match in regex.finditer(text)]
            for row, (token, patterns) in enumerate(zip(tokens, token_patterns)):
                matched = any(token.start < end and token.end > start for start, end in spans)
                patterns[name] = matched
                if matched:
                    sequence_features[row][index] = 1.0
                    if whole_message:
                        sentence_features[0][index] = 1.0
        for token, patterns in zip(tokens, token_patterns):
            token.set("pattern", patterns)
        return (scipy.sparse.coo_matrix(sequence_features),
                scipy.sparse.coo_matrix(sentence_features))

    features_for_patterns.once = True
    features_for_patterns.original = original
    RegexFeaturizer._features_for_patterns = features_for_patterns


@contextmanager
def rasa_model_loading() -> Iterator[None]:
    """Rasa's own way of loading DIET and the ResponseSelector, for comparison (tests)."""
    from rasa.utils.tensorflow.models import RasaModel

    lean = RasaModel.load
    RasaModel.load = classmethod(lean.__func__.rasa_load)
    try:
        yield
    finally:
        RasaModel.load = lean


def _count_vectors_for_a_list() -> None:
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer)

    original = CountVectorsFeaturizer.process
    if getattr(original, "listwise", False):
        return

    @functools.wraps(original)  # Rasa's graph validation reads the signature
    def process(self: CountVectorsFeaturizer, messages: List[Any]) -> List[Any]:
        if self.vectorizers is None or len(messages) < 2:
            return original(self, messages)  # and Rasa's own error when untrained
        # Attribute by attribute: each message still gets its features in Rasa's order.
        for attribute in self._attributes:
            all_tokens = [self._get_processed_message_tokens_by_attribute(message, attribute)
                          for message in messages]
            sequences, sentences = count_vectors(self, attribute, all_tokens)
            for message, sequence, sentence in zip(messages, sequences, sentences):
                self.add_features_to_message(sequence, sentence, attribute, message)
        return messages

    process.listwise = True
    CountVectorsFeaturizer.process = process


def count_vectors(featurizer: Any, attribute: Text,
                  all_tokens: List[List[Text]]) -> Tuple[List[Any], List[Any]]:
    """Rasa's `CountVectorsFeaturizer._create_features` for many messages, with two calls of
    the vectorizer: its rows are each token's counts, as they are for one message at a time."""
    from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES

    sequences: List[Any] = [None] * len(all_tokens)
    sentences: List[Any] = [None] * len(all_tokens)
    vectorizer = featurizer.vectorizers.get(attribute)
    with_tokens = [i for i, tokens in enumerate(all_tokens) if tokens]
    if not vectorizer or not with_tokens:
        return sequences, sentences
    matrix = vectorizer.transform([token for i in with_tokens for token in all_tokens[i]])
    start = 0
    for i in with_tokens:
        end = start + len(all_tokens[i])
        sequences[i] = _sorted_coo(matrix[start:end])
        start = end
    if attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
        matrix = vectorizer.transform([" ".join(all_tokens[i]) for i in with_tokens])
        for row, i in enumerate(with_tokens):
            sentences[i] = _sorted_coo(matrix[row:row + 1])
    return sequences, sentences


def _sorted_coo(rows: Any) -> Any:
    rows.sort_indices()
    return rows.tocoo()


def _combined_features_kept_with_the_message() -> None:
    from rasa.shared.nlu.training_data.message import Message

    original = Message.get_sparse_features
    if getattr(original, "kept", False):
        return

    @functools.wraps(original)
    def get_sparse_features(self: Message, attribute: Text,
                            featurizers: Optional[List[Text]] = None):
        # Features are only ever added to a message: their number tells whether it changed.
        count, kept = self.__dict__.get("_kept_sparse_features", (None, None))
        if count != len(self.features):
            kept = {}
            self._kept_sparse_features = (len(self.features), kept)
        key = (attribute, tuple(featurizers or ()))
        if key not in kept:
            kept[key] = original(self, attribute, featurizers)
        return kept[key]

    get_sparse_features.kept = True
    Message.get_sparse_features = get_sparse_features
