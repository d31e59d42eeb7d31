"""User accounts: add, change password, disable, authenticate (argon2id via argon2-cffi), login throttling."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from canhbao.console.settings import ConsoleSettings
from canhbao.console.store import MIN_PASSWORD, User, UserStore, check_name, check_role
from canhbao.core.audit import AuditLog
from canhbao.core.errors import CanhbaoError
from canhbao.core.records import utcnow

_HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verified against when the user name is unknown, so a missing user costs the same time as a wrong password.
_DUMMY = _HASHER.hash("canhbao-no-such-user")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise CanhbaoError(f"password: at least {MIN_PASSWORD} characters")


def add_user(users: UserStore, audit: AuditLog, name: str, role: str, password: str, *, actor: str) -> User:
    check_name(name)
    check_role(role)
    _check_password(password)
    if users.find_user(name) is not None:
        raise CanhbaoError(f"user {name}: already exists (use `canhbao users passwd` or `disable`)")
    user = User(name=name, role=role, password_hash=_HASHER.hash(password), created_at=utcnow())
    users.put_user(user)
    audit.append("user.added", name, actor=actor, role=role)
    return user


def _existing(users: UserStore, name: str) -> User:
    user = users.find_user(name)
    if user is None:
        raise CanhbaoError(f"user {name}: no such user")
    return user


def set_password(users: UserStore, audit: AuditLog, name: str, password: str, *, actor: str) -> User:
    _check_password(password)
    user = _existing(users, name)
    user = replace(user, password_hash=_HASHER.hash(password), epoch=user.epoch + 1)
    users.put_user(user)
    audit.append("user.password_changed", name, actor=actor)
    return user


def set_disabled(users: UserStore, audit: AuditLog, name: str, disabled: bool, *, actor: str) -> User:
    user = _existing(users, name)
    user = replace(user, disabled=disabled, epoch=user.epoch + 1)
    users.put_user(user)
    audit.append("user.disabled" if disabled else "user.enabled", name, actor=actor)
    return user


def set_role(users: UserStore, audit: AuditLog, name: str, role: str, *, actor: str) -> User:
    check_role(role)
    user = _existing(users, name)
    users.put_user(replace(user, role=role, epoch=user.epoch + 1))
    audit.append("user.role_changed", name, actor=actor, previous=user.role, role=role)
    return replace(user, role=role, epoch=user.epoch + 1)


class Throttled(CanhbaoError):
    pass


def throttle_keys(name: str, client: str) -> tuple[str, str]:
    return (f"user:{name.lower()}", f"addr:{client}")


def authenticate(
    users: UserStore, settings: ConsoleSettings, name: str, password: str, client: str, *, now: datetime | None = None
) -> User | None:
    """The user if name and password match an enabled account; None otherwise. Raises Throttled when the
    name or the client address has failed too often within the window (checked before the password)."""
    now = now or utcnow()
    since = now - timedelta(seconds=settings.login_window_s)
    keys = throttle_keys(name, client)
    if any(users.failures(k, since) >= settings.login_max_failures for k in keys):
        raise Throttled("too many failed logins; try again later")
    user = users.find_user(name.strip().lower())
    ok = False
    try:
        ok = _HASHER.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or user.disabled:
        users.add_failure(keys, now)
        return None
    users.clear_failures(keys[0])
    if _HASHER.check_needs_rehash(user.password_hash):
        user = replace(user, password_hash=_HASHER.hash(password))
        users.put_user(user)
    return user
