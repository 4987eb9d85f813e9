"""Starts the action server, Rasa, the staff inbox and the demo clinic page with the chat widget
together; stops all when one stops or on Ctrl-C.

Configuration comes from the environment, with defaults that run locally:
  ASSISTANT_HOST   interface both servers listen on (default 127.0.0.1: this machine only)
  RASA_PORT        Rasa's port: REST channel and HTTP API (default 5005)
  ACTION_PORT      action server's port (default 5055; endpoints.yml must point at it)
  RASA_API_TOKEN   token protecting Rasa's HTTP API; a one-time token is made when unset
  RASA_MODEL       model to serve (default models/assistant.tar.gz)
  STAFF_TOKEN      token for the staff inbox (python -m bot.staff); a one-time token when unset
  STAFF_PORT       the staff inbox's port (default 5006)
  DEMO_PORT        the demo clinic page's port (default 8080); the web chat accepts that page
                   (WEB_ALLOWED_ORIGINS, when set, says which pages instead)
  CLINIC_PHONE     the number the chat widget offers when the assistant cannot be reached

When the model file is replaced (`make update-model`), Rasa is told to load it: no restart.
ASSISTANT_PROFILE=production starts the production profile instead (bot/production.py).
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from bot.model_reload import ModelFileWatcher, ReloadError, reload_model

VENV_BIN = Path(sys.executable).parent
_ports_handed_out = set()


def free_port() -> int:
    """A port free now and not handed out before by this process (tests, benchmarks): the
    kernel may offer a port it has just offered, and two servers of one test once got the same."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_handed_out:
            _ports_handed_out.add(port)
            return port


@dataclass(frozen=True)
class Settings:
    host: str
    rasa_port: int
    action_port: int
    api_token: str
    model: str
    endpoints: str = "endpoints.yml"
    credentials: str = "credentials.yml"

    @classmethod
    def from_environment(cls, environ: Dict[str, str]) -> "Settings":
        return cls(
            host=environ.get("ASSISTANT_HOST", "127.0.0.1"),
            rasa_port=int(environ.get("RASA_PORT", "5005")),
            action_port=int(environ.get("ACTION_PORT", "5055")),
            api_token=environ.get("RASA_API_TOKEN") or "",
            model=environ.get("RASA_MODEL", "models/assistant.tar.gz"),
        )


def quiet_environment(environ: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment for Rasa's processes: no telemetry home-calls, no known-harmless noise."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def action_server_command(settings: Settings) -> List[str]:
    return [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
            "--port", str(settings.action_port)]


def rasa_command(settings: Settings) -> List[str]:
    return [
        str(VENV_BIN / "python"), "-m", "bot.rasa_server", "run",
        "--model", settings.model,
        "--endpoints", settings.endpoints,
        "--credentials", settings.credentials,
        "--interface", settings.host,
        "--port", str(settings.rasa_port),
        "--enable-api", "--auth-token", settings.api_token,
    ]


def endpoints_like_default(rasa_port: int, conversations_db: Path) -> str:
    """`endpoints.yml` as shipped, for an assistant on another port and SQLite file (tests,
    benchmarks): actions through this Rasa's relay, the single-process tracker store."""
    return (f"action_endpoint:\n  url: http://127.0.0.1:{rasa_port}/webhooks/action_relay/webhook\n"
            "tracker_store:\n  type: bot.cached_tracker_store.CachedSQLTrackerStore\n"
            f"  dialect: sqlite\n  db: {conversations_db}\n")


def with_demo_page_allowed(environ: Dict[str, str]) -> Dict[str, str]:
    """The environment with the demo page's origins allowed by the web chat, unless set."""
    port = environ.get("DEMO_PORT", "8080")
    origins = f"http://localhost:{port},http://127.0.0.1:{port}"
    return {"WEB_ALLOWED_ORIGINS": origins, **environ}


def start(settings: Settings, environ: Dict[str, str]) -> List[subprocess.Popen]:
    env = quiet_environment(with_demo_page_allowed(environ))
    actions_env = {**env, "SANIC_HOST": settings.host}  # rasa_sdk listens on 0.0.0.0 otherwise
    # Rasa's action relay (credentials.yml) passes actions on to this server.
    action_server = f"http://{settings.host}:{settings.action_port}/webhook"
    rasa_env = {**env, "ACTION_SERVER_URL": action_server}
    return [
        subprocess.Popen(action_server_command(settings), env=actions_env),
        subprocess.Popen(rasa_command(settings), env=rasa_env),
    ]


def start_staff_inbox(settings: Settings, environ: Dict[str, str]) -> subprocess.Popen:
    env = {**quiet_environment(environ), "STAFF_HOST": settings.host,
           "ENDPOINTS": settings.endpoints}
    return subprocess.Popen([str(VENV_BIN / "python"), "-m", "bot.staff"], env=env)


def start_demo_site(settings: Settings, environ: Dict[str, str]) -> subprocess.Popen:
    env = {"ASSISTANT_HOST": settings.host,
           "ASSISTANT_PUBLIC_URL": f"http://localhost:{settings.rasa_port}",
           **quiet_environment(environ)}
    return subprocess.Popen([str(VENV_BIN / "python"), "-m", "bot.demo_site"], env=env)


def wait_until_ready(settings: Settings, timeout: float = 120.0) -> float:
    """Seconds until Rasa's `/status` answers with a loaded model; raises on timeout."""
    url = f"http://{settings.host}:{settings.rasa_port}/status?token={settings.api_token}"
    return wait_for_url(url, timeout)


def wait_for_url(url: str, timeout: float = 120.0) -> float:
    """Seconds until `url` answers 200; raises `TimeoutError` naming the path after `timeout`."""
    import urllib.error
    import urllib.request

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url.split('?')[0]} did not answer within {timeout:.0f} s")


def serve_new_model(settings: Settings) -> None:
    """Rasa loads the replaced model file (`make update-model`); conversations carry on."""
    url = f"http://{settings.host}:{settings.rasa_port}"
    try:
        reload_model(url, settings.api_token, Path(settings.model))
        print(f"Now serving the new model {settings.model}.", file=sys.stderr)
    except ReloadError as error:
        print(f"The new model was not loaded ({error}); the previous one still serves.",
              file=sys.stderr)


def stop(processes: List[subprocess.Popen], timeout: float = 15.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    if os.environ.get("ASSISTANT_PROFILE") == "production":
        from bot.production import main as production_main

        return production_main()
    settings = Settings.from_environment(dict(os.environ))
    if not Path(settings.model).exists():
        print(f"No model at {settings.model}: run `make run` (it trains first).", file=sys.stderr)
        return 1
    if not settings.api_token:
        settings = Settings(**{**settings.__dict__, "api_token": secrets.token_urlsafe(24)})
        print(f"RASA_API_TOKEN is not set; this run's HTTP API token is {settings.api_token}",
              file=sys.stderr)
    environ = dict(os.environ)
    if not environ.get("STAFF_TOKEN"):
        environ["STAFF_TOKEN"] = secrets.token_urlsafe(18)
        print(f"STAFF_TOKEN is not set; this run's staff inbox token is {environ['STAFF_TOKEN']}",
              file=sys.stderr)
    processes = start(settings, environ) + [start_staff_inbox(settings, environ),
                                            start_demo_site(settings, environ)]
    staff_port = environ.get("STAFF_PORT", "5006")
    demo_port = environ.get("DEMO_PORT", "8080")
    print(f"Assistant starting: web chat on the demo page at http://localhost:{demo_port}/, "
          f"REST channel at http://{settings.host}:{settings.rasa_port}/webhooks/rest/webhook, "
          f"staff inbox at http://{settings.host}:{staff_port}/staff (Ctrl-C stops them).",
          file=sys.stderr)
    watcher = ModelFileWatcher(Path(settings.model))
    return supervise(processes, lambda: watcher.replaced() and serve_new_model(settings))


def supervise(processes: List[subprocess.Popen], every_half_second=lambda: None) -> int:
    """Waits until one process ends, Ctrl-C or SIGTERM, then stops them all; their exit status."""
    signal.signal(signal.SIGTERM, lambda *_: stop(processes))
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
            every_half_second()
    except KeyboardInterrupt:
        pass
    finally:
        stop(processes)
    return max((p.returncode or 0) for p in processes)


if __name__ == "__main__":
    sys.exit(main())
