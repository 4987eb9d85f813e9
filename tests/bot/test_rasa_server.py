"""Rasa's command line as `make run` starts it (bot/rasa_server.py): Rasa's own, without JAX."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rasas_command_line_runs_without_jax_loaded():
    script = ("import sys\n"
              "from bot import rasa_server\n"
              "sys.argv = ['rasa', '--version']\n"
              "rasa_server.main()\n"
              "import tensorflow, rasa.core.agent\n"
              "print('jax loaded:', 'jaxlib' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"Rasa Version *: *3\.6\.", result.stdout)
    assert "jax loaded: False" in result.stdout
