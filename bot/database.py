"""The clinic's own tables (safety flags, booking requests): SQLite by default, any SQLAlchemy URL.

One code path for both: `CLINIC_DATABASE_URL` names the database (e.g.
`postgresql://clinic@127.0.0.1:5432/test` in production); unset, it is a SQLite file under the
git-ignored `var/`. Rasa already ships SQLAlchemy 1.4, so nothing else is installed for it.
"""

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

DATABASE_URL_VARIABLE = "CLINIC_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///var/clinic.db"

metadata = MetaData()


def database_url() -> str:
    return os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL


@lru_cache(maxsize=None)
def engine_for(url: str) -> Engine:
    """One engine per URL, its tables created on first use."""
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, future=True)
    metadata.create_all(engine)
    return engine


def engine() -> Engine:
    return engine_for(database_url())


def unreachable(error: Exception) -> bool:
    """Whether a database error means it could not be reached (not: the query was wrong), so
    trying again in a moment may succeed."""
    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated)
