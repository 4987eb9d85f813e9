"""Shared fixtures: one trained model per test run, and the language detector built once."""

import asyncio
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)  # config.yml and the tests name data folders relative to the root
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")  # repeatable training, as `make train` does


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory) -> Path:
    """The assistant trained from the repository's data, once per run.

    Trained as `make train` does (bot/training.py), so Rasa's fingerprint cache (.rasa/cache)
    holds what an answer edit later reuses. TEST_MODEL=models/assistant.tar.gz
    tests an already trained model instead (quick local runs; CI always trains).
    """
    from bot.training import train

    if os.environ.get("TEST_MODEL"):
        return Path(os.environ["TEST_MODEL"]).resolve()

    result = train(output=tmp_path_factory.mktemp("models") / "assistant.tar.gz")
    assert result.code == 0, "training failed"
    return Path(result.model)


@pytest.fixture(scope="session")
def agent(trained_model):
    """The trained model loaded in-process, with an in-memory tracker store."""
    from rasa.core.agent import Agent

    return Agent.load(str(trained_model))


@pytest.fixture(scope="session")
def responses(agent):
    """Every response the domain defines, for asserting replies (see tests/responses.py)."""
    return agent.domain.responses


@pytest.fixture(scope="session")
def run():
    """Runs a coroutine to completion on one event loop shared by the whole session."""
    loop = asyncio.new_event_loop()
    yield loop.run_until_complete
    loop.close()


@pytest.fixture(scope="session")
def language_detector():
    """The detector as config.yml configures it (lexicon built from the repository's data)."""
    from bot.language_component import detector_from_project_config

    return detector_from_project_config()
