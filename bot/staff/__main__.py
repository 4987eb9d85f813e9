"""`python -m bot.staff`: serve the staff inbox. `python -m bot.staff purge`: apply retention.

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "purge"])
    args = parser.parse_args()
    environ = dict(os.environ)
    return serve(environ) if args.command == "serve" else purge(environ)


if __name__ == "__main__":
    sys.exit(main())
