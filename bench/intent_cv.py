"""Cross-validated intent accuracy on the training examples alone: how the classifiers' settings
are chosen without looking at any test set (`python -m bench.intent_cv --help`).

The examples of data/nlu/ are split into folds, stratified by language and intent. For each fold,
DIET and the ResponseSelector (config.yml's pipeline up to the BlendedIntentClassifier) and the
linear classifier are trained on the other folds and asked about this one. The script prints,
per language, each opinion alone and their blend for a range of linear weights, with the served
rule that a crisis or emergency DIET ranks first stays DIET's; and, for the safety intents, how
many were ranked first (recall) and how many other examples were ranked a safety intent. With
--confusions, it lists the examples the served blend mixes up most, for a review of their labels.

Each fold's DIET opinions are kept under --work (keyed by the fold's data and the pipeline), so a
second run only refits the linear classifier. Training takes about 5 minutes a fold on 2 cores.
Not part of the test suite: figures, not pass/fail.
"""

import argparse
import asyncio
import hashlib
import json
import logging
import os
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from bot.nlu_evaluation import Example, held_out_examples

TRAINING_FOLDER = Path("data/nlu")
Opinion = Dict[str, float]


def folds(examples: Sequence[Example], count: int) -> List[List[int]]:
    """The test indices of each fold, stratified by language and intent, the same on every run."""
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{e.language}|{e.intent}" for e in examples]
    splitter = StratifiedKFold(count, shuffle=True, random_state=0)
    return [list(test) for _, test in splitter.split(strata, strata)]


def served_blend_settings(config_path: Path) -> dict:
    """The BlendedIntentClassifier's settings as config.yml serves them (its defaults filled in)."""
    from bot.blended_intent_classifier import BlendedIntentClassifier

    return served_settings(config_path, BlendedIntentClassifier)


def served_settings(config_path: Path, component_class: type) -> dict:
    """A pipeline component's settings as `config_path` serves them (its defaults filled in)."""
    from rasa.shared.utils.io import read_yaml_file

    component = next(c for c in read_yaml_file(str(config_path))["pipeline"]
                     if c["name"].endswith(component_class.__name__))
    return {**component_class.get_default_config(), **component}


def first_stage_config(config_path: Path) -> dict:
    """config.yml's pipeline up to the BlendedIntentClassifier, without policies: DIET's opinion."""
    from rasa.shared.utils.io import read_yaml_file

    config = read_yaml_file(str(config_path))
    names = [component["name"] for component in config["pipeline"]]
    cut = next(i for i, name in enumerate(names) if name.endswith("BlendedIntentClassifier"))
    return {**config, "pipeline": config["pipeline"][:cut], "policies": []}


def diet_opinions(train: Sequence[Example], test: Sequence[Example], config: dict,
                  work: Path) -> List[Opinion]:
    """DIET's (with the ResponseSelector's) probability per full intent for each test example."""
    key = hashlib.sha256(json.dumps([config, [(e.text, e.intent) for e in train],
                                     [e.text for e in test]]).encode()).hexdigest()[:16]
    cached = work / f"opinions-{key}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    with tempfile.TemporaryDirectory() as folder:
        model = _train_first_stage(train, config, Path(folder))
        opinions = asyncio.run(_ask(model, test, config))
    cached.write_text(json.dumps(opinions))
    return opinions


def _train_first_stage(train: Sequence[Example], config: dict, folder: Path) -> Path:
    from rasa.model_training import _train_graph
    from rasa.shared.data import TrainingType
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from rasa.shared.utils.io import write_yaml

    from bot.training import AnswerWordingFreeImporter

    wanted = Counter((e.text, e.intent) for e in train)
    everything = load_data(str(TRAINING_FOLDER))
    kept = []
    for message in everything.intent_examples:
        pair = (message.get("text"), message.get("intent_response_key") or message.get("intent"))
        if wanted[pair]:
            wanted[pair] -= 1
            kept.append(message)
    data = folder / "data"
    data.mkdir()
    (data / "nlu.yml").write_text(TrainingData(
        training_examples=kept, regex_features=everything.regex_features,
        lookup_tables=everything.lookup_tables).nlu_as_yaml(), encoding="utf-8")
    write_yaml(config, folder / "config.yml")
    importer = AnswerWordingFreeImporter(TrainingDataImporter.load_from_config(
        str(folder / "config.yml"), "domain.yml", [str(data)]))
    result = _train_graph(importer, training_type=TrainingType.NLU, output_path=str(folder),
                          fixed_model_name="fold.tar.gz")
    return Path(result.model)


async def _ask(model: Path, test: Sequence[Example], config: dict) -> List[Opinion]:
    from rasa.core.agent import Agent

    from bot.blended_intent_classifier import first_opinion

    retrieval_intent = _retrieval_intent(config)
    agent = Agent.load(str(model))
    opinions = []
    for example in test:
        parsed = await agent.parse_message(example.text)
        selector = (parsed.get("response_selector") or {}).get(retrieval_intent)
        opinions.append(dict(first_opinion(parsed["intent_ranking"], selector, retrieval_intent)))
    return opinions


def _retrieval_intent(config: dict) -> str:
    return next(c.get("retrieval_intent", "faq") for c in config["pipeline"]
                if c["name"] == "ResponseSelector")


def linear_opinions(train: Sequence[Example], test: Sequence[Example], regularization: float,
                    tables: Dict[str, List[str]], lookup_weight: float) -> List[Opinion]:
    from bot.linear_classifier import LinearClassifier, fit_pipeline

    linear = LinearClassifier.from_pipeline(fit_pipeline(
        [e.text for e in train], [e.intent for e in train], regularization, tables, lookup_weight))
    return [linear.probabilities(e.text) for e in test]


def cross_validated_opinions(examples: Sequence[Example], count: int, config: dict, work: Path,
                             regularization: float, tables: Dict[str, List[str]],
                             lookup_weight: float) -> Tuple[List[Opinion], List[Opinion]]:
    """Each example's DIET and linear opinions, from the fold that left the example out."""
    diet: List[Opinion] = [{} for _ in examples]
    linear: List[Opinion] = [{} for _ in examples]
    for number, test_indices in enumerate(folds(examples, count), start=1):
        held = set(test_indices)
        train = [e for i, e in enumerate(examples) if i not in held]
        test = [examples[i] for i in test_indices]
        print(f"fold {number}/{count}: {len(train)} training, {len(test)} asked", flush=True)
        for i, d, s in zip(test_indices, diet_opinions(train, test, config, work),
                           linear_opinions(train, test, regularization, tables, lookup_weight)):
            diet[i], linear[i] = d, s
    return diet, linear


def served_choice(diet: Opinion, linear: Opinion, weight: float, retrieval_intent: str) -> str:
    """The full intent the BlendedIntentClassifier would decide (bot/blended_intent_classifier)."""
    from bot.blended_intent_classifier import blend
    from bot.safety import URGENT_INTENTS

    diet_first = top_intent(diet, retrieval_intent)
    if diet_first in URGENT_INTENTS:  # left as DIET ranked it
        return diet_first
    return top_intent(blend(diet, linear, weight), retrieval_intent)


def top_intent(opinion: Opinion, retrieval_intent: str) -> str:
    """The full intent ranked first, as the component ranks: the intent, then its best topic."""
    from bot.blended_intent_classifier import intent_totals

    intents = intent_totals(opinion)
    best = max(intents, key=intents.get)
    if best != retrieval_intent:
        return best
    return max((label for label in opinion if label.split("/")[0] == best), key=opinion.get)


def report(examples: Sequence[Example], diet: List[Opinion], linear: List[Opinion],
           weights: Sequence[float], retrieval_intent: str) -> None:
    from bot.safety import URGENT_INTENTS

    languages = sorted({e.language for e in examples})
    print(f"{'linear weight':>14} " + " ".join(f"{language:>17}" for language in languages)
          + f" {'urgent recall':>17} {'urgent false':>13}")
    urgent = [i for i, e in enumerate(examples) if e.intent in URGENT_INTENTS]
    for weight in weights:
        chosen = [served_choice(d, s, weight, retrieval_intent) for d, s in zip(diet, linear)]
        cells = []
        for language in languages:
            mine = [i for i, e in enumerate(examples) if e.language == language]
            right = sum(chosen[i] == examples[i].intent for i in mine)
            cells.append(f"{right:>5}/{len(mine):<5} {100 * right / len(mine):5.1f}%")
        recalled = sum(chosen[i] == examples[i].intent for i in urgent)
        false = sum(chosen[i] in URGENT_INTENTS for i, e in enumerate(examples)
                    if e.intent not in URGENT_INTENTS)
        print(f"{weight:>14.2f} " + " ".join(f"{c:>17}" for c in cells)
              + f" {recalled:>7}/{len(urgent):<9} {false:>13}")


def confusions(examples: Sequence[Example], diet: List[Opinion], linear: List[Opinion],
               weight: float, retrieval_intent: str, count: int) -> None:
    """The most frequent mix-ups at `weight`, with their examples: where staff look for labels
    that contradict each other, or a topic that needs more varied examples."""
    mixed: Dict[tuple, List[str]] = defaultdict(list)
    for example, d, s in zip(examples, diet, linear):
        chosen = served_choice(d, s, weight, retrieval_intent)
        if chosen != example.intent:
            mixed[(example.language, example.intent, chosen)].append(example.text)
    print(f"\n## The {count} most frequent mix-ups at linear weight {weight:g} "
          "(language: labelled → taken for)")
    for (language, labelled, taken), texts in sorted(mixed.items(),
                                                     key=lambda item: -len(item[1]))[:count]:
        print(f"\n{language}: {labelled} → {taken} ({len(texts)})")
        for text in sorted(texts):
            print(f"  - {text}")


def main() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.blended_intent_classifier import lookup_tables

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--regularization", type=float,
                        help="the linear classifier's C (default: config.yml's)")
    parser.add_argument("--lookup-weight", type=float,
                        help="the lookup concepts' share in the linear classifier (default: "
                             "config.yml's; 0 leaves them out)")
    parser.add_argument("--weights", type=float, nargs="+",
                        default=[round(0.1 * step, 1) for step in range(11)],
                        help="the linear weights to score (default: 0, 0.1, ... 1)")
    parser.add_argument("--confusions", type=int, default=0, metavar="N",
                        help="also list the N most frequent mix-ups at config.yml's weight, "
                             "with their examples")
    parser.add_argument("--work", type=Path, default=Path("bench/results/intent_cv"),
                        help="where each fold's DIET opinions are kept (git-ignored)")
    args = parser.parse_args()
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")  # as the Makefile trains
    logging.basicConfig(level=logging.WARNING)
    args.work.mkdir(parents=True, exist_ok=True)

    served = served_blend_settings(args.config)
    regularization = args.regularization or served["regularization"]
    lookup_weight = served["lookup_weight"] if args.lookup_weight is None else args.lookup_weight
    # Not examples: the tables are the same in every fold, as DIET's RegexFeaturizer sees them.
    tables = lookup_tables(load_data(str(TRAINING_FOLDER)))
    examples = held_out_examples(TRAINING_FOLDER)
    config = first_stage_config(args.config)
    diet, linear = cross_validated_opinions(examples, args.folds, config, args.work,
                                            regularization, tables, lookup_weight)
    print(f"\n## Cross-validated intent accuracy on {TRAINING_FOLDER} ({args.folds} folds, "
          f"C = {regularization:g}, lookup weight {lookup_weight:g}; {args.config} serves weight "
          f"{served['weight']:g}, C = {served['regularization']:g}, lookup weight "
          f"{served['lookup_weight']:g})")
    print("weight 0: DIET with the ResponseSelector alone; 1: the linear classifier alone, but for the"
          " crisis and emergency DIET ranks first (they stay DIET's at every weight)")
    report(examples, diet, linear, args.weights, _retrieval_intent(config))
    if args.confusions:
        confusions(examples, diet, linear, served["weight"], _retrieval_intent(config),
                   args.confusions)


if __name__ == "__main__":
    main()
