"""Time from an answer-text edit to the live assistant using it: `python -m bench.answer_edit`.

On a copy of the project's training files and of models/assistant.tar.gz (the repository is not
touched): a running assistant (action server + `rasa run`), one Spanish answer reworded, then
`make update-model`'s steps with that server to reload, then the clock stops when the assistant's
reply carries the new wording. Needs a trained model whose parts are in Rasa's cache (`make train`).
"""

import io
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bot.launch import Settings, free_port, start, stop, wait_until_ready
from bot.model_update import update

MODEL = Path("models/assistant.tar.gz")
OLD = "Los resultados\n      varían en cada persona."
NEW = "Los resultados\n      cambian de una persona a otra."
TOKEN = "bench-token"



def _ask(port: int, message: str) -> str:
    body = json.dumps({"sender": "bench-edit", "message": message}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return " ".join(r.get("text") or "" for r in json.load(response))


def main() -> int:
    if not MODEL.exists():
        print(f"No {MODEL}: run `make train` first.", file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="answer-edit-"))
    for name in ("domain.yml", "config.yml"):
        shutil.copy(name, folder / name)
    shutil.copytree("data", folder / "data")
    (folder / "models").mkdir()
    model = folder / "models" / MODEL.name
    shutil.copy(MODEL, model)
    settings = Settings(host="127.0.0.1", rasa_port=free_port(), action_port=free_port(),
                        api_token=TOKEN, model=str(model), endpoints=str(folder / "endpoints.yml"))
    (folder / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{settings.rasa_port}"
        "/webhooks/action_relay/webhook\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {folder / 'conversations.db'}\n")
    processes = start(settings, {"CLINIC_DATABASE_URL": f"sqlite:///{folder / 'clinic.db'}"})
    try:
        wait_until_ready(settings)
        question = "¿cómo funciona la ketamina?"
        assert "cambian de una persona" not in _ask(settings.rasa_port, question)

        answers = folder / "data" / "responses" / "faq.yml"
        answers.write_text(answers.read_text().replace(OLD, NEW, 1))
        started = time.monotonic()
        report = io.StringIO()
        code = update(model, [f"http://127.0.0.1:{settings.rasa_port}"], TOKEN,
                      folder / "domain.yml", folder / "config.yml", folder / "data", out=report)
        live = "cambian de una persona" in _ask(settings.rasa_port, question)
        elapsed = time.monotonic() - started
    finally:
        stop(processes)
        shutil.rmtree(folder, ignore_errors=True)
    steps = [line for line in report.getvalue().splitlines()
             if line.startswith(("  Retrains", "Trained in", "Accepted", "  http"))]
    print("\n".join(steps))
    print(f"Answer edit to live assistant: {elapsed:.0f} s (update exit {code}, "
          f"new wording served: {live})")
    return 0 if code == 0 and live else 1


if __name__ == "__main__":
    sys.exit(main())
