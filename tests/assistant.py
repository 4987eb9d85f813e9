"""A running assistant (action server + `rasa run`, as `make run` starts them) for HTTP tests."""

import json
import urllib.error
import urllib.request

from bot.database import DATABASE_URL_VARIABLE
from bot.launch import (Settings, endpoints_like_default, free_port, start, stop,
                        wait_until_ready)

TOKEN = "test-api-token"


class Assistant:
    """One running assistant; `restart()` restarts both processes on the same database."""

    def __init__(self, settings: Settings, environ: dict) -> None:
        self.settings = settings
        self.environ = environ
        self.processes = []

    def start(self) -> None:
        self.processes = start(self.settings, self.environ)
        wait_until_ready(self.settings)

    def stop(self) -> None:
        stop(self.processes)

    def restart(self) -> None:
        self.stop()
        self.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}{path}"

    def request(self, path: str, body=None, raw: bytes = None, token: str = None):
        """(status, parsed JSON or None) for a GET, or a POST when a body is given."""
        if token:
            path += f"?token={token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url(path), data=data,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
                return response.status, json.loads(payload) if payload else None
        except urllib.error.HTTPError as error:
            return error.code, None

    def say(self, sender: str, message: str):
        status, replies = self.request("/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200
        return [r.get("text") for r in replies]


def running_assistant(trained_model, folder, environ: dict = None):
    """Starts an assistant on free ports with its own SQLite files in `folder`; stop() it after.

    `environ` adds settings (e.g. DEMO_PORT, which the web chat then accepts as the page's port).
    """
    settings = Settings(host="127.0.0.1", rasa_port=free_port(), action_port=free_port(),
                        api_token=TOKEN, model=str(trained_model),
                        endpoints=str(folder / "endpoints.yml"))
    (folder / "endpoints.yml").write_text(
        endpoints_like_default(settings.rasa_port, folder / "conversations.db"))
    running = Assistant(settings, {DATABASE_URL_VARIABLE: f"sqlite:///{folder / 'clinic.db'}",
                                   **(environ or {})})
    running.start()
    return running
