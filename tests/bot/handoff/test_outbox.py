"""Staff notifications (bot/handoff/outbox.py): a real local webhook receiver, real SQLite."""

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bot.database import engine_for
from bot.handoff import store
from bot.handoff.outbox import Targets, deliver_due, pending, queue_notifications
from bot.handoff.store import BookingRequest


class Receiver:
    """An HTTP server that records JSON bodies and answers with `status`."""

    def __init__(self):
        self.bodies, self.status = [], 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.bodies.append(json.loads(body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.server.shutdown()


@pytest.fixture
def engine(tmp_path):
    return engine_for(f"sqlite:///{tmp_path / 'clinic.db'}")


def _save(engine, targets):
    request = BookingRequest(conversation_id="c1", submission_key="k1", name="Ana",
                             phone="+12125550123", best_time="tardes", consent=True)
    return store.save(engine, request,
                      on_insert=lambda connection, stored: queue_notifications(connection, stored, targets))


def test_a_new_request_is_posted_to_the_staff_webhook(engine, receiver):
    targets = Targets(webhook_url=receiver.url)
    stored = _save(engine, targets)
    assert deliver_due(engine, targets) == 1
    assert receiver.bodies[0]["id"] == stored.id and receiver.bodies[0]["phone"] == "+12125550123"
    assert pending(engine) == []


def test_a_failed_delivery_is_kept_and_retried_later(engine, receiver):
    targets = Targets(webhook_url=receiver.url)
    _save(engine, targets)
    receiver.status = 500
    now = datetime.now(timezone.utc)
    assert deliver_due(engine, targets, now=now) == 0
    [row] = pending(engine)
    assert row["attempts"] == 1 and row["last_error"]
    assert deliver_due(engine, targets, now=now + timedelta(seconds=5)) == 0  # not due yet
    receiver.status = 200
    assert deliver_due(engine, targets, now=now + timedelta(seconds=31)) == 1
    assert pending(engine) == [] and len(receiver.bodies) == 2


def test_with_nothing_configured_only_the_inbox_shows_the_request(engine):
    stored = _save(engine, Targets())
    assert pending(engine) == [] and store.get(engine, stored.id) is not None


def test_targets_come_from_the_environment():
    targets = Targets.from_environment({"STAFF_WEBHOOK_URL": "http://x", "STAFF_EMAIL_TO": "a@b",
                                        "SMTP_HOST": "mail"})
    assert targets.names() == ["webhook", "email"]
    assert Targets.from_environment({"STAFF_EMAIL_TO": "a@b"}).names() == []


class Mailbox:
    """A real SMTP server on loopback (Python's smtpd) that keeps the messages it receives."""

    def __init__(self):
        import asyncore
        import smtpd
        import warnings

        self.messages = []
        mailbox = self
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)

            class Server(smtpd.SMTPServer):
                def process_message(self, peer, sender, recipients, data, **kwargs):
                    mailbox.messages.append((recipients, data.decode() if isinstance(data, bytes) else data))

            self.server = Server(("127.0.0.1", 0), None)
        self.port = self.server.socket.getsockname()[1]
        self._asyncore = asyncore
        self.thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.1}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.close()


def test_a_new_request_is_emailed_to_staff(engine):
    mailbox = Mailbox()
    try:
        targets = Targets(email_to="staff@clinic.test", smtp_host="127.0.0.1", smtp_port=mailbox.port)
        stored = _save(engine, targets)
        assert deliver_due(engine, targets) == 1
        [(recipients, body)] = mailbox.messages
        assert recipients == ["staff@clinic.test"]
        assert f"New booking request #{stored.id}" in body and "+12125550123" in body
    finally:
        mailbox.close()
