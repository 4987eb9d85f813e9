"""Safety figures: recall per safety intent and false alarms on look-alikes, per language, for
the patterns alone and for the trained assistant, on tests/safety/ (used while building the
patterns) and bench/safety_unseen/ (written blind, never used for tuning)."""

import asyncio
from pathlib import Path
from typing import Callable

from bot.safety import SAFETY_INTENTS, SafetyPatterns
from bot.safety_evaluation import LOOKALIKE, load_sets, score

SETS = [(Path("tests/safety"), "tests/safety (built against)"),
        (Path("bench/safety_unseen"), "bench/safety_unseen (never tuned on)")]
KEYS = list(SAFETY_INTENTS) + [LOOKALIKE]


def report(parse: Callable, title: str) -> None:
    print(f"\n## Safety: {title}")
    print(f"{'set':40} {'lang':4} " + " ".join(f"{k:>18}" for k in KEYS))
    for folder, label in SETS:
        if not folder.is_dir():
            print(f"{label:40} skipped: {folder} is missing")
            continue
        for language, sets in load_sets(folder).items():
            cells = []
            for key in KEYS:
                result = asyncio.run(score(parse, sets[key], key))
                cells.append(f"{result.correct:>3}/{result.total:<3} {100 * result.rate:5.1f}%")
            print(f"{label:40} {language:4} " + " ".join(f"{c:>18}" for c in cells))
    print("(safety intents: recall; lookalike: share given no safety intent)")


def patterns_parse() -> Callable:
    patterns = SafetyPatterns()

    async def parse(text):
        return {"intent": {"name": patterns.classify(text).intent}}
    return parse


def main(model: str) -> None:
    from rasa.core.agent import Agent

    report(patterns_parse(), "patterns alone")
    report(Agent.load(model).parse_message, "the trained assistant (patterns + classifier)")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "models/assistant.tar.gz")
