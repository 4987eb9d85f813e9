"""The staff inbox web app (Sanic): requests newest first, flagged conversations on top, status
changes, transcripts, unanswered questions, and a JSON API beside the pages. Every route needs the
staff token."""

import asyncio
import hmac
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial, wraps
from html import escape
from typing import Any, Callable, Optional

from sanic import Sanic, response
from sanic.request import Request

from bot import unanswered
from bot.database import engine_for
from bot.handoff import store
from bot.handoff.outbox import deliver_due
from bot.safety_flags import flagged_conversations
from bot.staff.transcripts import Transcripts

logger = logging.getLogger(__name__)

COOKIE = "staff_session"
OUTBOX_INTERVAL_SECONDS = 15
MAX_ROW_ID = 2**63 - 1  # a 64-bit database column


def row_id(segment: str) -> int:
    """A row id in a path (`<request_id:row_id>`). A number no column holds is no such row, a 404
    (the router takes the ValueError as no match), not an integer the database driver cannot
    bind, a 500."""
    number = int(segment)
    if not 0 < number <= MAX_ROW_ID:
        raise ValueError(segment)
    return number


@dataclass(frozen=True)
class StaffSettings:
    token: str
    database_url: str
    tracker_store_url: Optional[str]
    deliver_outbox: bool = True


def create_app(settings: StaffSettings, name: str = "staff") -> Sanic:
    app = Sanic(name)
    app.config.FORWARDED_SECRET = None
    app.router.register_pattern("row_id", row_id, r"^\d+$")
    engine = engine_for(settings.database_url)
    transcripts = Transcripts(settings.tracker_store_url)
    session = hmac.new(settings.token.encode(), b"staff-session", "sha256").hexdigest()

    async def blocking(function: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args))

    def authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return hmac.compare_digest(_sent(header[7:].strip()), settings.token.encode())
        cookie = request.cookies.get(COOKIE, "")
        return hmac.compare_digest(_sent(cookie), session.encode())

    def staff_only(api: bool):
        def decorate(handler):
            @wraps(handler)
            async def guarded(request: Request, *args, **kwargs):
                if not authorised(request):
                    if api:
                        return response.json({"error": "unauthorised"}, status=401)
                    return response.redirect("/staff/login")
                return await handler(request, *args, **kwargs)
            return guarded
        return decorate

    @app.get("/staff/login")
    async def login_page(request: Request):
        return response.html(_page("Sign in", _LOGIN_FORM))

    @app.post("/staff/login")
    async def login(request: Request):
        given = (request.form.get("token") or "").strip() if request.form else ""
        if not hmac.compare_digest(given.encode(), settings.token.encode()):
            return response.html(_page("Sign in", "<p role='alert'>Wrong token.</p>" + _LOGIN_FORM),
                                 status=401)
        page = response.redirect("/staff")
        page.cookies[COOKIE] = session
        page.cookies[COOKIE]["httponly"] = True
        page.cookies[COOKIE]["samesite"] = "Strict"
        page.cookies[COOKIE]["path"] = "/staff"
        return page

    @app.get("/staff")
    @staff_only(api=False)
    async def inbox(request: Request):
        status = request.args.get("status") or None
        if status and status not in store.STATUSES:
            return response.html(_page("Inbox", "<p>Unknown status.</p>"), status=400)
        requests = await blocking(store.newest_first, engine, status)
        flags = await blocking(flagged_conversations, engine)
        return response.html(_page("Inbox", _inbox_html(requests, flags, status)))

    @app.get("/staff/requests/<request_id:row_id>")
    @staff_only(api=False)
    async def detail(request: Request, request_id: int):
        booking = await blocking(store.get, engine, request_id)
        if booking is None:
            return response.html(_page("Not found", "<p>No such request.</p>"), status=404)
        lines = await blocking(transcripts.of, booking.conversation_id)
        return response.html(_page(f"Request #{booking.id}", _detail_html(booking, lines)))

    @app.get("/staff/conversations/<conversation_id>")
    @staff_only(api=False)
    async def conversation(request: Request, conversation_id: str):
        lines = await blocking(transcripts.of, conversation_id)
        return response.html(_page("Conversation", _transcript_html(lines)))

    @app.post("/staff/requests/<request_id:row_id>/status")
    @staff_only(api=False)
    async def change_status(request: Request, request_id: int):
        status = (request.form.get("status") if request.form else None) or ""
        if status not in store.STATUSES:
            return response.html(_page("Error", "<p>Unknown status.</p>"), status=400)
        if await blocking(store.set_status, engine, request_id, status) is None:
            return response.html(_page("Not found", "<p>No such request.</p>"), status=404)
        return response.redirect(f"/staff/requests/{request_id}")

    @app.get("/staff/unanswered")
    @staff_only(api=False)
    async def unanswered_page(request: Request):
        try:
            language, include_handled = _unanswered_filter(request)
        except ValueError:
            return response.html(_page("Unanswered questions", "<p>Unknown language.</p>"),
                                 status=400)
        questions = await blocking(unanswered.unanswered, engine, language, include_handled)
        return response.html(_page("Unanswered questions",
                                   _unanswered_html(questions, language, include_handled)))

    @app.post("/staff/unanswered/<question_id:row_id>/handled")
    @staff_only(api=False)
    async def mark_handled_from_page(request: Request, question_id: int):
        if await blocking(unanswered.mark_handled, engine, question_id) is None:
            return response.html(_page("Not found", "<p>No such question.</p>"), status=404)
        return response.redirect("/staff/unanswered")

    @app.get("/staff/api/booking-requests")
    @staff_only(api=True)
    async def api_list(request: Request):
        status = request.args.get("status") or None
        if status and status not in store.STATUSES:
            return response.json({"error": f"status must be one of {list(store.STATUSES)}"},
                                 status=400)
        requests = await blocking(store.newest_first, engine, status)
        return response.json([_json(r) for r in requests])

    @app.patch("/staff/api/booking-requests/<request_id:row_id>")
    @staff_only(api=True)
    async def api_patch(request: Request, request_id: int):
        try:
            body = request.json
        except Exception:  # noqa: BLE001 — Sanic raises on malformed JSON
            body = None
        status = body.get("status") if isinstance(body, dict) else None
        if status not in store.STATUSES:
            return response.json({"error": f"body must be {{\"status\": one of {list(store.STATUSES)}}}"},
                                 status=400)
        updated = await blocking(store.set_status, engine, request_id, status)
        if updated is None:
            return response.json({"error": "no such request"}, status=404)
        return response.json(_json(updated))

    @app.get("/staff/api/safety-flags")
    @staff_only(api=True)
    async def api_flags(request: Request):
        flags = await blocking(flagged_conversations, engine)
        return response.json([{**asdict(f), "first_flagged_at": _iso(f.first_flagged_at),
                               "last_flagged_at": _iso(f.last_flagged_at)} for f in flags])

    @app.get("/staff/api/unanswered")
    @staff_only(api=True)
    async def api_unanswered(request: Request):
        try:
            language, include_handled = _unanswered_filter(request)
        except ValueError:
            return response.json({"error": f"language must be one of {list(unanswered.LANGUAGES)}"},
                                 status=400)
        questions = await blocking(unanswered.unanswered, engine, language, include_handled)
        return response.json([_question_json(q) for q in questions])

    @app.post("/staff/api/unanswered/<question_id:row_id>/handled")
    @staff_only(api=True)
    async def api_mark_handled(request: Request, question_id: int):
        question = await blocking(unanswered.mark_handled, engine, question_id)
        if question is None:
            return response.json({"error": "no such question"}, status=404)
        return response.json(_question_json(question))

    async def outbox_loop():
        while True:
            try:
                await blocking(deliver_due, engine)
            except Exception as error:  # noqa: BLE001 — keep delivering; the rows stay queued
                logger.warning("Outbox delivery round failed (%s).", type(error).__name__)
            await asyncio.sleep(OUTBOX_INTERVAL_SECONDS)

    if settings.deliver_outbox:
        @app.after_server_start
        async def start_outbox(app, loop):
            app.ctx.outbox = loop.create_task(outbox_loop())

        @app.before_server_stop
        async def stop_outbox(app, loop):
            app.ctx.outbox.cancel()

    return app


def _sent(header_value: str) -> bytes:
    """A header's bytes as sent: Sanic keeps bytes that are not UTF-8 as surrogate escapes."""
    return header_value.encode("utf-8", "surrogateescape")


def _iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def _json(booking: store.BookingRequest) -> dict:
    data = asdict(booking)
    data.pop("submission_key")
    data["created_at"], data["updated_at"] = _iso(booking.created_at), _iso(booking.updated_at)
    return data


def _unanswered_filter(request: Request):
    """(language or None, include handled) from the query; ValueError for an unknown language."""
    language = request.args.get("language") or None
    if language and language not in unanswered.LANGUAGES:
        raise ValueError(language)
    include_handled = (request.args.get("include_handled") or "").lower() in ("1", "true", "on")
    return language, include_handled


def _question_json(question: unanswered.UnansweredQuestion) -> dict:
    data = asdict(question)
    data["handled"] = question.handled
    for field in ("first_seen", "last_seen", "handled_at"):
        data[field] = _iso(data[field])
    return data


_LOGIN_FORM = """
<form method="post" action="/staff/login">
  <label for="token">Staff token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>"""


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Clinic staff</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1a1a1a; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; padding: .4rem;
       border-bottom: 1px solid #ccc; vertical-align: top; }}
.flag {{ background: #fde8e8; border: 2px solid #9b1c1c; padding: .5rem 1rem; margin: 1rem 0; }}
.patient {{ font-weight: 600; }} a {{ color: #0b4f9c; }}
</style></head>
<body><header><a href="/staff">Inbox</a> · <a href="/staff/unanswered">Unanswered questions</a>
</header><main><h1>{escape(title)}</h1>{body}</main></body></html>"""


def _inbox_html(requests, flags, status) -> str:
    parts = []
    if flags:
        items = "".join(
            f"<li><strong>{escape(f.kind.replace('_', ' '))}</strong> · "
            f"{escape(str(f.last_flagged_at)[:16])} · {escape(f.language or '?')} · "
            f"<a href='/staff/conversations/{escape(f.conversation_id, quote=True)}'>conversation</a>"
            f" ({f.times}×)</li>" for f in flags)
        parts.append(f"<section class='flag' aria-label='Flagged conversations'>"
                     f"<h2>Flagged conversations: contact first</h2><ul>{items}</ul></section>")
    options = "".join(
        f"<option value='{s}'{' selected' if s == status else ''}>{s}</option>"
        for s in store.STATUSES)
    parts.append(f"<form method='get' action='/staff'><label for='status'>Status</label> "
                 f"<select id='status' name='status'><option value=''>all</option>{options}"
                 f"</select> <button type='submit'>Filter</button></form>")
    rows = "".join(
        f"<tr><td><a href='/staff/requests/{r.id}'>#{r.id}</a></td>"
        f"<td>{escape(str(r.created_at)[:16])}</td><td>{escape(r.status)}</td>"
        f"<td>{escape(r.name)}</td><td>{escape(r.phone)}</td><td>{escape(r.best_time)}</td>"
        f"<td>{escape(r.language or '')}</td></tr>" for r in requests)
    parts.append("<table><caption>Booking requests, newest first</caption><thead><tr>"
                 "<th>#</th><th>Received</th><th>Status</th><th>Name</th><th>Phone</th>"
                 "<th>Best time</th><th>Language</th></tr></thead>"
                 f"<tbody>{rows or '<tr><td colspan=7>No requests.</td></tr>'}</tbody></table>")
    return "".join(parts)


def _detail_html(booking, lines) -> str:
    fields = [("Status", booking.status), ("Received", str(booking.created_at)[:16]),
              ("Name", booking.name), ("Phone", booking.phone), ("Best time", booking.best_time),
              ("Reason", booking.reason or "—"), ("Language", booking.language or "?"),
              ("Channel", booking.channel or "?")]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in fields)
    options = "".join(f"<option{' selected' if s == booking.status else ''}>{s}</option>"
                      for s in store.STATUSES)
    form = (f"<form method='post' action='/staff/requests/{booking.id}/status'>"
            f"<label for='new-status'>Change status</label> <select id='new-status' name='status'>"
            f"{options}</select> <button type='submit'>Save</button></form>")
    return f"<table>{table}</table>{form}<h2>Conversation</h2>{_transcript_html(lines)}"


def _transcript_html(lines) -> str:
    if not lines:
        return "<p>No transcript stored for this conversation.</p>"
    items = "".join(f"<li class='{line.speaker}'>{escape(line.speaker)}: {escape(line.text)}</li>"
                    for line in lines)
    return f"<ol>{items}</ol>"


def _unanswered_html(questions, language, include_handled) -> str:
    options = "".join(
        f"<option value='{code}'{' selected' if code == language else ''}>{code}</option>"
        for code in unanswered.LANGUAGES)
    checked = " checked" if include_handled else ""
    parts = ["<p>Messages the assistant did not understand, most asked first: add them as "
             "training examples, then mark them handled.</p>"
             "<form method='get' action='/staff/unanswered'>"
             "<label for='language'>Language</label> "
             f"<select id='language' name='language'><option value=''>all</option>{options}"
             f"</select> <label><input type='checkbox' name='include_handled' value='1'{checked}>"
             f" include handled</label> <button type='submit'>Filter</button></form>"]
    rows = "".join(
        f"<tr><td>{q.count}</td><td>{escape(q.language or '?')}</td>"
        f"<td>{escape(str(q.last_seen)[:10])}</td><td>{escape(q.text)}</td><td>"
        + (f"handled {escape(str(q.handled_at)[:10])}" if q.handled else
           f"<form method='post' action='/staff/unanswered/{q.id}/handled'>"
           f"<button type='submit'>Mark as handled</button></form>")
        + "</td></tr>" for q in questions)
    parts.append("<table><caption>Unanswered questions</caption><thead><tr>"
                 "<th>Count</th><th>Language</th><th>Last seen</th><th>Message</th><th></th>"
                 "</tr></thead><tbody>"
                 f"{rows or '<tr><td colspan=5>No unanswered questions.</td></tr>'}"
                 "</tbody></table>")
    return "".join(parts)
