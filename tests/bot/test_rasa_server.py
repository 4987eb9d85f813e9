"""Rasa's command line as `make run` starts it (bot/rasa_server.py): Rasa's own, without JAX,
with a few messages handled at a time."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rasas_command_line_runs_without_jax_and_with_messages_admitted_in_turn():
    script = ("import sys\n"
              "from bot import rasa_server\n"
              "sys.argv = ['rasa', '--version']\n"
              "rasa_server.main()\n"
              "import tensorflow, rasa.core.agent\n"
              "print('jax loaded:', 'jaxlib' in sys.modules)\n"
              "from rasa.core.processor import MessageProcessor\n"
              "print('admitted:', getattr(MessageProcessor.handle_message, 'admitted', False))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"Rasa Version *: *3\.6\.", result.stdout)
    assert "jax loaded: False" in result.stdout
    assert "admitted: True" in result.stdout  # bot/message_admission.py


def test_a_wrong_message_concurrency_stops_the_start_with_a_sentence():
    result = subprocess.run([sys.executable, "-m", "bot.rasa_server", "run"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "MESSAGE_CONCURRENCY": "lots"})
    assert result.returncode == 1
    assert "Not started: MESSAGE_CONCURRENCY must be a whole number" in result.stderr
