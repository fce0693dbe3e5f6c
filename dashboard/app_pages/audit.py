"""审计日志 Audit (administrators): sign-ins and failures, locks, pages viewed, SQL box statements,
downloads, snapshots and account changes, newest first, from the warehouse's access file."""

import polars as pl
import streamlit as st

from dashboard import export, i18n, signin
from dashboard.filters import current
from emss import tables
from emss.tables import DATETIME, Column

EVENTS = ("sign_in", "sign_in_failed", "locked", "sign_out", "page", "sql", "download", "snapshot", "account")

f = current()
st.header(i18n.t("audit_title"))
st.caption(i18n.t("audit_intro"))
store = signin.store()
if store is None:
    st.info(i18n.t("audit_no_accounts"))
    st.stop()

left, middle = st.columns(2)
users = sorted({u.name for u in store.users()})
who = left.selectbox(i18n.t("audit_user"), [""] + users, format_func=lambda u: u or i18n.t("all"), key="audit_user")
kinds = middle.multiselect(i18n.t("audit_events"), list(EVENTS), format_func=lambda e: i18n.t(f"audit_event_{e}"),
                           placeholder=i18n.t("all"), key=f"audit_events_{f.lang}", select_all=False)
events = pl.DataFrame(store.events(limit=5000, user=who or None),
                      schema={"at": pl.String, "user": pl.String, "event": pl.String, "detail": pl.String, "scope": pl.String})
if kinds:
    events = events.filter(pl.col("event").is_in(kinds))
events = events.with_columns(pl.col("at").str.to_datetime("%Y-%m-%dT%H:%M:%S"))
export.show(tables.build(events, [
    Column(i18n.t("audit_at"), "at", DATETIME),
    Column(i18n.t("audit_user"), "user"),
    Column(i18n.t("audit_event"), lambda r: i18n.t(f"audit_event_{r['event']}") if r["event"] in EVENTS else r["event"]),
    Column(i18n.t("audit_detail"), "detail"),
    Column(i18n.t("audit_scope"), "scope"),
], f.lang), i18n.t("audit_title"), "audit_events", filtered_by=export.UNFILTERED)
