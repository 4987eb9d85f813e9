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

from bot.database import engine_for
from bot.handoff import store
from bot.launch import Settings, stop, wait_for_url
from bot.production import (Production, missing_settings, nginx_config, start_instances,
                            start_nginx)
from tests.assistant import TOKEN, free_port
from tests.chat_client import ChatClient
from tests.responses import text
from tests.services import require

POSTGRES = {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_DB": "test",
            "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": ""}
REDIS = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1"}
CLINIC_DATABASE = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="module")
def cluster(trained_model, tmp_path_factory):
    """Two instances, the action server and nginx, as `python -m bot.production` starts them."""
    require("postgresql", "redis", "nginx")
    first = free_port()
    ports = (first, free_port())
    base = Settings(host="127.0.0.1", rasa_port=first, action_port=free_port(), api_token=TOKEN,
                    model=str(trained_model))
    production = Production(base=base, rasa_ports=ports, public_port=free_port())
    environ = {**os.environ, **POSTGRES, **REDIS,
               "REDIS_KEY_PREFIX": f"test{uuid.uuid4().hex[:8]}",
               "CLINIC_DATABASE_URL": CLINIC_DATABASE,
               "RASA_API_TOKEN": TOKEN, "STAFF_TOKEN": "staff"}
    assert missing_settings(environ) == []
    processes = start_instances(production, environ)
    nginx = start_nginx(production, tmp_path_factory.mktemp("nginx"))
    wait_for_url(f"http://127.0.0.1:{production.public_port}/webhooks/rest/")
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


BOOKING = ["I'd like to book an appointment", "Ana Ruiz", "212 555 0123", "weekday mornings",
           "skip", "yes"]


def test_killing_an_instance_under_load_loses_no_acknowledged_message_or_booking(cluster):
    production, processes = cluster
    rasa_b = next(p for p in processes if str(production.rasa_ports[1]) in " ".join(p.args))
    acknowledged, confirmed, failed = [], [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + 10

    def patient(number: int) -> None:
        """Half ask FAQs until the time is up; the others book, then ask."""
        sender = f"load-{number}-{uuid.uuid4().hex[:6]}"
        plan = BOOKING if number % 2 else []
        turn = 0
        while turn < len(plan) or time.monotonic() < stop_at:
            message = plan[turn] if turn < len(plan) else f"how much does it cost? ({turn})"
            status, replies = post(production.public_port, sender, message, timeout=90)
            with lock:
                (acknowledged if status == 200 and replies else failed).append((sender, message))
                if any("Your request is saved" in (r or "") for r in replies):
                    confirmed.append(sender)
            if status != 200 and turn < len(plan):
                continue  # the patient sends that answer again, as a person would
            turn += 1

    threads = [threading.Thread(target=patient, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    rasa_b.send_signal(signal.SIGKILL)
    for thread in threads:
        thread.join()

    assert len(acknowledged) >= 16, (len(acknowledged), len(failed))
    lost = []
    for sender in {s for s, _ in acknowledged}:
        _, said = user_texts(production.rasa_ports[0], sender)
        lost += [m for s, m in acknowledged if s == sender and m not in said]
    assert not lost, f"{len(lost)} acknowledged messages missing, e.g. {lost[:3]}"
    # Every booking the patient saw confirmed is stored for staff.
    assert confirmed
    stored = {r.conversation_id for r in store.newest_first(engine_for(CLINIC_DATABASE))}
    assert set(confirmed) <= stored
    # After the kill every new message went to the surviving instance.
    assert post(production.public_port, "after-kill", "hello")[0] == 200


def test_the_http_api_is_not_reachable_through_nginx(cluster):
    production, _ = cluster
    for path in (f"/status?token={TOKEN}", f"/model/parse?token={TOKEN}", "/"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{production.public_port}{path}", timeout=10)
        assert refused.value.code == 404, path


def test_the_nginx_config_spreads_requests_and_never_retries_a_sent_post(tmp_path):
    config = nginx_config([5005, 5006], "127.0.0.1:8000", tmp_path)
    assert "server 127.0.0.1:5005" in config and "server 127.0.0.1:5006" in config
    assert "proxy_next_upstream error timeout;" in config  # no non_idempotent: POSTs are not resent
    assert "access_log off;" in config
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    # Patients' routes only: Rasa's HTTP API and the action relay stay inside.
    assert "location /webhooks/ {" in config and "location /socket.io/ {" in config
    assert "location /webhooks/action_relay/ { return 404; }" in config


def test_missing_production_settings_are_named():
    missing = missing_settings({"POSTGRES_HOST": "db", "RASA_API_TOKEN": "t"})
    assert "POSTGRES_DB" in missing and "STAFF_TOKEN" in missing
    assert "POSTGRES_HOST" not in missing and "RASA_API_TOKEN" not in missing
