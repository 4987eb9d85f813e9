"""A demo clinic web page with the chat widget embedded, as the clinic's own site would embed it.

`python -m bot.demo_site` serves it at http://localhost:8080/ (`make run` starts it). Settings:
  ASSISTANT_HOST        interface to listen on (default 127.0.0.1)
  DEMO_PORT             port (default 8080; the web chat channel must allow this page's origin)
  ASSISTANT_PUBLIC_URL  where browsers reach Rasa (default http://localhost:5005)
  CLINIC_PHONE          the number the widget offers when the assistant is unreachable (optional)
"""

import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Dict

from sanic import Sanic, response
from sanic.request import Request

PAGE = Path(__file__).resolve().parent / "widget" / "demo.html"


@dataclass(frozen=True)
class DemoSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    assistant_url: str = "http://localhost:5005"
    clinic_phone: str = ""

    @classmethod
    def from_environment(cls, environ: Dict[str, str]) -> "DemoSettings":
        return cls(
            host=environ.get("ASSISTANT_HOST", cls.host),
            port=int(environ.get("DEMO_PORT", cls.port)),
            assistant_url=environ.get("ASSISTANT_PUBLIC_URL", cls.assistant_url).rstrip("/"),
            clinic_phone=environ.get("CLINIC_PHONE", ""),
        )


def render_page(settings: DemoSettings) -> str:
    return (PAGE.read_text(encoding="utf-8")
            .replace("{assistant_url}", escape(settings.assistant_url))
            .replace("{clinic_phone}", escape(settings.clinic_phone)))


def create_app(settings: DemoSettings) -> Sanic:
    app = Sanic("demo_site")
    page = render_page(settings)

    @app.get("/")
    async def home(_: Request):
        return response.html(page)

    return app


def main() -> None:
    settings = DemoSettings.from_environment(dict(os.environ))
    create_app(settings).run(host=settings.host, port=settings.port, access_log=False,
                             motd=False)


if __name__ == "__main__":
    main()
