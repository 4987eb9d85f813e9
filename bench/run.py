"""Prints every figure the README quotes: `make bench` (or `python -m bench.run --help`).

1. held-out intent accuracy per language, and language detection on the held-out messages;
   the safety layer's recall and false alarms (bench/safety.py);
2. language identification on every file of shared/langid: this project's detector beside bare
   langdetect;
3. cold training time;
4. start-up until /status, memory, and latency/throughput through the REST webhook with 1 and N
   concurrent senders, for this assistant and for the default `rasa init` bot, same machine, same run.
Not part of the test suite: figures, not pass/fail.
"""

import argparse
import asyncio
import datetime
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List

from bench.langid import bare_langdetect, expected_language, langid_files, score
from bench.load import median_summary, memory_summary, run_load
from bench.safety import main as safety_figures
from bot.launch import (VENV_BIN, Settings, endpoints_like_default, free_port, quiet_environment,
                        start, stop, wait_for_url)
from bot.nlu_evaluation import held_out_examples, not_in_training

MODEL = Path("models/assistant.tar.gz")



def section(title: str) -> None:
    print(f"\n## {title}", flush=True)


def accuracy() -> List[str]:
    from rasa.core.agent import Agent

    from bot.nlu_evaluation import evaluate

    agent = Agent.load(str(MODEL))
    for folder, title in [(Path("tests/nlu"), "the held-out split"),
                          (Path("tests/nlu_unseen"), "typical messages written blind to the data, "
                                                     "those not also in training")]:
        examples = not_in_training(held_out_examples(folder))
        reports = asyncio.run(evaluate(agent.parse_message, examples))
        section(f"Intent accuracy on {folder}: {title}")
        for language, report in sorted(reports.items()):
            print(f"{language}: {100 * report.accuracy:.1f}% ({report.correct}/{report.total})")
    return [e.text for e in held_out_examples() if e.language in ("en", "es")]


def language_identification(langid_folder: Path) -> None:
    from bot.language_component import detector_from_project_config

    detector = detector_from_project_config()
    decide = lambda text: detector.decide(text).language  # noqa: E731

    section("Language detection on the held-out NLU messages (undecided counted wrong)")
    examples = held_out_examples()
    for language in ("en", "es"):
        texts = [e.text for e in examples if e.language == language]
        ours = score(decide, texts, language)
        print(f"{language}: {ours.accuracy:.1f}% ({ours.undecided} undecided of {ours.items})")

    section(f"Language identification on {langid_folder} (EN/ES, %; undecided counted wrong)")
    if not langid_folder.is_dir():
        print(f"skipped: {langid_folder} does not exist (pass --langid PATH; it is shared/langid)")
        return
    print(f"{'file':32} {'this detector':>14} {'bare langdetect':>16}  undecided(ours)")
    for name, items in langid_files(langid_folder).items():
        language = expected_language(name)
        ours = score(decide, items, language)
        bare = score(bare_langdetect, items, language)
        print(f"{name:32} {ours.accuracy:14.1f} {bare.accuracy:16.1f}  {ours.undecided}")
    started = time.perf_counter()
    sample = [item for items in langid_files(langid_folder).values() for item in items][:3000]
    for item in sample:
        detector.decide(item)
    print(f"detector speed: {1000 * (time.perf_counter() - started) / len(sample):.2f} ms/message")


def cold_training_seconds(project: Path, command: List[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=project, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure_server(name, processes, rasa_process, status_url, webhook, messages, args) -> None:
    try:
        startup = wait_for_url(status_url, timeout=180)
        section(f"{name}: serving")
        print(f"start-up until /status answers: {startup:.1f} s")
        asyncio.run(run_load(webhook, messages, 5, 4))  # warm-up, not counted
        for process, label in processes:
            print(f"RSS {label}: {memory_summary(process.pid)}")
        print(asyncio.run(run_load(webhook, messages, 1, args.sequential)).summary())
        rounds = [asyncio.run(run_load(webhook, messages, args.senders, args.per_sender))
                  for _ in range(args.rounds)]
        for result in rounds:
            print(result.summary())
        if len(rounds) > 1:
            print(median_summary(rounds))
        print(f"RSS rasa after load: {memory_summary(rasa_process.pid)}")
    finally:
        stop([process for process, _ in processes])


def this_assistant(messages, args, workdir: Path) -> None:
    env = quiet_environment()
    section("This assistant: training")
    seconds = cold_training_seconds(
        Path.cwd(),
        [str(VENV_BIN / "rasa"), "train", "--out", str(workdir), "--fixed-model-name", "cold"],
        {**env, "RASA_CACHE_DIRECTORY": str(workdir / "cache")},
    )
    print(f"cold training (no cache): {seconds:.0f} s")
    settings = Settings(host="127.0.0.1", rasa_port=free_port(), action_port=free_port(),
                        api_token="bench", model=str(MODEL), endpoints=str(workdir / "endpoints.yml"))
    Path(settings.endpoints).write_text(
        endpoints_like_default(settings.rasa_port, workdir / "bench.db"))
    actions, rasa = start(settings, env)
    base = f"http://127.0.0.1:{settings.rasa_port}"
    measure_server("This assistant (SQLite tracker store)", [(rasa, "rasa"), (actions, "action server")],
                   rasa, f"{base}/status?token=bench", f"{base}/webhooks/rest/webhook", messages, args)


def rasa_init_baseline(messages, args, workdir: Path) -> None:
    env = quiet_environment()
    project = workdir / "baseline"
    project.mkdir()  # rasa init refuses a folder that does not exist
    section("Default `rasa init` bot: training")
    seconds = cold_training_seconds(
        workdir, [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        {**env, "RASA_CACHE_DIRECTORY": str(workdir / "baseline-cache")})
    print(f"rasa init (scaffold + cold training): {seconds:.0f} s")
    port = free_port()
    rasa = subprocess.Popen(
        [str(VENV_BIN / "rasa"), "run", "--enable-api", "--auth-token", "bench",
         "-i", "127.0.0.1", "-p", str(port)],
        cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    measure_server("Default `rasa init` bot (in-memory tracker store)", [(rasa, "rasa")], rasa,
                   f"{base}/status?token=bench", f"{base}/webhooks/rest/webhook", messages, args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langid", type=Path, default=Path("../shared/langid"),
                        help="folder of shared/langid test files (default ../shared/langid)")
    parser.add_argument("--senders", type=int, default=20, help="concurrent senders (default 20)")
    parser.add_argument("--per-sender", type=int, default=25, help="messages each (default 25)")
    parser.add_argument("--sequential", type=int, default=100, help="messages from 1 sender")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the concurrent load, each printed, then their median")
    parser.add_argument("--no-baseline", action="store_true", help="skip the rasa init bot")
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"No model at {MODEL}: run `make train` first.", file=sys.stderr)
        return 1
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # else every in-process parse prints a debug line
    print(f"# Benchmark, {datetime.date.today()}, {os.cpu_count()} cores")
    messages = accuracy()
    safety_figures(str(MODEL))
    language_identification(args.langid)
    with tempfile.TemporaryDirectory() as tmp:
        this_assistant(messages, args, Path(tmp))
        if not args.no_baseline:
            rasa_init_baseline(messages, args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
