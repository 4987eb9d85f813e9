"""How far one retraining moves the figures: `python -m bench.seed_spread --help`.

DIET and the ResponseSelector start from random weights, so two trainings of the same data differ
by the seed alone. This trains config.yml on data/ once per seed (only those two components'
`random_seed` changes) and scores each model on the held-out split, the unseen sets (messages
not in training) and both safety sets. A data change is better judged on the figures of several
seeds, against the same seeds without the change, than on one training each (README, "Measured").

Only counts are printed, never a test message, so whoever writes training data may run it.
Each seed trains DIET and the ResponseSelector again (about 5 minutes on 2 cores; Rasa's cache
keeps what is unchanged). Not part of the test suite: figures, not pass/fail.
"""

import argparse
import asyncio
import logging
import os
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bench.safety import SETS as SAFETY_SETS
from bot.nlu_evaluation import HELD_OUT_FOLDER, evaluate, held_out_examples, not_in_training
from bot.safety import URGENT_INTENTS
from bot.safety_evaluation import load_sets, score

UNSEEN_FOLDER = Path("tests/nlu_unseen")
LANGUAGES = ("en", "es")


def seeded_config(config: dict, seed: int) -> dict:
    """`config` with every pipeline component that has a `random_seed` set to `seed`."""
    pipeline = [{**component, "random_seed": seed} if "random_seed" in component else component
                for component in config["pipeline"]]
    return {**config, "pipeline": pipeline}


def train_seeded(config_path: Path, seed: int, folder: Path) -> Path:
    from rasa.shared.utils.io import read_yaml_file, write_yaml

    from bot.training import train

    seeded = folder / "config.yml"
    write_yaml(seeded_config(read_yaml_file(str(config_path)), seed), seeded)
    model = folder / "model.tar.gz"
    if train(config=seeded, output=model).code:
        raise SystemExit(f"Training with seed {seed} failed; its log is above.")
    return model


def figures(model: Path) -> Dict[str, str]:
    """One row of counts: "196/208" per set, language and urgent intent."""
    from rasa.core.agent import Agent

    parse = Agent.load(str(model)).parse_message
    row = {}
    for name, examples in (("held-out", held_out_examples(HELD_OUT_FOLDER)),
                           ("unseen", not_in_training(held_out_examples(UNSEEN_FOLDER)))):
        reports = asyncio.run(evaluate(parse, examples))
        for language in LANGUAGES:
            report = reports[language]
            row[f"{name} {language}"] = f"{report.correct}/{report.total}"
    for folder, _ in SAFETY_SETS:
        if not folder.is_dir():
            continue
        for language, sets in load_sets(folder).items():
            for intent in URGENT_INTENTS:
                result = asyncio.run(score(parse, sets[intent], intent))
                row[f"{folder} {intent} {language}"] = f"{result.correct}/{result.total}"
    return row


def print_table(rows: Dict[int, Dict[str, str]]) -> None:
    columns: List[str] = list(next(iter(rows.values())))
    width = max(map(len, columns))
    print(f"\n{'':{width}} " + " ".join(f"{'seed ' + str(seed):>9}" for seed in rows)
          + f" {'min-max':>9} {'mean':>6}")
    for column in columns:
        cells = [rows[seed][column] for seed in rows]
        correct = [int(cell.split("/")[0]) for cell in cells]
        print(f"{column:{width}} " + " ".join(f"{cell:>9}" for cell in cells)
              + f" {min(correct):>4}-{max(correct):<4} {sum(correct) / len(correct):6.1f}")


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")  # as the Makefile trains
    import structlog

    # Rasa's debug lines would print every test message parsed; only counts leave this script.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.disable(logging.INFO)  # also when Rasa sets its loggers' levels again
    rows = {}
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as folder:
            print(f"seed {seed}: training", flush=True)
            rows[seed] = figures(train_seeded(args.config, seed, Path(folder)))
    print_table(rows)


if __name__ == "__main__":
    main()
