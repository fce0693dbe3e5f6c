"""Signing in: who uses the dashboard, the scope they are held to, and the audit of what they do.

Sign-in is on as soon as the warehouse has an account (`emss user add`); until then the dashboard
is open to whoever reaches it, which `emss serve` allows on the loopback address only. A session
unused for SESSION_IDLE_MINUTES signs out. `emss demo` names an account in EMSS_DEMO_USER so that
the person trying the demo starts signed in: a demo-only setting, on loopback only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import streamlit as st

from dashboard import data, i18n
from emss.roles import ROLES
from warehouse.access import NOBODY, SESSION_IDLE_MINUTES, AccessStore, SignInRefused, User, scope_text

_USER_KEY = "_signed_in"      # (User, last seen)
_PAGE_KEY = "_audited_page"   # the last page recorded for this session
DEMO_USER_ENV = "EMSS_DEMO_USER"


def store() -> AccessStore | None:
    """The warehouse's accounts, None while it has none (sign-in off)."""
    s = AccessStore(data.warehouse())
    return s if s.has_accounts() else None


def user() -> User | None:
    entry = st.session_state.get(_USER_KEY)
    return entry[0] if entry else None


def record(event: str, detail: str = "") -> None:
    """Write one event of the signed-in person to the audit trail (nothing while sign-in is off)."""
    recorder(event, detail)()


def recorder(event: str, detail: str = "") -> Callable[[], None]:
    """`record` for later: the person and scope are taken now, during the page's run, and the event is
    written when the returned function is called (a download's file is made when it is clicked,
    outside any run of the page)."""
    u = user()
    scope = st.session_state.get(data.SCOPE_KEY)
    name, scope_words = (u.name if u else NOBODY), (scope_text(scope) if scope else "")

    def write() -> None:
        s = store()
        if s is not None:
            s.record(name, event, detail, scope_words)
    return write


def _start(u: User, how: str) -> None:
    district = None
    if u.role == "station" and u.station:
        profile = data.run_unscoped("stations/station_profile", station=u.station)
        district = profile["district"][0] if profile.height else None
    st.session_state[_USER_KEY] = (u, dt.datetime.now())
    st.session_state[data.SCOPE_KEY] = u.scope(district)
    record("sign_in", how)


def sign_out() -> None:
    record("sign_out")
    for key in (_USER_KEY, data.SCOPE_KEY, _PAGE_KEY):
        st.session_state.pop(key, None)


def require() -> None:
    """Let the run go on only for a signed-in person (or while sign-in is off); else draw the form and stop."""
    s = store()
    if s is None:
        st.session_state.pop(data.SCOPE_KEY, None)
        return
    entry = st.session_state.get(_USER_KEY)
    now = dt.datetime.now()
    if entry and now - entry[1] > dt.timedelta(minutes=SESSION_IDLE_MINUTES):
        sign_out()
        st.info(i18n.t("signin_expired", minutes=SESSION_IDLE_MINUTES))
        entry = None
    if entry:
        st.session_state[_USER_KEY] = (entry[0], now)
        return
    demo = os.environ.get(DEMO_USER_ENV)
    if demo:
        u = next((u for u in s.users() if u.name == demo and not u.disabled), None)
        if u:
            _start(u, "demo")
            return
    _form(s)
    st.stop()


def _form(s: AccessStore) -> None:
    st.title(i18n.t("app_title"))
    with st.form("signin"):
        name = st.text_input(i18n.t("signin_name"), key="signin_name")
        password = st.text_input(i18n.t("signin_password"), type="password", key="signin_password")
        submitted = st.form_submit_button(i18n.t("signin_submit"), type="primary")
    if not submitted:
        return
    try:
        u = s.authenticate(name.strip(), password)
    except SignInRefused as e:
        st.error(i18n.t(f"signin_refused_{e.reason}"))
        return
    _start(u, "password")
    st.rerun()


def sidebar() -> None:
    """Who is signed in, as what, and the way out."""
    u = user()
    if u is None:
        return
    lang = i18n.current_lang()
    role = ROLES[u.role]
    scope = st.session_state.get(data.SCOPE_KEY)
    where = ""
    if scope is not None and not scope.city_wide:
        where = "、".join(i18n.label("district", d) for d in scope.districts)
        if scope.station:
            where += f" · {scope.station}"
    with st.sidebar:
        st.caption(i18n.t("signin_as", name=u.name, role=role.zh if lang == "zh" else role.en)
                   + (f" · {where}" if where else ""))
        st.button(i18n.t("signin_out"), on_click=sign_out, key="signin_out")


def page_viewed(page: str) -> None:
    """Record a page view once per visit (not on every rerun of the same page)."""
    if st.session_state.get(_PAGE_KEY) != page:
        st.session_state[_PAGE_KEY] = page
        record("page", page)
