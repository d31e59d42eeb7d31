"""The console's own tables: users, login failures, cases and alert labels (tags, close reason).

Small interfaces (`UserStore`, `CaseStore`) with one implementation on the shared-state backend
(config/state.yaml): `<home>/console/console.sqlite` by default, or the shared PostgreSQL database (Alembic
revision 0005), so several console servers share accounts, login throttling and cases. Alerts themselves
stay in the configured alert store; a case only holds alert ids.
"""

from __future__ import annotations

import json
import re
import uuid
from abc import ABC, abstractmethod
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Sequence

from canhbao.console.settings import ROLES
from canhbao.core.errors import CanhbaoError, NotFound
from canhbao.core.home import Home
from canhbao.core.records import utcnow
from canhbao.core.sqlite import connect
from canhbao.core.state import Connection, SharedState, SqliteConnection, StateSettings

CLOSE_REASONS = ("violation", "false_positive", "duplicate", "out_of_scope")
CASE_KINDS = ("document", "claim", "manual")
NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
TAG = re.compile(r"^[\w.-]{1,40}$", re.UNICODE)
MIN_PASSWORD = 10


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str = ""
    disabled: bool = False
    epoch: int = 0  # bumped on password change / disable: every older session is refused
    created_at: datetime | None = None


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # document | claim | manual
    key: str  # document id / claim id for automatic cases, "" for manual ones
    title: str
    created_at: datetime
    created_by: str
    alert_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Labels:
    """What the console adds to an alert: tags and, once closed, why."""

    tags: tuple[str, ...] = ()
    close_reason: str = ""


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise CanhbaoError(f"user name {name!r}: use 2-64 lower-case letters, digits, '.', '_', '-' or '@'")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise CanhbaoError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def check_tags(tags: Iterable[str]) -> tuple[str, ...]:
    out = []
    for tag in tags:
        tag = tag.strip()
        if not tag:
            continue
        if not TAG.match(tag):
            raise CanhbaoError(f"tag {tag!r}: letters, digits, '.', '_' or '-' only, at most 40")
        if tag not in out:
            out.append(tag)
    return tuple(out)


class UserStore(ABC):
    @abstractmethod
    def put_user(self, user: User) -> None: ...

    @abstractmethod
    def find_user(self, name: str) -> User | None: ...

    @abstractmethod
    def users(self) -> list[User]: ...

    @abstractmethod
    def add_failure(self, keys: Sequence[str], at: datetime) -> None: ...

    @abstractmethod
    def failures(self, key: str, since: datetime) -> int: ...

    @abstractmethod
    def clear_failures(self, key: str) -> None: ...


class CaseStore(ABC):
    @abstractmethod
    def put_case(self, case: Case) -> None:
        """Create the case if new; add its alert ids (membership only grows)."""

    @abstractmethod
    def find_case(self, case_id: str) -> Case | None: ...

    @abstractmethod
    def cases(self, *, limit: int = 200, offset: int = 0) -> list[Case]: ...

    @abstractmethod
    def cases_of(self, alert_id: str) -> list[Case]: ...

    @abstractmethod
    def labels(self, alert_ids: Sequence[str]) -> dict[str, Labels]: ...

    @abstractmethod
    def set_labels(self, alert_id: str, labels: Labels) -> None: ...

    def case(self, case_id: str) -> Case:
        found = self.find_case(case_id)
        if found is None:
            raise NotFound(f"case {case_id}: not found")
        return found


SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0, epoch INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
CREATE TABLE IF NOT EXISTS cases (id TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS case_alerts (case_id TEXT NOT NULL REFERENCES cases(id), alert_id TEXT NOT NULL,
    added_at TEXT NOT NULL, PRIMARY KEY (case_id, alert_id));
CREATE INDEX IF NOT EXISTS case_alerts_alert ON case_alerts(alert_id);
CREATE TABLE IF NOT EXISTS labels (alert_id TEXT PRIMARY KEY, tags TEXT NOT NULL, close_reason TEXT NOT NULL);
"""


class ConsoleStore(SharedState, UserStore, CaseStore):
    """Both interfaces on the shared-state backend; a connection per call, so threads of the web server
    share it. The SQL is the one text both engines accept (`?` placeholders, ON CONFLICT)."""

    SCHEMA = SCHEMA

    def __init__(self, path: Path | str, *, state: StateSettings | None = None):
        super().__init__(path, state=state)

    @classmethod
    def for_home(cls, home: Home, *, state: StateSettings | None = None) -> "ConsoleStore":
        return cls(home.root / "console" / "console.sqlite", state=state)

    def _connect(self) -> Connection:
        if self.dialect == "sqlite":  # the web server's threads each open their own connection per call
            return SqliteConnection(connect(self.path, check_same_thread=False))
        return super()._connect()

    # --- users --------------------------------------------------------------------------------------

    def put_user(self, user: User) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO users(name, role, password_hash, disabled, epoch, created_at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET role=excluded.role, "
                "password_hash=excluded.password_hash, disabled=excluded.disabled, epoch=excluded.epoch",
                (
                    user.name,
                    user.role,
                    user.password_hash,
                    int(user.disabled),
                    user.epoch,
                    (user.created_at or utcnow()).isoformat(),
                ),
            )

    def find_user(self, name: str) -> User | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT name, role, password_hash, disabled, epoch, created_at FROM users WHERE name = ?", (name,)
            ).fetchone()
        return _user(row) if row else None

    def users(self) -> list[User]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT name, role, password_hash, disabled, epoch, created_at FROM users ORDER BY name"
            ).fetchall()
        return [_user(r) for r in rows]

    def add_failure(self, keys: Sequence[str], at: datetime) -> None:
        with closing(self._connect()) as db, db:
            db.executemany("INSERT INTO login_failures(key, at) VALUES (?, ?)", [(k, at.isoformat()) for k in keys])
            db.execute("DELETE FROM login_failures WHERE at < ?", ((at - timedelta(days=1)).isoformat(),))

    def failures(self, key: str, since: datetime) -> int:
        with closing(self._connect()) as db:
            return db.execute(
                "SELECT count(*) FROM login_failures WHERE key = ? AND at >= ?", (key, since.isoformat())
            ).fetchone()[0]

    def clear_failures(self, key: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM login_failures WHERE key = ?", (key,))

    # --- cases and labels -----------------------------------------------------------------------------

    def put_case(self, case: Case) -> None:
        now = utcnow().isoformat()
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO cases(id, kind, key, title, created_at, created_by) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(id) DO NOTHING",
                (case.id, case.kind, case.key, case.title, case.created_at.isoformat(), case.created_by),
            )
            db.executemany(
                "INSERT INTO case_alerts(case_id, alert_id, added_at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                [(case.id, a, now) for a in case.alert_ids],
            )

    def find_case(self, case_id: str) -> Case | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT id, kind, key, title, created_at, created_by FROM cases WHERE id = ?", (case_id,)
            ).fetchone()
            return self._case(db, row) if row else None

    def cases(self, *, limit: int = 200, offset: int = 0) -> list[Case]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT c.id, c.kind, c.key, c.title, c.created_at, c.created_by FROM cases c "
                "LEFT JOIN case_alerts a ON a.case_id = c.id GROUP BY c.id "
                "ORDER BY max(coalesce(a.added_at, c.created_at)) DESC, c.id LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
            return [self._case(db, r) for r in rows]

    def cases_of(self, alert_id: str) -> list[Case]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT c.id, c.kind, c.key, c.title, c.created_at, c.created_by FROM cases c "
                "JOIN case_alerts a ON a.case_id = c.id WHERE a.alert_id = ? ORDER BY c.id",
                (alert_id,),
            ).fetchall()
            return [self._case(db, r) for r in rows]

    def _case(self, db: Connection, row: tuple) -> Case:
        ids = tuple(
            r[0]
            for r in db.execute(
                "SELECT alert_id FROM case_alerts WHERE case_id = ? ORDER BY added_at, alert_id", (row[0],)
            )
        )
        return Case(
            id=row[0],
            kind=row[1],
            key=row[2],
            title=row[3],
            created_at=datetime.fromisoformat(row[4]),
            created_by=row[5],
            alert_ids=ids,
        )

    def labels(self, alert_ids: Sequence[str]) -> dict[str, Labels]:
        if not alert_ids:
            return {}
        marks = ",".join("?" * len(alert_ids))
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT alert_id, tags, close_reason FROM labels WHERE alert_id IN ({marks})", list(alert_ids)
            ).fetchall()
        return {r[0]: Labels(tuple(json.loads(r[1])), r[2]) for r in rows}

    def set_labels(self, alert_id: str, labels: Labels) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO labels(alert_id, tags, close_reason) VALUES (?,?,?) ON CONFLICT(alert_id) "
                "DO UPDATE SET tags=excluded.tags, close_reason=excluded.close_reason",
                (alert_id, json.dumps(list(labels.tags), ensure_ascii=False), labels.close_reason),
            )


def _user(row: tuple) -> User:
    return User(
        name=row[0],
        role=row[1],
        password_hash=row[2],
        disabled=bool(row[3]),
        epoch=int(row[4]),
        created_at=datetime.fromisoformat(row[5]),
    )


def new_case_id() -> str:
    return "case-" + uuid.uuid4().hex[:10]
