"""`make update-model`: retrain what changed, check accuracy, and only then serve the new model.

Steps, each reported in plain words for the staff member who edited the data:
1. what needs retraining (Rasa's fingerprint cache: an answer-text edit retrains no classifier);
2. training a candidate model beside the serving one;
3. accuracy per language on the held-out questions (tests/nlu/, never trained on), and which of
   them now land on the wrong topic;
4. below the floor (bot/nlu_evaluation.py) the candidate is refused and the serving model stays;
5. otherwise it replaces the serving model (the replaced one is kept as previous.tar.gz;
   `--restore-previous` swaps them back), and every running server named by `--server` (or
   RASA_SERVER_URLS) loads it at once. `make run` notices the new file by itself.

Exit status: 0 accepted, 1 refused (accuracy), 2 training failed, 3 accepted but a server did not
reload.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from bot.nlu_evaluation import (HELD_OUT_FLOORS, HELD_OUT_FOLDER, LanguageReport, evaluate,
                                held_out_examples, not_in_training)
from bot.training import DEFAULT_MODEL, retrained_parts, train

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "other": "Other languages"}


def report_path(model: Path) -> Path:
    """Where the accepted model's evaluation is kept, to tell staff what an edit changed."""
    return model.with_name(model.name.replace(".tar.gz", "") + ".evaluation.json")


def evaluate_model(model: Path, held_out: Path = HELD_OUT_FOLDER,
                   data: Path = Path("data")) -> Dict[str, LanguageReport]:
    """Accuracy on the held-out questions, leaving out any that became a training example."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    examples = not_in_training(held_out_examples(held_out), data / "nlu")
    return asyncio.run(evaluate(agent.parse_message, examples))


def wrong_answers(reports: Dict[str, LanguageReport]) -> Dict[str, str]:
    """Each held-out question the model gets wrong → the topic it lands on."""
    return {text: got for report in reports.values() for text, _, got in report.misses}


def below_floor(reports: Dict[str, LanguageReport],
                floors: Dict[str, float] = HELD_OUT_FLOORS) -> List[str]:
    return [language for language, floor in floors.items()
            if reports.get(language, LanguageReport()).accuracy < floor]


def describe(reports: Dict[str, LanguageReport], before: Optional[Dict[str, str]],
             floors: Dict[str, float] = HELD_OUT_FLOORS, list_all: bool = False) -> str:
    """Accuracy per language, the test questions newly on the wrong topic, and how many others."""
    lines = []
    for language, report in sorted(reports.items()):
        floor = floors.get(language)
        bar = f" (needs {floor:.0%})" if floor else ""
        lines.append(f"  {LANGUAGE_NAMES.get(language, language)}: {report.accuracy:.1%} "
                     f"({report.correct}/{report.total}){bar}")
    misses = [(text, expected, got) for report in reports.values()
              for text, expected, got in report.misses]
    newly = [m for m in misses if before is not None and m[0] not in before]
    if newly:
        lines.append("Test questions that now land on the wrong topic:")
        lines += [f"  NEW  {text!r}: should be {expected}, now {got}"
                  for text, expected, got in newly]
    if before is not None:
        fixed = sorted(set(before) - {text for text, _, _ in misses})
        if fixed:
            lines.append(f"Now answered right: {len(fixed)} test question(s), e.g. {fixed[0]!r}")
    older = [m for m in misses if m not in newly]
    if older and list_all:
        lines.append(f"Still wrong, as before ({len(older)}):" if before is not None
                     else f"Wrong ({len(older)}):")
        lines += [f"       {text!r}: should be {expected}, got {got}"
                  for text, expected, got in older]
    elif older:
        as_before = ", as before" if before is not None else ""
        lines.append(f"{len(older)} other test question(s) on the wrong topic{as_before} "
                     "(--list-misses shows them).")
    return "\n".join(lines)


def server_urls(arguments: Iterable[str], environ: Dict[str, str]) -> List[str]:
    urls = list(arguments) or [u for u in environ.get("RASA_SERVER_URLS", "").split(",") if u]
    return [u.strip() for u in urls]


def update(model: Path = DEFAULT_MODEL, servers: Iterable[str] = (), token: str = "",
           domain: Path = Path("domain.yml"), config: Path = Path("config.yml"),
           data: Path = Path("data"), held_out: Path = HELD_OUT_FOLDER,
           floors: Dict[str, float] = HELD_OUT_FLOORS, list_misses: bool = False,
           out=sys.stdout) -> int:
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    started = time.monotonic()
    say("Checking what your changes need retrained...")
    dry = train(domain, config, data, model, dry_run=True)
    parts = retrained_parts(dry)
    say("  Retrains: " + (", ".join(parts) if parts else "nothing: only answer texts changed "
                          "(or nothing at all), the classifiers are reused as they are"))

    candidate = model.with_name("candidate.tar.gz")
    result = train(domain, config, data, candidate)
    if result.code != 0 or not candidate.exists():
        say("Training failed: the serving model is unchanged. Run `make check` for the data.")
        return 2
    say(f"Trained in {time.monotonic() - started:.0f} s. Testing it on the held-out questions...")

    reports = evaluate_model(candidate, held_out, data)
    before = _previous_wrong_answers(model)
    say(describe(reports, before, floors, list_misses))
    failing = below_floor(reports, floors)
    if failing:
        rejected = model.with_name("rejected.tar.gz")
        os.replace(candidate, rejected)
        names = " and ".join(LANGUAGE_NAMES[language] for language in failing)
        say(f"REFUSED: {names} accuracy is below the floor. The assistant keeps its current "
            f"model; the refused one is {rejected} for inspection. Add or fix training examples "
            "for the topics above, then run this again.")
        return 1

    previous = model.with_name("previous.tar.gz")
    if model.exists():
        os.replace(model, previous)  # an instant undo: `make update-model ARGS=--restore-previous`
    os.replace(candidate, model)
    report_path(model).write_text(json.dumps(wrong_answers(reports), ensure_ascii=False, indent=1))
    say(f"Accepted: {model} is the new model ({time.monotonic() - started:.0f} s so far).")
    return _reload(model, servers, token, say)


def restore_previous(model: Path = DEFAULT_MODEL, servers: Iterable[str] = (), token: str = "",
                     out=sys.stdout) -> int:
    """Serves the model the last accepted update replaced (it and the current one swap places)."""
    previous = model.with_name("previous.tar.gz")
    if not previous.exists():
        print(f"There is no previous model ({previous}) to go back to.", file=out)
        return 1
    swap = model.with_name("swap.tar.gz")
    os.replace(model, swap)
    os.replace(previous, model)
    os.replace(swap, previous)
    report_path(model).unlink(missing_ok=True)  # it described the model now set aside
    print(f"Restored the previous model as {model} (the replaced one is now {previous}).",
          file=out, flush=True)
    return _reload(model, servers, token, lambda text: print(text, file=out, flush=True))


def _previous_wrong_answers(model: Path) -> Optional[Dict[str, str]]:
    path = report_path(model)
    return json.loads(path.read_text()) if path.exists() and model.exists() else None


def _reload(model: Path, servers: Iterable[str], token: str, say) -> int:
    from bot.model_reload import ReloadError, reload_model

    status = 0
    for url in servers:
        started = time.monotonic()
        try:
            reload_model(url, token, model)
            say(f"  {url} now serves it (loaded in {time.monotonic() - started:.0f} s).")
        except ReloadError as error:
            say(f"  NOT reloaded: {error}. That server still serves the previous model.")
            status = 3
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--server", action="append", default=[],
                        help="a running Rasa server to reload (default: RASA_SERVER_URLS, "
                             "comma-separated); its token is RASA_API_TOKEN")
    parser.add_argument("--list-misses", action="store_true",
                        help="list every test question on the wrong topic, not only new ones")
    parser.add_argument("--restore-previous", action="store_true",
                        help="serve again the model the last accepted update replaced")
    args = parser.parse_args()
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Training's progress bars stay; Rasa's chatter (and its per-message debug lines) go.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    environ = dict(os.environ)
    servers, token = server_urls(args.server, environ), environ.get("RASA_API_TOKEN", "")
    if args.restore_previous:
        return restore_previous(args.model, servers, token)
    return update(args.model, servers, token, list_misses=args.list_misses)


if __name__ == "__main__":
    sys.exit(main())
