"""Rasa's command line (`rasa run ...`) without JAX in memory: how `make run` starts Rasa.

TensorFlow 2.12 requires JAX, and its Lite converter imports it when present, only to keep a
function the assistant never calls: 89 MiB of the server's memory and 0.3 s of its start-up
(README, "Measured"). With a None entry in `sys.modules` that import fails as if JAX were not
installed, which TensorFlow expects (it catches the ImportError).
"""

import sys


def main() -> None:
    sys.modules.setdefault("jax", None)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
