"""Tells a running Rasa server to serve another model file, without a restart.

Rasa's `PUT /model` loads the file and swaps the agent; conversations live in the tracker store
(SQL), not in the agent, so they carry on with the new model. Loading takes a few seconds, during
which that server queues messages rather than dropping them.
"""

import json
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Optional, Tuple

logger = logging.getLogger(__name__)

LOAD_TIMEOUT_SECONDS = 300


class ReloadError(RuntimeError):
    """The server did not take the model (its answer or the connection error is the message)."""


def reload_model(server_url: str, token: str, model: Path,
                 timeout: float = LOAD_TIMEOUT_SECONDS) -> None:
    """Makes the Rasa server at `server_url` load `model` (a path that server can read)."""
    body = json.dumps({"model_file": str(Path(model).resolve())}).encode()
    request = urllib.request.Request(f"{server_url.rstrip('/')}/model?token={token}", data=body,
                                     method="PUT", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise ReloadError(f"{server_url} refused the model: HTTP {error.code} "
                          f"{error.read()[:300].decode(errors='replace')}") from None
    except (urllib.error.URLError, OSError) as error:
        raise ReloadError(f"{server_url} could not be reached: {error}") from None
    if status != 204:
        raise ReloadError(f"{server_url} answered HTTP {status} instead of 204")
    logger.info("Server %s now serves %s", server_url, Path(model).name)


def served_model_id(server_url: str, token: str) -> Optional[str]:
    """The id Rasa gave the served model at training (its /status `model_id`)."""
    with urllib.request.urlopen(f"{server_url.rstrip('/')}/status?token={token}",
                                timeout=10) as response:
        return json.load(response).get("model_id")


class ModelFileWatcher:
    """Notices a replaced model file once it has stopped changing for `settle` seconds.

    `make update-model` replaces the file in one step, but `rasa train` writes it over a few
    seconds; loading a half-written archive would fail.
    """

    def __init__(self, path: Path, settle: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self._settle = settle
        self._clock = clock
        self._seen = self._stamp()
        self._changed_at: Optional[float] = None

    def _stamp(self) -> Optional[Tuple[int, int, int]]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def replaced(self) -> bool:
        """True once per replacement, when the new file has settled."""
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen, self._changed_at = stamp, self._clock()
            return False
        settled = self._changed_at is not None and self._clock() - self._changed_at >= self._settle
        if stamp and settled:
            self._changed_at = None
            return True
        return False
