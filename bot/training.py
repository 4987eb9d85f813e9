"""Trains the assistant so that a change to an answer's wording retrains no classifier.

Rasa copies every response text into the NLU training data (for response selectors that learn
from answer texts), so Rasa's fingerprint cache sees an edited answer as new NLU data and retrains
DIET and the ResponseSelector: minutes on two cores. Ours learn from the questions only (the
ResponseSelector's `use_text_as_label` is off: its labels are the topic keys, `faq/cost`), so the
NLU side is given the response *names* instead of their texts. The model's domain still carries
the real texts (Rasa's core training already ignores them), so an answer edit re-packages the
model from cache in seconds. `rasa train` still works; it just cannot reuse the classifiers
after an answer edit.

`python -m bot.training [--dry-run]` trains models/assistant.tar.gz from the project's files
(`make train`; `make update-model` adds the accuracy check and the reload).
"""

import argparse
import logging
import sys
from pathlib import Path
from typing import Dict, List, Optional, Text

from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import RESPONSE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

DEFAULT_MODEL = Path("models/assistant.tar.gz")


class AnswerWordingFreeImporter(TrainingDataImporter):
    """Rasa's importer, with response texts kept out of the NLU training data."""

    def __init__(self, importer: TrainingDataImporter) -> None:
        self._importer = importer

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        data = self._importer.get_nlu_data(language)
        examples = [Message(data={key: value for key, value in example.data.items() if key != RESPONSE},
                            output_properties=example.output_properties)
                    for example in data.training_examples]
        # Rasa fills each FAQ example's RESPONSE from these: the name, stable under any edit.
        names: Dict[Text, List[Dict[Text, Text]]] = {name: [{"text": name}] for name in data.responses}
        return TrainingData(training_examples=examples, entity_synonyms=data.entity_synonyms,
                            regex_features=data.regex_features, lookup_tables=data.lookup_tables,
                            responses=names)

    def get_domain(self):
        return self._importer.get_domain()

    def get_stories(self, exclusion_percentage: Optional[int] = None):
        return self._importer.get_stories(exclusion_percentage)

    def get_conversation_tests(self):
        return self._importer.get_conversation_tests()

    def get_config(self) -> Dict:
        return self._importer.get_config()

    def get_config_file_for_auto_config(self) -> Optional[Text]:
        return self._importer.get_config_file_for_auto_config()


def train(domain: Path = Path("domain.yml"), config: Path = Path("config.yml"),
          data: Path = Path("data"), output: Path = DEFAULT_MODEL, dry_run: bool = False):
    """Trains (or, dry, only fingerprints) the model; returns Rasa's TrainingResult.

    The dry run's `code` is 0 when nothing needs training; `dry_run_results` names each graph
    node with whether the cache holds it.
    """
    from rasa.model_training import _train_graph
    from rasa.shared.data import TrainingType

    importer = AnswerWordingFreeImporter(
        TrainingDataImporter.load_from_config(str(config), str(domain), [str(data)]))
    # `rasa.train` builds this importer itself; `_train_graph` is the rest of it (Rasa 3.6.21).
    return _train_graph(importer, training_type=TrainingType.BOTH,
                        output_path=str(output.parent), fixed_model_name=output.name,
                        dry_run=dry_run)


# What a graph node trains, in the words of the person who edited the data.
PART_NAMES = {"DIETClassifier": "intent classifier", "ResponseSelector": "FAQ topic selector",
              "CountVectorsFeaturizer": "word features", "RegexFeaturizer": "vocabulary features",
              "BlendedIntentClassifier": "second-opinion intent classifier",
              "LanguageDetectorComponent": "language detector vocabulary",
              "RulePolicy": "conversation rules", "SafetyPolicy": "safety replies"}


def retrained_parts(dry_run_result) -> List[str]:
    """The parts a training would run again, because the cache has no result for them."""
    parts = []
    for node, status in sorted((dry_run_result.dry_run_results or {}).items()):
        if node.startswith("train_") and not getattr(status, "is_hit", True):
            component = node[len("train_"):].rstrip("0123456789").rsplit(".", 1)[-1]
            parts.append(f"{PART_NAMES.get(component, component)} ({component})")
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL, help="model file to write")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be retrained")
    args = parser.parse_args()
    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.INFO)  # Rasa's CLI progress lines, as `rasa train`
    result = train(output=args.out, dry_run=args.dry_run)
    if args.dry_run:
        print("\n".join(retrained_parts(result)) or "Nothing to retrain.")
        return 0
    return result.code


if __name__ == "__main__":
    sys.exit(main())
