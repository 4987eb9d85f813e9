"""Rasa's command line (`rasa run ...`) as `make run` starts it: without JAX in memory, and
handling a few messages at a time (bot/message_admission.py).

TensorFlow 2.12 requires JAX, and its Lite converter imports it when present, only to keep a
function the assistant never calls: 89 MiB of the server's memory and 0.3 s of its start-up
(README, "Measured"). With a None entry in `sys.modules` that import fails as if JAX were not
installed, which TensorFlow expects (it catches the ImportError).
"""

import sys


def main() -> None:
    sys.modules.setdefault("jax", None)
    from bot import message_admission

    try:
        concurrency = message_admission.concurrency_from_environment()
    except ValueError as error:
        sys.exit(f"Not started: {error}")
    message_admission.apply(concurrency)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
