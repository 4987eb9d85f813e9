"""The FallbackClassifier's thresholds for the blend: `python -m bench.fallback_thresholds`.

The FallbackClassifier answers "not understood" when the first intent's confidence is under its
`threshold`, or within its `ambiguity_threshold` of the second's. For each pair of a grid this
prints, per language, what the served blend would do with the training examples in the
cross-validation of `bench.intent_cv` (its folds, and its cached DIET opinions if it ran before;
otherwise they are trained, several minutes a fold): answer right, answer wrong, or fall back.
And, as the other side of the trade, how much of a generated gibberish set the served model
still sends to the fallback with that pair. A lower threshold answers more questions, and more
of them wrongly.

Only counts are printed, never a test message. Not part of the test suite: figures, not pass/fail.
"""

import argparse
import asyncio
import itertools
import logging
import os
import random
import string
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

from bench.intent_cv import (TRAINING_FOLDER, Opinion, cross_validated_opinions,
                             first_stage_config, served_blend_settings, served_settings,
                             top_intent)
from bot.nlu_evaluation import held_out_examples

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
CONSONANTS, VOWELS = "bcdfghjklmnprstvwxz", "aeiou"
POLITE = {"en": "please", "es": "por favor"}


def gibberish(language: str, count: int, seed: int = 0) -> List[str]:
    """Strings no patient means as a question: keyboard runs, random letters, pseudo-words."""
    rng = random.Random(f"{language}-{seed}")

    def word() -> str:
        kind = rng.randrange(3)
        if kind == 0:
            row = rng.choice(KEYBOARD_ROWS)
            start = rng.randrange(len(row) - 3)
            return row[start:start + rng.randint(3, len(row) - start)]
        if kind == 1:
            return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 8)))
        syllables = rng.randint(2, 3)  # one syllable is often a word ("hi", "no")
        return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))

    texts = []
    for index in range(count):
        words = [word() for _ in range(rng.randint(1, 4))]
        if index % 2:
            words.append(POLITE[language])
        texts.append(" ".join(words))
    return texts


def falls_back(ranking: Sequence[Tuple[str, float]], threshold: float, ambiguity: float,
               urgent: Iterable[str], urgent_min_confidence: float) -> bool:
    """The FallbackClassifier's test on an intent ranking, but for the urgent guesses the
    SafetyComponent acts on anyway (from `urgent_min_confidence`). Rasa's own test is private
    and needs a Message per pair; this is its two comparisons."""
    name, confidence = ranking[0]
    if name in urgent and confidence >= urgent_min_confidence:
        return False
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return confidence < threshold or confidence - second < ambiguity


def blended_ranking(diet: Opinion, linear: Opinion, weight: float, retrieval_intent: str
                    ) -> Tuple[List[Tuple[str, float]], str]:
    """The intent ranking and the full intent the BlendedIntentClassifier would set."""
    from bot.blended_intent_classifier import blend, intent_totals
    from bot.safety import URGENT_INTENTS

    urgent_first = top_intent(diet, retrieval_intent) in URGENT_INTENTS  # left as DIET ranked it
    opinion = diet if urgent_first else blend(diet, linear, weight)
    intents = intent_totals(opinion)
    ranking = sorted(intents.items(), key=lambda item: -item[1])
    return ranking, top_intent(opinion, retrieval_intent)


def served_rankings(model: Path, texts: Sequence[str]) -> List[List[Tuple[str, float]]]:
    """The served model's intent ranking for each text, as the FallbackClassifier saw it."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def ask() -> List[List[Tuple[str, float]]]:
        rankings = []
        for text in texts:
            parsed = await agent.parse_message(text)
            rankings.append([(i["name"], i["confidence"]) for i in parsed["intent_ranking"]
                             if i["name"] != "nlu_fallback"])
        return rankings
    return asyncio.run(ask())


def main() -> None:
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    from bot.safety import URGENT_INTENTS
    from bot.safety_component import SafetyComponent

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--model", type=Path, default=Path("models/assistant.tar.gz"),
                        help="the served model, for the gibberish set")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.2, 0.25, 0.3, 0.35, 0.4])
    parser.add_argument("--ambiguities", type=float, nargs="+", default=[0.0, 0.02, 0.05])
    parser.add_argument("--gibberish", type=int, default=200, help="generated strings per language")
    parser.add_argument("--work", type=Path, default=Path("bench/results/intent_cv"),
                        help="bench.intent_cv's cache of the folds' DIET opinions")
    args = parser.parse_args()
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    import structlog

    # Rasa's debug lines would print every message parsed; only counts leave this script.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.disable(logging.INFO)
    args.work.mkdir(parents=True, exist_ok=True)

    from rasa.shared.nlu.training_data.loading import load_data

    from bot.blended_intent_classifier import lookup_tables

    served = served_blend_settings(args.config)
    urgent_min = served_settings(args.config, SafetyComponent)["urgent_min_confidence"]
    examples = held_out_examples(TRAINING_FOLDER)
    diet, linear = cross_validated_opinions(
        examples, 5, first_stage_config(args.config), args.work, served["regularization"],
        lookup_tables(load_data(str(TRAINING_FOLDER))), served["lookup_weight"])
    retrieval_intent = served["retrieval_intent"]
    decided = [blended_ranking(d, s, served["weight"], retrieval_intent)
               for d, s in zip(diet, linear)]
    languages = [language for language in POLITE if any(e.language == language for e in examples)]
    noise = {language: served_rankings(args.model, gibberish(language, args.gibberish))
             for language in languages}

    print(f"\n## Fallback thresholds: 5-fold cross-validation of {TRAINING_FOLDER} (served blend "
          f"{served['weight']:g}), and {args.gibberish} generated gibberish strings per language "
          f"through {args.model}")
    fallback = served_settings(args.config, FallbackClassifier)
    served_pair = (fallback["threshold"], fallback["ambiguity_threshold"])
    print(f"{'threshold':>9} {'ambiguity':>9} {'lang':>4} {'right':>6} {'wrong':>6} "
          f"{'fallback':>8} {'gibberish to fallback':>22}")
    for threshold, ambiguity in itertools.product(args.thresholds, args.ambiguities):
        test = partial(falls_back, threshold=threshold, ambiguity=ambiguity,
                       urgent=URGENT_INTENTS, urgent_min_confidence=urgent_min)
        mark = "  (served)" if (threshold, ambiguity) == served_pair else ""
        for language in languages:
            outcome = Counter("fallback" if test(ranking) else
                              "right" if chosen == example.intent else "wrong"
                              for example, (ranking, chosen) in zip(examples, decided)
                              if example.language == language)
            caught = sum(test(ranking) for ranking in noise[language] if ranking)
            print(f"{threshold:>9.2f} {ambiguity:>9.2f} {language:>4} {outcome['right']:>6} "
                  f"{outcome['wrong']:>6} {outcome['fallback']:>8} "
                  f"{caught:>12}/{len(noise[language]):<4} "
                  f"{100 * caught / len(noise[language]):5.1f}%{mark}")

if __name__ == "__main__":
    main()
