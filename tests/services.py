"""PostgreSQL, Redis and nginx for the production profile's tests: they run on this project's
machines; elsewhere a test skips with the reason (REQUIRE_SERVICES=1, set by .ci/run, fails it)."""

import os

import pytest

POSTGRES = {"host": "127.0.0.1", "port": 5432, "dbname": "test", "user": "postgres"}
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"  # the same server and database
REDIS = {"host": "127.0.0.1", "port": 6379}


def require(*services: str) -> None:
    """Skips (or fails under REQUIRE_SERVICES=1) unless each named service is reachable."""
    problems = [problem for problem in map(_problem, services) if problem]
    if problems:
        reason = "not testable here: " + "; ".join(problems)
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def _problem(service: str):
    try:
        if service == "postgresql":
            import psycopg2

            psycopg2.connect(connect_timeout=3, **POSTGRES).close()
        elif service == "redis":
            import redis

            redis.Redis(socket_timeout=3, **REDIS).ping()
        elif service == "nginx":
            from bot.production import nginx_binary

            nginx_binary()
    except Exception as error:  # noqa: BLE001 — any reason means "not here"
        return f"{service} ({type(error).__name__}: {str(error)[:80]})"
    return None


def postgres_engine(*tables: str):
    """The clinic's tables on the test PostgreSQL, `tables` emptied; skips where it is not."""
    from sqlalchemy import text

    from bot.database import engine_for

    require("postgresql")
    engine = engine_for(POSTGRES_URL)
    with engine.begin() as connection:
        for table in tables:
            connection.execute(text(f"DELETE FROM {table}"))
    return engine
