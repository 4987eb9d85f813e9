"""Measures intent accuracy per language on the held-out examples in tests/nlu/ (never trained on)."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Tuple

HELD_OUT_FOLDER = Path("tests/nlu")
# Below these a new model is refused (bot/model_update.py) and the test suite fails. The product
# target is 0.95; the held-out split measures 0.92-0.94 (English) and 0.875-0.904 (Spanish): the
# same data and code train differently on different CPUs (README, "Measured"). The floors sit
# below the lowest figure seen, to catch a real regression and not a machine's rounding.
HELD_OUT_FLOORS = {"en": 0.89, "es": 0.86}
Parse = Callable[[str], Awaitable[Dict[str, Any]]]


@dataclass(frozen=True)
class Example:
    language: str  # the folder it came from: "en", "es", or "other"
    text: str
    intent: str  # full retrieval intent for FAQs: "faq/side_effects"


@dataclass
class LanguageReport:
    total: int = 0
    correct: int = 0
    misses: List[Tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def held_out_examples(folder: Path = HELD_OUT_FOLDER) -> List[Example]:
    """Every example under `folder`, its language given by its subfolder (`en/`, `es/`)."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path in sorted(folder.rglob("*.yml")):
        language = path.parent.name if path.parent != folder else "other"
        for message in load_data(str(path)).intent_examples:
            intent = message.get("intent_response_key") or message.get("intent")
            examples.append(Example(language, message.get("text"), intent))
    return examples


def predicted_intent(parse_data: Dict[str, Any]) -> str:
    """The intent as the held-out files name it: a retrieval intent with its response key."""
    intent = (parse_data.get("intent") or {}).get("name")
    selected = (parse_data.get("response_selector") or {}).get(intent or "", {})
    return selected.get("response", {}).get("intent_response_key") or intent


async def evaluate(parse: Parse, examples: List[Example]) -> Dict[str, LanguageReport]:
    reports: Dict[str, LanguageReport] = defaultdict(LanguageReport)
    for example in examples:
        got = predicted_intent(await parse(example.text))
        report = reports[example.language]
        report.total += 1
        if got == example.intent:
            report.correct += 1
        else:
            report.misses.append((example.text, example.intent, got))
    return dict(reports)


def not_in_training(examples: List[Example], training_folder: Path = Path("data/nlu")) -> List[Example]:
    """The examples that no training example equals, case, accents and punctuation aside."""
    from rasa.shared.nlu.training_data.loading import load_data

    trained = {_plain(m.get("text")) for m in load_data(str(training_folder)).intent_examples}
    return [e for e in examples if _plain(e.text) not in trained]


def _plain(text: str) -> str:
    from bot.language import strip_accents

    return " ".join(re.findall(r"\w+", strip_accents(text)))
