"""`python -m bot.staff`: serve the staff inbox. `python -m bot.staff purge`: apply retention.
`python -m bot.staff unanswered [--language en|es] [--all] [--limit N]`: list the questions the
assistant did not understand, most asked first.

Environment: STAFF_TOKEN (required; STAFF_DEV_MODE=1 makes a one-time token instead),
STAFF_HOST (127.0.0.1), STAFF_PORT (5006), CLINIC_DATABASE_URL (see bot/database.py),
ENDPOINTS (endpoints.yml, for the transcripts), BOOKING_RETENTION_DAYS (180, for purge).
"""

import argparse
import os
import secrets
import sys
from typing import Dict, Optional

from bot.database import database_url, engine_for

DEFAULT_PORT = 5006
DEFAULT_RETENTION_DAYS = 180


def staff_token(environ: Dict[str, str]) -> Optional[str]:
    """The configured token; in dev mode a one-time one; otherwise None (refuse to start)."""
    token = environ.get("STAFF_TOKEN", "").strip()
    if token:
        return token
    if environ.get("STAFF_DEV_MODE") == "1":
        token = secrets.token_urlsafe(18)
        print(f"STAFF_DEV_MODE: one-time staff token {token}", flush=True)
        return token
    return None


def serve(environ: Dict[str, str]) -> int:
    from bot.staff.app import StaffSettings, create_app
    from bot.staff.transcripts import tracker_store_url

    token = staff_token(environ)
    if not token:
        print("Refusing to start: set STAFF_TOKEN (or STAFF_DEV_MODE=1 for a one-time token on "
              "this machine only).", file=sys.stderr)
        return 2
    settings = StaffSettings(token=token, database_url=database_url(),
                             tracker_store_url=tracker_store_url(environ.get("ENDPOINTS", "endpoints.yml")))
    host = environ.get("STAFF_HOST", "127.0.0.1")
    port = int(environ.get("STAFF_PORT", DEFAULT_PORT))
    # No access log: paths carry conversation ids, which for SMS are phone numbers.
    create_app(settings).run(host=host, port=port, access_log=False, motd=False)
    return 0


def purge(environ: Dict[str, str]) -> int:
    from bot.handoff.store import purge_older_than

    days = int(environ.get("BOOKING_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    removed = purge_older_than(engine_for(database_url()), days)
    print(f"Removed {removed} booking request(s) older than {days} days.")
    return 0


def list_unanswered(language: Optional[str], include_handled: bool, limit: int) -> int:
    from bot.unanswered import unanswered

    questions = unanswered(engine_for(database_url()), language, include_handled, limit)
    if not questions:
        print("No unanswered questions.")
        return 0
    print(f"{'count':>5}  {'lang':<4}  {'last seen':<10}  text")
    for question in questions:
        print(f"{question.count:>5}  {question.language or '?':<4}  "
              f"{str(question.last_seen)[:10]:<10}  {question.text}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", metavar="{serve,purge,unanswered}")
    commands.add_parser("serve", help="serve the staff inbox (the default)")
    commands.add_parser("purge", help="delete booking requests past BOOKING_RETENTION_DAYS")
    listing = commands.add_parser("unanswered", help="list the questions the assistant did "
                                  "not understand, most asked first")
    listing.add_argument("--language", choices=["en", "es"], help="only this language")
    listing.add_argument("--all", action="store_true", help="include questions marked handled")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    args = parser.parse_args()
    environ = dict(os.environ)
    if args.command == "unanswered":
        return list_unanswered(args.language, args.all, args.limit)
    return purge(environ) if args.command == "purge" else serve(environ)


if __name__ == "__main__":
    sys.exit(main())
