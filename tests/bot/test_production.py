"""The production profile (bot/production.py) with real PostgreSQL, Redis and nginx: two Rasa
instances serving one conversation, concurrent messages, and an instance killed under load."""

import asyncio
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.launch import Settings, stop, wait_for_url
from bot.production import (Production, missing_settings, nginx_binary, nginx_config,
                            start_instances, start_nginx)
from tests.assistant import TOKEN, free_port
from tests.chat_client import ChatClient
from tests.responses import text

POSTGRES = {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_DB": "test",
            "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": ""}
REDIS = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1"}


def services_or_skip() -> None:
    """PostgreSQL, Redis and nginx run on this project's machines; elsewhere a visible skip
    (REQUIRE_SERVICES=1, set by .ci/run, turns it into a failure)."""
    import psycopg2
    import redis

    problems = []
    try:
        psycopg2.connect(host="127.0.0.1", port=5432, dbname="test", user="postgres",
                         connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 — any reason means "not here"
        problems.append(f"PostgreSQL at 127.0.0.1:5432/test ({type(error).__name__})")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        problems.append(f"Redis at 127.0.0.1:6379 ({type(error).__name__})")
    try:
        nginx_binary()
    except FileNotFoundError as error:
        problems.append(str(error))
    if problems:
        reason = "production profile not testable here: " + "; ".join(problems)
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(trained_model, tmp_path_factory):
    """Two instances, the action server and nginx, as `python -m bot.production` starts them."""
    services_or_skip()
    first = free_port()
    ports = (first, free_port())
    base = Settings(host="127.0.0.1", rasa_port=first, action_port=free_port(), api_token=TOKEN,
                    model=str(trained_model))
    production = Production(base=base, rasa_ports=ports, public_port=free_port())
    environ = {**os.environ, **POSTGRES, **REDIS,
               "REDIS_KEY_PREFIX": f"test{uuid.uuid4().hex[:8]}",
               "CLINIC_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
               "RASA_API_TOKEN": TOKEN, "STAFF_TOKEN": "staff"}
    assert missing_settings(environ) == []
    processes = start_instances(production, environ)
    nginx = start_nginx(production, tmp_path_factory.mktemp("nginx"))
    wait_for_url(f"http://127.0.0.1:{production.public_port}/")
    yield production, processes
    stop(processes + [nginx])


def post(port: int, sender: str, message: str, timeout: float = 60):
    """(status, reply texts) from the REST channel at `port`."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, [r.get("text") for r in json.load(response)]
    except urllib.error.HTTPError as error:
        return error.code, []
    except (urllib.error.URLError, ConnectionError, OSError):
        return None, []


def user_texts(port: int, sender: str):
    url = f"http://127.0.0.1:{port}/conversations/{sender}/tracker?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        events = json.load(response)["events"]
    return events, [e.get("text") for e in events if e["event"] == "user"]


def test_a_conversation_alternating_between_instances_keeps_its_state_and_language(
        cluster, responses):
    production, _ = cluster
    a, b = production.rasa_ports
    sender = f"alternating-{uuid.uuid4().hex}"

    # The session's first answer also carries the disclaimer.
    assert post(a, sender, "quiero agendar una cita")[1][0] == text(
        responses, "utter_ask_patient_name", "es")
    assert post(b, sender, "Me llamo Ana López")[1] == [text(responses, "utter_ask_phone", "es")]
    assert post(a, sender, "mi número es (212) 555-0123")[1] == [
        text(responses, "utter_ask_best_time", "es")]
    assert post(b, sender, "por las tardes")[1] == [text(responses, "utter_ask_reason", "es")]


def test_concurrent_messages_to_one_conversation_are_processed_one_at_a_time(cluster):
    production, _ = cluster
    sender = f"concurrent-{uuid.uuid4().hex}"
    messages = [f"what are the side effects? ({i})" for i in range(8)]
    with ThreadPoolExecutor(len(messages)) as pool:
        results = list(pool.map(
            lambda item: post(production.rasa_ports[item[0] % 2], sender, item[1]),
            enumerate(messages)))
    assert all(status == 200 and replies for status, replies in results), results

    events, said = user_texts(production.rasa_ports[0], sender)
    # Every message is in the conversation once, and each was answered before the next was
    # taken: a turn ends with action_listen before the next user message.
    assert sorted(said) == sorted(messages)
    kinds = [e["event"] if e["event"] != "action" else e["name"] for e in events]
    turns = [i for i, kind in enumerate(kinds) if kind == "user"]
    for start, end in zip(turns, turns[1:]):
        assert "bot" in kinds[start:end] and kinds[end - 1] == "action_listen", kinds[start:end]


def test_the_web_chat_and_the_rest_channel_work_through_nginx(cluster):
    production, _ = cluster
    status, replies = post(production.public_port, f"via-nginx-{uuid.uuid4().hex}",
                           "¿la ketamina está aprobada por la FDA?")
    assert status == 200 and any("FDA" in (r or "") for r in replies)

    async def chat():
        client = ChatClient()
        await client.connect(f"http://127.0.0.1:{production.public_port}")
        try:
            await client.open_session()
            answers, _ = await client.say("how does ketamine work?")
            return answers
        finally:
            await client.close()

    answers = asyncio.run(chat())
    assert any("glutamate" in (a.get("text") or "") for a in answers)


def test_killing_an_instance_under_load_loses_no_acknowledged_message(cluster):
    production, processes = cluster
    rasa_b = next(p for p in processes if str(production.rasa_ports[1]) in " ".join(p.args))
    acknowledged, failed = [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + 12

    def patient(number: int) -> None:
        sender = f"load-{number}-{uuid.uuid4().hex[:6]}"
        turn = 0
        while time.monotonic() < stop_at:
            message = f"how much does it cost? ({turn})"
            status, replies = post(production.public_port, sender, message, timeout=90)
            with lock:
                (acknowledged if status == 200 and replies else failed).append((sender, message))
            turn += 1

    threads = [threading.Thread(target=patient, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    rasa_b.send_signal(signal.SIGKILL)
    for thread in threads:
        thread.join()

    assert len(acknowledged) >= 16, (len(acknowledged), len(failed))
    lost = []
    for sender in {s for s, _ in acknowledged}:
        _, said = user_texts(production.rasa_ports[0], sender)
        lost += [m for s, m in acknowledged if s == sender and m not in said]
    assert not lost, f"{len(lost)} acknowledged messages missing, e.g. {lost[:3]}"
    # After the kill every new message went to the surviving instance.
    assert post(production.public_port, "after-kill", "hello")[0] == 200


def test_the_nginx_config_spreads_requests_and_never_retries_a_sent_post(tmp_path):
    config = nginx_config([5005, 5006], "127.0.0.1:8000", tmp_path)
    assert "server 127.0.0.1:5005" in config and "server 127.0.0.1:5006" in config
    assert "proxy_next_upstream error timeout;" in config  # no non_idempotent: POSTs are not resent
    assert "access_log off;" in config
    assert "proxy_set_header Upgrade $http_upgrade;" in config


def test_missing_production_settings_are_named():
    missing = missing_settings({"POSTGRES_HOST": "db", "RASA_API_TOKEN": "t"})
    assert "POSTGRES_DB" in missing and "STAFF_TOKEN" in missing
    assert "POSTGRES_HOST" not in missing and "RASA_API_TOKEN" not in missing
