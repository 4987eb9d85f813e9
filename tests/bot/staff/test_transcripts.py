"""Which tracker store the staff transcripts read (bot/staff/transcripts.py)."""

import re
from pathlib import Path

from bot.staff.transcripts import tracker_store_url

ROOT = Path(__file__).resolve().parents[3]


def test_the_default_endpoints_give_the_sqlite_file():
    assert tracker_store_url(str(ROOT / "endpoints.yml")) == "sqlite:///var/conversations.db"


def test_the_production_endpoints_give_postgresql(monkeypatch):
    production = ROOT / "endpoints.production.yml"
    for name in re.findall(r"\$\{(\w+)\}", production.read_text()):
        monkeypatch.setenv(name, "1")
    for name, value in {"POSTGRES_HOST": "db.internal", "POSTGRES_PORT": "5433",
                        "POSTGRES_DB": "clinic", "POSTGRES_USER": "rasa",
                        "POSTGRES_PASSWORD": "secret"}.items():
        monkeypatch.setenv(name, value)
    url = tracker_store_url(str(production))
    assert url == "postgresql://rasa:secret@db.internal:5433/clinic"


def test_a_store_that_is_not_sql_gives_none(tmp_path):
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n  type: redis\n")
    assert tracker_store_url(str(tmp_path / "endpoints.yml")) is None
    assert tracker_store_url(str(tmp_path / "missing.yml")) is None
