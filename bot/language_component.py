"""Rasa NLU graph component that puts the English/Spanish decision on every parsed message.

It adds a top-level `language` key to the parse result ("en", "es", or None when undecided) and,
when decided, a `language` entity that fills the `language` slot. An undecided message adds no
entity, so the slot, and with it the conversation, keeps its language.

It sits after the intent classifiers and before the FallbackClassifier because it is the
authority on language: a message in a third language becomes the `other_language` intent, and a
classifier's `other_language` guess on a message in English or Spanish is dropped.
"""

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import nlu_batching, rasa_speedups
from bot.form_answers import take_as_form_answer
from bot.intent_ranking import drop_intents, intent_name, set_intent
from bot.language import ENGLISH, SPANISH, LanguageDetector, Lexicon
from bot.training_vocabulary import training_vocabulary

logger = logging.getLogger(__name__)


def _guard_parse_results() -> None:
    """Makes every parse result carry `language` (null when undecided) and survive empty text
    and lone surrogates.

    Rasa drops None-valued keys from a parsed message, and button payloads ("/greet") skip the
    NLU pipeline altogether; clients and analytics rely on the key being there, so it is added
    after parsing. An empty message makes Rasa's RegexFeaturizer emit no features, which crashes
    the classifier, so it is answered as not understood without running the pipeline. A lone
    surrogate (the JSON escape "\\ud800" on its own, which only a broken or hostile client sends)
    is dropped from the message before parsing, and so from the conversation: it means nothing,
    and lingua, spaCy and the databases take only text that can be written as UTF-8.
    While the booking form asks for the patient's name, a bare name the classifier took for an
    FAQ question is that answer (`bot.form_answers`): only here does parsing see the conversation.
    Rasa is pinned to 3.6.21, whose `MessageProcessor.parse_message` this wraps.
    """
    from rasa.core.processor import MessageProcessor
    from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME

    if getattr(MessageProcessor.parse_message, "guarded", False):
        return
    # Inside the guard: only messages with text wait for a batch.
    nlu_batching.apply()
    parse_message = MessageProcessor.parse_message

    async def guarded_parse_message(self, message, tracker=None, *args, **kwargs):
        if isinstance(message.text, str):
            message.text = message.text.encode("utf-8", "ignore").decode("utf-8")
        if not (message.text or "").strip():
            not_understood = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                              PREDICTED_CONFIDENCE_KEY: 1.0}
            parsed = {TEXT: message.text or "", INTENT: not_understood, ENTITIES: [],
                      INTENT_RANKING_KEY: [not_understood]}
        else:
            parsed = await parse_message(self, message, tracker, *args, **kwargs)
            take_as_form_answer(parsed, tracker)
        parsed.setdefault(LANGUAGE_KEY, None)
        return parsed

    guarded_parse_message.guarded = True
    MessageProcessor.parse_message = guarded_parse_message


LANGUAGE_KEY = "language"
OTHER_LANGUAGE_KEY = "other_language"
OTHER_LANGUAGE_INTENT = "other_language"
_LEXICON_FILE = "lexicon.npz"
# What models trained before 2026-11-26 hold (`make update-model ARGS=--restore-previous` may
# serve one again).
_OLD_LEXICON_FILE = "lexicon.json.gz"

_guard_parse_results()
rasa_speedups.apply()


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class LanguageDetectorComponent(GraphComponent):
    """Decides en/es per message; see `bot.language` for how."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Folders of NLU examples per language: their words are strong evidence for it.
            "vocabulary_folders": {ENGLISH: "data/nlu/en", SPANISH: "data/nlu/es"},
            # Words rarer than this in spaCy's frequency tables are left out of the lexicon.
            "min_log_prob": -17.0,
            # Evidence (log-odds) weaker than this leaves the message undecided.
            "undecided_margin": 0.5,
            # lingua's confidence needed to call a message a third language (with langdetect).
            "other_language_min_confidence": 0.7,
            # Shorter messages are never called a third language.
            "other_language_min_words": 3,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Optional[Lexicon] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._detector = make_detector(config, lexicon) if lexicon else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetectorComponent":
        folders = config["vocabulary_folders"]
        if set(folders) != {ENGLISH, SPANISH}:
            raise ValueError(
                "LanguageDetectorComponent: 'vocabulary_folders' must name exactly the 'en' and "
                f"'es' NLU folders, e.g. {{en: data/nlu/en, es: data/nlu/es}}; got {folders}."
            )
        if config["undecided_margin"] < 0:
            raise ValueError("LanguageDetectorComponent: 'undecided_margin' must be ≥ 0.")
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Builds the lexicon once, at training time, and stores it in the model."""
        lexicon = build_lexicon(self._config)
        with self._model_storage.write_to(self._resource) as directory:
            lexicon.save(Path(directory) / _LEXICON_FILE)
        logger.debug("Language lexicon built with %d words.", len(lexicon))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageDetectorComponent":
        with model_storage.read_from(resource) as directory:
            path = Path(directory) / _LEXICON_FILE
            lexicon = Lexicon.load(path if path.exists() else Path(directory) / _OLD_LEXICON_FILE)
        return cls(config, model_storage, resource, lexicon)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        decision = self._detector.decide(text)
        logger.debug(
            "Language %s (%s, score %.1f).", decision.language, decision.reason, decision.score
        )
        message.set(LANGUAGE_KEY, decision.language, add_to_output=True)
        if decision.language:
            entity = {
                ENTITY_ATTRIBUTE_TYPE: LANGUAGE_KEY,
                ENTITY_ATTRIBUTE_VALUE: decision.language,
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                EXTRACTOR: self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        if decision.other_language:
            message.set(OTHER_LANGUAGE_KEY, decision.other_language, add_to_output=True)
            set_intent(message, OTHER_LANGUAGE_INTENT, 1.0)
        elif decision.language and intent_name(message) == OTHER_LANGUAGE_INTENT:
            # The classifier's next guess replaces it; the fallback judges its confidence.
            drop_intents(message, [OTHER_LANGUAGE_INTENT])


def build_lexicon(config: Dict[Text, Any]) -> Lexicon:
    vocabulary = training_vocabulary(config["vocabulary_folders"])
    return Lexicon.build(vocabulary, min_log_prob=config["min_log_prob"])


def make_detector(config: Dict[Text, Any], lexicon: Lexicon) -> LanguageDetector:
    return LanguageDetector(
        lexicon,
        undecided_margin=config["undecided_margin"],
        other_language_min_words=config["other_language_min_words"],
        other_language_min_confidence=config["other_language_min_confidence"],
    )


def detector_from_project_config(config_file: Text = "config.yml") -> LanguageDetector:
    """The detector exactly as `config.yml` configures it, built without training a model.

    For tests and benchmarks: the same lexicon and thresholds the trained assistant uses.
    """
    from rasa.shared.utils.io import read_config_file

    name = f"{__name__}.{LanguageDetectorComponent.__name__}"
    entries = [c for c in read_config_file(config_file)["pipeline"] if c["name"] == name]
    if not entries:
        raise ValueError(f"{config_file} has no '{name}' in its pipeline.")
    config = {**LanguageDetectorComponent.get_default_config(), **entries[0]}
    return make_detector(config, build_lexicon(config))
