"""Load on the production profile: `python -m bench.production_load [--patients 20]`.

Starts the production profile (bot/production.py: PostgreSQL, Redis, nginx, the action server)
with one and then two Rasa instances, and sends N simulated patients at once through nginx on
loopback: English and Spanish FAQ questions, booking conversations in both languages, and SMS
conversations (signed Twilio webhooks). Prints throughput, p50/p95/p99 latency and errors for
each. Needs PostgreSQL (127.0.0.1:5432, database `test`), Redis (127.0.0.1:6379), nginx, and a
trained model (`make train`). Figures, not pass/fail: not part of the test suite.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path
from typing import List, Tuple

import aiohttp

from bench.load import LoadResult, timed_request
from bot.launch import Settings, free_port, stop, wait_for_url
from bot.production import Production, start_instances, start_nginx

MODEL = Path("models/assistant.tar.gz")
TWILIO_TOKEN = "bench-twilio-token"
FLOWS = {
    "faq_en": [("rest", "how does ketamine work?"), ("rest", "is it FDA approved?"),
               ("rest", "tell me more"), ("rest", "what are the side effects?"),
               ("rest", "how much does it cost?"), ("rest", "thanks")],
    "faq_es": [("rest", "¿cómo funciona la ketamina?"), ("rest", "¿está aprobada por la FDA?"),
               ("rest", "cuéntame más"), ("rest", "¿qué efectos secundarios tiene?"),
               ("rest", "¿cuánto cuesta?"), ("rest", "gracias")],
    "booking_en": [("rest", "I'd like to book an appointment"), ("rest", "Ana Ruiz"),
                   ("rest", "212 555 0123"), ("rest", "weekday mornings"), ("rest", "skip"),
                   ("rest", "yes")],
    "booking_es": [("rest", "quiero agendar una cita"), ("rest", "Me llamo Luis Pérez"),
                   ("rest", "mi número es (212) 555-0188"), ("rest", "por las tardes"),
                   ("rest", "omitir"), ("rest", "sí")],
    "sms_es": [("sms", "Hola, ¿la ketamina está aprobada por la FDA?"), ("sms", "1"),
               ("sms", "¿cuánto cuesta?"), ("sms", "gracias")],
    "sms_en": [("sms", "what happens during an infusion?"), ("sms", "1"),
               ("sms", "side effects?"), ("sms", "thanks")],
}



async def _patient(session: aiohttp.ClientSession, base: str, flow: List[Tuple[str, str]],
                   number: int, result: LoadResult) -> None:
    from twilio.request_validator import RequestValidator

    sender, phone = f"bench-{uuid.uuid4().hex}", f"+1555{number:07d}"
    sms_url = f"{base}/webhooks/sms/webhook"
    for kind, text in flow:
        if kind == "rest":
            request = session.post(f"{base}/webhooks/rest/webhook",
                                   json={"sender": sender, "message": text})
        else:
            form = {"From": phone, "To": "+15550000000", "Body": text,
                    "MessageSid": f"SM{uuid.uuid4().hex}", "NumMedia": "0"}
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(sms_url, form)
            request = session.post(sms_url, data=form, headers={"X-Twilio-Signature": signature})
        await timed_request(request, result)


async def _load(base: str, patients: int) -> LoadResult:
    result = LoadResult(patients)
    flows = list(FLOWS.values())
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(_patient(session, base, flows[n % len(flows)], n, result)
                               for n in range(patients)))
        result.seconds = time.perf_counter() - started
    return result


def measure(instances: int, patients: int) -> LoadResult:
    ports = tuple(free_port() for _ in range(instances))
    base = Settings(host="127.0.0.1", rasa_port=ports[0], action_port=free_port(),
                    api_token="bench", model=str(MODEL))
    production = Production(base=base, rasa_ports=ports, public_port=free_port())
    public = f"http://127.0.0.1:{production.public_port}"
    environ = {**os.environ, "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
               "POSTGRES_DB": "test", "POSTGRES_USER": "postgres",
               "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_KEY_PREFIX": "bench",
               "CLINIC_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
               "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
               "SMS_PUBLIC_URL": f"{public}/webhooks/sms/webhook"}
    processes = start_instances(production, environ)
    run_dir = Path(f"var/bench-nginx-{instances}")
    processes.append(start_nginx(production, run_dir))
    try:
        wait_for_url(f"{public}/webhooks/rest/")
        asyncio.run(_load(public, min(patients, 6)))  # warm-up: first predictions are slow
        return asyncio.run(_load(public, patients))
    finally:
        stop(processes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=20)
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"No {MODEL}: run `make train` first.", file=sys.stderr)
        return 1
    messages = sum(len(FLOWS[name]) for name in FLOWS)
    print(f"{args.patients} patients at once through nginx, flows: {', '.join(FLOWS)} "
          f"({messages} messages per round of flows)")
    for instances in (1, 2):
        result = measure(instances, args.patients)
        print(f"{instances} instance(s): {result.summary()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
