"""Scores the safety layer on sets of patient messages: recall per safety intent, false alarms.

A set is a YAML file per language (`en.yml`, `es.yml`) with lists under `crisis`,
`medical_emergency`, `medical_advice` and `lookalike` (benign messages that share the words).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List

from bot.nlu_evaluation import predicted_intent
from bot.safety import SAFETY_INTENTS

LOOKALIKE = "lookalike"
Parse = Callable[[str], Awaitable[Dict[str, Any]]]


@dataclass
class SetScore:
    """For a safety intent: how many were recognised. For look-alikes: how many were not."""

    total: int = 0
    correct: int = 0
    wrong: List[str] = field(default_factory=list)  # "message → predicted intent"

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_sets(folder: Path) -> Dict[str, Dict[str, List[str]]]:
    """{language: {set name: messages}} for every `<language>.yml` in `folder`."""
    import yaml

    if not folder.is_dir():
        raise FileNotFoundError(f"No safety message sets at {folder}.")
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.yml"))}


async def score(parse: Parse, messages: List[str], expected: str,
                false_alarms: tuple = SAFETY_INTENTS) -> SetScore:
    """Recall of `expected`; for `lookalike`, messages given none of `false_alarms`."""
    result = SetScore()
    for message in messages:
        got = predicted_intent(await parse(message))
        ok = got not in false_alarms if expected == LOOKALIKE else got == expected
        result.total += 1
        result.correct += ok
        if not ok:
            result.wrong.append(f"{message} → {got}")
    return result
