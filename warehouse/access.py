"""Accounts and the audit trail of a warehouse, in a small SQLite file beside it.

`<warehouse>.access.sqlite` (e.g. data/emss.duckdb.access.sqlite). Not in the warehouse file itself:
the dashboard only ever reads the warehouse (a load replaces the whole file), while sign-ins and the
audit trail are written all the time, by every session and by the commands; SQLite takes those
small writes from many processes at once, and the file survives every load untouched.

Passwords are kept as argon2id hashes only. Five wrong passwords in a row lock an account for
LOCKOUT_MINUTES (an administrator may unlock it sooner); a disabled account cannot sign in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from emss import profiles
from emss.roles import ROLES, Scope

ACCESS_SUFFIX = ".access.sqlite"
MAX_FAILURES = 5
LOCKOUT_MINUTES = 15
SESSION_IDLE_MINUTES = 30  # a signed-in session unused this long signs out
MIN_PASSWORD_LENGTH = 10
NOBODY = "(nobody)"  # the audit's user when no account is signed in (a refused name, a command)
_HASHER = PasswordHasher()  # argon2id with the library's current parameters
# verified against for unknown names, so that an unknown name costs as long as a wrong password
_DUMMY_HASH = _HASHER.hash("not a password of anyone")

_SCHEMA = """
create table if not exists users (
    name          text primary key,
    role          text not null,
    districts     text not null default '[]',   -- JSON list of district codes (role district)
    station       text,                          -- station id (role station)
    password_hash text not null,
    disabled      integer not null default 0,
    failures      integer not null default 0,
    locked_until  text,
    created_at    text not null,
    last_sign_in  text
);
create table if not exists audit (
    id      integer primary key autoincrement,
    at      text not null,       -- local time of the server, ISO seconds
    user    text not null,       -- account name; "(nobody)" when nobody signed in (a refused name is in detail)
    event   text not null,       -- sign_in, sign_in_failed, locked, sign_out, page, sql, download, snapshot, account
    detail  text not null default '',
    scope   text not null default ''
);
"""


class AccessError(ValueError):
    """An account operation that cannot be done (unknown role, weak password, ...)."""


class SignInRefused(Exception):
    """A sign-in refused; `reason` is wrong (name or password), locked or disabled."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class User:
    name: str
    role: str
    districts: tuple[str, ...]
    station: str | None
    disabled: bool
    locked_until: str | None
    last_sign_in: str | None

    def scope(self, station_district: str | None = None) -> Scope:
        """The scope this account is held to (a station's account also to its station's district)."""
        districts = self.districts if self.role == "district" else (station_district,) if station_district else ()
        return Scope(self.role, tuple(d for d in districts if d), self.station if self.role == "station" else None)


def access_path(warehouse: str | os.PathLike) -> Path:
    return Path(str(warehouse) + ACCESS_SUFFIX)


def _now() -> dt.datetime:
    return profiles.city_now().replace(microsecond=0)


class AccessStore:
    """The accounts and audit trail of one warehouse."""

    def __init__(self, warehouse: str | os.PathLike):
        self.path = access_path(warehouse)

    def _connect(self) -> sqlite3.Connection:
        new = not self.path.exists()
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("pragma journal_mode = wal")
        con.execute("pragma busy_timeout = 10000")
        con.executescript(_SCHEMA)
        if new:
            os.chmod(self.path, 0o600)  # password hashes and the audit trail: the serving account's only
        return con

    # ---- accounts

    def add_user(self, name: str, password: str, role: str, districts: tuple[str, ...] = (),
                 station: str | None = None) -> None:
        name = name.strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            raise AccessError("用户名须为1–64个字符、不含空格 / a user name is 1–64 characters without spaces")
        if role not in ROLES:
            raise AccessError(f"未知角色 / unknown role {role!r}; roles: {', '.join(ROLES)}")
        if role == "district" and not districts:
            raise AccessError("区级账号需要 --district / a district account needs --district")
        if role == "station" and not station:
            raise AccessError("站点账号需要 --station / a station account needs --station")
        _check_password(password)
        with closing(self._connect()) as con:
            if con.execute("select 1 from users where name = ?", [name]).fetchone():
                raise AccessError(f"{name}: 账号已存在 / the account exists")
            con.execute("insert into users (name, role, districts, station, password_hash, created_at)"
                        " values (?, ?, ?, ?, ?, ?)",
                        [name, role, json.dumps(list(districts)), station if role == "station" else None,
                         _HASHER.hash(password), _now().isoformat()])
        self.record(NOBODY, "account", f"add {name} ({role})")

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        self._update(name, "password_hash = ?, failures = 0, locked_until = null", [_HASHER.hash(password)], "passwd")

    def disable(self, name: str) -> None:
        self._update(name, "disabled = 1", [], "disable")

    def enable(self, name: str) -> None:
        self._update(name, "disabled = 0", [], "enable")

    def unlock(self, name: str) -> None:
        self._update(name, "failures = 0, locked_until = null", [], "unlock")

    def _update(self, name: str, assignment: str, values: list, what: str) -> None:
        with closing(self._connect()) as con:
            # `assignment` is one of the fixed texts above, never caller data
            if con.execute(f"update users set {assignment} where name = ?", [*values, name]).rowcount != 1:
                raise AccessError(f"{name}: 没有该账号 / no such account")
        self.record(NOBODY, "account", f"{what} {name}")

    def users(self) -> list[User]:
        with closing(self._connect()) as con:
            rows = con.execute("select name, role, districts, station, disabled, locked_until, last_sign_in"
                               " from users order by name").fetchall()
        return [User(r[0], r[1], tuple(json.loads(r[2])), r[3], bool(r[4]), r[5], r[6]) for r in rows]

    def has_accounts(self) -> bool:
        """True when at least one account can sign in: then the dashboard asks everyone to."""
        if not self.path.exists():
            return False
        with closing(self._connect()) as con:
            return con.execute("select count(*) from users where not disabled").fetchone()[0] > 0

    # ---- signing in

    def authenticate(self, name: str, password: str, now: dt.datetime | None = None) -> User:
        """The account, when the password is right and it may sign in; else SignInRefused, recorded."""
        now = now or _now()
        with closing(self._connect()) as con:
            row = con.execute("select password_hash, disabled, failures, locked_until from users where name = ?",
                              [name]).fetchone()
            if row is None:
                _verify(_DUMMY_HASH, password)
                self.record(NOBODY, "sign_in_failed", f"unknown name {name[:64]!r}")
                raise SignInRefused("wrong")
            password_hash, disabled, failures, locked_until = row
            if locked_until and dt.datetime.fromisoformat(locked_until) > now:
                self.record(name, "sign_in_failed", "locked")
                raise SignInRefused("locked")
            if not _verify(password_hash, password):
                failures = failures + 1 if not locked_until else 1  # a lock that ran out starts the count anew
                lock = (now + dt.timedelta(minutes=LOCKOUT_MINUTES)).isoformat() if failures >= MAX_FAILURES else None
                con.execute("update users set failures = ?, locked_until = ? where name = ?",
                            [0 if lock else failures, lock, name])
                self.record(name, "sign_in_failed", "wrong password")
                if lock:
                    self.record(name, "locked", f"{MAX_FAILURES} wrong passwords; until {lock}")
                raise SignInRefused("locked" if lock else "wrong")
            if disabled:
                self.record(name, "sign_in_failed", "disabled")
                raise SignInRefused("disabled")
            con.execute("update users set failures = 0, locked_until = null, last_sign_in = ? where name = ?",
                        [now.isoformat(), name])
        user = next(u for u in self.users() if u.name == name)
        return user

    # ---- the audit trail

    def record(self, user: str, event: str, detail: str = "", scope: str = "") -> None:
        with closing(self._connect()) as con:
            con.execute("insert into audit (at, user, event, detail, scope) values (?, ?, ?, ?, ?)",
                        [_now().isoformat(), user, event, detail[:2000], scope])

    def events(self, limit: int = 1000, user: str | None = None) -> list[dict]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as con:
            con.row_factory = sqlite3.Row
            rows = con.execute("select at, user, event, detail, scope from audit"
                               + (" where user = ?" if user else "") + " order by id desc limit ?",
                               [user, limit] if user else [limit]).fetchall()
        return [dict(r) for r in rows]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / a password has at least {MIN_PASSWORD_LENGTH} characters")


def scope_text(scope: Scope) -> str:
    """A scope as the audit trail writes it: role, districts, station."""
    parts = [scope.role]
    if scope.districts:
        parts.append("districts=" + ",".join(scope.districts))
    if scope.station:
        parts.append("station=" + scope.station)
    return " ".join(parts)
