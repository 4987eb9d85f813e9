"""Questions the assistant did not understand, counted per wording and language for staff.

Only the message is kept, scrubbed of phone numbers, e-mail addresses and introduced names, never
who sent it: staff turn the most frequent ones into training examples (data/nlu/).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import (
    Column, DateTime, Integer, String, Table, Text, UniqueConstraint, func, select, update
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.database import metadata
from bot.language import ENGLISH, SPANISH, strip_accents

LANGUAGES = (ENGLISH, SPANISH)
MAX_TEXT = 300
# Scrubbing looks at no more than this; the rest would be cut off anyway.
_MAX_SCANNED = 2000

unanswered_questions = Table(
    "unanswered_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_key", String(MAX_TEXT), nullable=False),
    # "" when unknown, not NULL: NULLs never collide in a unique index, so unknown-language
    # messages would never be counted together.
    Column("language", String(8), nullable=False, server_default=""),
    Column("text", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("handled_at", DateTime(timezone=True)),
    UniqueConstraint("question_key", "language", name="uq_unanswered_question_language"),
)


@dataclass(frozen=True)
class UnansweredQuestion:
    id: int
    text: str  # scrubbed, as first seen
    language: Optional[str]  # "en", "es", or None when undecided
    count: int
    first_seen: datetime
    last_seen: datetime
    handled_at: Optional[datetime]

    @property
    def handled(self) -> bool:
        return self.handled_at is not None


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Three or more digits, however written: "(212) 555-0123", "+1 212.555.0123", "12/05/1980".
_DIGITS = re.compile(r"\+?\(?\d(?:[\s().\-/+]*\d){2,}")

# A name is masked only after a phrase that introduces one. After "my name is" / "me llamo" /
# "mi nombre es" the next words are the name whatever their case ("me llamo ana lopez"), up to
# punctuation or a word that starts the rest of the sentence. "I'm", "I am" and "soy" also start
# "I'm worried", "soy diabética": after them only capitalised words are masked ("I'm Ana" but not
# "I'm worried"), which may also hide a capitalised non-name ("I'm OK"): conservative on purpose.
_NAME_INTRO = re.compile(
    r"\b(my name is|my name's|my name’s|me llamo|mi nombre es|i'm|i’m|im|i am|soy)\s+",
    re.IGNORECASE,
)
_STATED_INTROS = ("my name", "me llamo", "mi nombre")
_NEXT_WORD = re.compile(r"([^\W\d_][\w'’-]*)[ \t]*")
MAX_NAME_WORDS = 4
_AFTER_A_NAME = frozenset(
    "and y e but pero i im i'm from so please por porque because my mi what how que can "
    "puedo quiero want would tengo have is es".split()
)
# Inside a capitalised name: "María de los Ángeles", "Ana del Río".
_NAME_PARTICLES = frozenset("de del la las los da di van von".split())

_PUNCTUATION = re.compile(r"[^\w\s]|_")
_APOSTROPHES = re.compile(r"['’]")


def scrub(text: str) -> str:
    """The message without phone numbers ("#"), e-mail addresses and introduced names, on one
    line and at most MAX_TEXT characters long."""
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text[:_MAX_SCANNED])
    text = _EMAIL.sub("[email]", text)
    text = _DIGITS.sub("#", text)
    text = _mask_names(text)
    return " ".join(text.split())[:MAX_TEXT].strip()


def _mask_names(text: str) -> str:
    parts, done = [], 0
    for intro in _NAME_INTRO.finditer(text):
        if intro.start() < done:  # "soy" inside a name already masked
            continue
        stated = intro.group(1).lower().startswith(_STATED_INTROS)
        name_end = _name_end(text, intro.end(), stated)
        if name_end is not None:
            parts += [text[done:intro.end()], "[name]"]
            done = name_end
    return "".join(parts) + text[done:]


def _name_end(text: str, position: int, stated: bool) -> Optional[int]:
    """Where the name starting at `position` ends, or None if no name starts there."""
    end, words = None, 0
    while words < MAX_NAME_WORDS:
        word = _NEXT_WORD.match(text, position)
        if not word:
            break
        value = word.group(1)
        if stated and value.lower() in _AFTER_A_NAME:
            break
        if not stated and not value[0].isupper():
            particles_end = _particles_before_a_capital(text, word) if words else None
            if particles_end is None:
                break
            position = particles_end
            continue
        # Particles ("de los") do not count towards the name's length.
        words += value.lower() not in _NAME_PARTICLES
        end, position = word.end(1), word.end()
    return end


def _particles_before_a_capital(text: str, word: "re.Match") -> Optional[int]:
    """Where "de los" ends in "María de los Ángeles"; None if no capitalised word follows."""
    while word and word.group(1).lower() in _NAME_PARTICLES:
        position = word.end()
        word = _NEXT_WORD.match(text, position)
        if word and word.group(1)[0].isupper():
            return position
    return None


def question_key(text: str) -> str:
    """How two wordings count as one question: lowercase, no accents or punctuation."""
    folded = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", strip_accents(text)))
    return " ".join(folded.split())[:MAX_TEXT]


def record(engine: Engine, text: str, language: Optional[str] = None,
           now: Optional[datetime] = None) -> bool:
    """Counts one more asking of this question; False if nothing is left to count ("???")."""
    display = scrub(text)
    key = question_key(display)
    if not key:
        return False
    language = language if language in LANGUAGES else ""
    now = now or datetime.now(timezone.utc)
    values = dict(question_key=key, language=language, text=display, count=1,
                  first_seen=now, last_seen=now)
    table = unanswered_questions
    dialect = engine.dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        # One statement: the database serialises concurrent askings of the same question.
        statement = insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.question_key, table.c.language],
            set_={"count": table.c.count + 1, "last_seen": statement.excluded.last_seen},
        )
        with engine.begin() as connection:
            connection.execute(statement)
        return True
    return _record_portably(engine, values)


def _record_portably(engine: Engine, values: dict) -> bool:
    """Update, else insert, for databases without ON CONFLICT; a lost insert race updates."""
    table = unanswered_questions
    key = ((table.c.question_key == values["question_key"])
           & (table.c.language == values["language"]))
    for _ in range(2):
        with engine.begin() as connection:
            if connection.execute(update(table).where(key).values(
                    count=table.c.count + 1, last_seen=values["last_seen"])).rowcount:
                return True
            try:
                connection.execute(table.insert().values(**values))
                return True
            except IntegrityError:
                continue
    raise RuntimeError("Could not count the unanswered question after a concurrent insert.")


def _from_row(row) -> UnansweredQuestion:
    data = row._mapping
    return UnansweredQuestion(
        id=data["id"], text=data["text"], language=data["language"] or None, count=data["count"],
        first_seen=data["first_seen"], last_seen=data["last_seen"], handled_at=data["handled_at"],
    )


def unanswered(engine: Engine, language: Optional[str] = None, include_handled: bool = False,
               limit: int = 100) -> List[UnansweredQuestion]:
    """The most asked first, then the most recently asked."""
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; expected one of {', '.join(LANGUAGES)}.")
    table = unanswered_questions
    query = (select(table)
             .order_by(table.c.count.desc(), table.c.last_seen.desc(), table.c.id.desc())
             .limit(limit))
    if language:
        query = query.where(table.c.language == language)
    if not include_handled:
        query = query.where(table.c.handled_at.is_(None))
    with engine.connect() as connection:
        return [_from_row(row) for row in connection.execute(query)]


def get(engine: Engine, question_id: int) -> Optional[UnansweredQuestion]:
    with engine.connect() as connection:
        row = connection.execute(
            select(unanswered_questions).where(unanswered_questions.c.id == question_id)
        ).first()
    return _from_row(row) if row else None


def mark_handled(engine: Engine, question_id: int,
                 now: Optional[datetime] = None) -> Optional[UnansweredQuestion]:
    """Marks the question handled (the first time counts); None if there is no such question.

    A handled question keeps being counted if patients ask it again, but is listed only with
    `include_handled`: the new training examples may not have reached the running model yet.
    """
    table = unanswered_questions
    with engine.begin() as connection:
        changed = connection.execute(
            update(table).where(table.c.id == question_id)
            .values(handled_at=func.coalesce(table.c.handled_at, now or datetime.now(timezone.utc)))
        ).rowcount
    return get(engine, question_id) if changed else None
