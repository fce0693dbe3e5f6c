"""Accounts, scopes and the audit trail: a person sees what their role and scope allow, below the pages.

Expected rows come from plain SQL over the analyst views, not from the named queries."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import duckdb
import pytest

import queries
from emss.cli import main
from emss.roles import ROLES, Scope
from warehouse.access import (
    LOCKOUT_MINUTES,
    MAX_FAILURES,
    AccessError,
    AccessStore,
    SignInRefused,
    access_path,
)
from warehouse.connection import copy_warehouse, open_reader

PASSWORD = "correct horse battery"


@pytest.fixture()
def warehouse(demo_warehouse, tmp_path):
    copy = tmp_path / "emss.duckdb"
    copy_warehouse(demo_warehouse, copy)
    return copy


# ---- accounts ---------------------------------------------------------------------------------

def test_passwords_are_argon2id_hashes_and_five_wrong_ones_lock(warehouse):
    store = AccessStore(warehouse)
    store.add_user("futian_head", PASSWORD, "district", districts=("futian",))
    raw = access_path(warehouse).read_bytes()
    assert PASSWORD.encode() not in raw and b"$argon2id$" in raw
    assert oct(access_path(warehouse).stat().st_mode & 0o777) == "0o600"
    now = dt.datetime(2026, 11, 30, 9, 0)
    assert store.authenticate("futian_head", PASSWORD, now).scope() == Scope("district", ("futian",))
    for i in range(MAX_FAILURES):
        with pytest.raises(SignInRefused) as e:
            store.authenticate("futian_head", "wrong password!", now)
        assert e.value.reason == ("locked" if i == MAX_FAILURES - 1 else "wrong")
    with pytest.raises(SignInRefused) as e:  # the right password does not open a locked account
        store.authenticate("futian_head", PASSWORD, now + dt.timedelta(minutes=1))
    assert e.value.reason == "locked"
    # the lock runs out, or an administrator lifts it
    assert store.authenticate("futian_head", PASSWORD, now + dt.timedelta(minutes=LOCKOUT_MINUTES + 1))
    events = [(e["user"], e["event"]) for e in store.events()]
    assert events.count(("futian_head", "sign_in_failed")) == MAX_FAILURES + 1
    assert ("futian_head", "locked") in events
    store.disable("futian_head")
    with pytest.raises(SignInRefused) as e:
        store.authenticate("futian_head", PASSWORD)
    assert e.value.reason == "disabled"
    with pytest.raises(SignInRefused) as e:
        store.authenticate("nobody", PASSWORD)
    assert e.value.reason == "wrong"  # an unknown name is told apart from nothing


@pytest.mark.parametrize("name, password, role, kwargs, says", [
    ("a", "short", "leader", {}, "10"),
    ("a", PASSWORD, "king", {}, "king"),
    ("a", PASSWORD, "district", {}, "--district"),
    ("a", PASSWORD, "station", {}, "--station"),
    ("a b", PASSWORD, "leader", {}, "spaces"),
])
def test_an_account_that_cannot_work_is_refused(warehouse, name, password, role, kwargs, says):
    with pytest.raises(AccessError) as e:
        AccessStore(warehouse).add_user(name, password, role, **kwargs)
    assert says in str(e.value)


def test_user_and_audit_commands(warehouse, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "lead", "--role", "leader", "--password-stdin", "--warehouse", str(warehouse)]) == 0
    assert main(["user", "add", "lead", "--role", "leader", "--password-stdin", "--warehouse", str(warehouse)]) == 2
    store = AccessStore(warehouse)
    with pytest.raises(SignInRefused):
        store.authenticate("=HYPERLINK(\"http://x\")", "guess")  # a hostile name, tried
    assert main(["user", "list", "--warehouse", str(warehouse)]) == 0
    assert "lead" in capsys.readouterr().out
    out = warehouse.parent / "audit.csv"
    assert main(["audit", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    import csv

    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {"sign_in_failed", "account"} <= {r["event"] for r in rows}
    assert any("HYPERLINK" in r["detail"] for r in rows)
    # no cell a spreadsheet would run: what starts like a formula is quoted with '
    assert not [v for r in rows for v in r.values() if v[:1] in ("=", "+", "-", "@")]


def test_serving_beyond_this_machine_needs_sign_in(warehouse, capsys):
    assert main(["serve", "--warehouse", str(warehouse), "--host", "0.0.0.0"]) == 2
    assert "emss user add" in capsys.readouterr().err


# ---- scopes, where every query passes ---------------------------------------------------------

def _facts(warehouse, district: str) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        as_of = con.execute("select as_of_date from data_as_of").fetchone()[0]
        incidents = con.execute("select count(*) from incidents where call_date between ? - 27 and ? and district = ?",
                                [as_of, as_of, district]).fetchone()[0]
        other = con.execute("select station_id from stations where district <> ? order by station_id limit 1",
                            [district]).fetchone()[0]
        own = con.execute("select station_id from stations where district = ? order by station_id limit 1",
                          [district]).fetchone()[0]
    finally:
        con.close()
    return {"incidents": incidents, "other_station": other, "own_station": own}


def test_a_district_scope_sees_its_district_in_every_query(warehouse):
    scope = Scope("district", ("futian",))
    facts = _facts(warehouse, "futian")
    con = open_reader(warehouse)
    try:
        ran = 0
        for name, query in queries.catalogue().items():
            if any(p.required for p in query.params):
                continue
            if not scope.may_run(name):
                with pytest.raises(queries.OutOfScope):
                    queries.run(con, name, {"districts": ["baoan"]} if "districts" in {p.name for p in query.params} else {}, scope)
                continue
            params = {"districts": ["baoan"]} if "districts" in {p.name for p in query.params} else {}
            frame = queries.run(con, name, params, scope)  # asking for Bao'an gets Futian
            ran += 1
            if "district" in frame.columns:
                assert set(frame["district"].drop_nulls().to_list()) <= {"futian"}, name
            if name == "meta/category_values":
                assert set(frame.filter(frame["dimension"] == "district")["value"]) <= {"futian"}
        assert ran > 20
        kpi = queries.run(con, "response/kpi", {"districts": ["baoan"]}, scope)
        assert kpi["incidents"][0] == facts["incidents"]
        with pytest.raises(queries.OutOfScope):
            queries.run(con, "stations/station_profile", {"station": facts["other_station"]}, scope)
        assert queries.run(con, "stations/station_profile", {"station": facts["own_station"]}, scope).height == 1
        for name in ("quality/rejected_rows", "quality/batches", "snapshots/weeks"):
            with pytest.raises(queries.OutOfScope):
                queries.run(con, name, {}, scope)
    finally:
        con.close()


def test_a_station_scope_sees_its_station_only(warehouse):
    facts = _facts(warehouse, "futian")
    scope = Scope("station", ("futian",), facts["own_station"])
    con = open_reader(warehouse)
    try:
        listed = queries.run(con, "incidents/list", {"start_date": dt.date(2000, 1, 1), "end_date": dt.date(2100, 1, 1)}, scope)
        assert listed.height > 0 and set(listed["first_station_id"]) == {facts["own_station"]}
        register = queries.run(con, "stations/register", {}, scope)
        assert register["station_id"].to_list() == [facts["own_station"]]
        for name in ("response/kpi", "stations/by_district", "inventory/faults", "map/incident_hexes"):
            with pytest.raises(queries.OutOfScope):
                queries.run(con, name, {}, scope)
    finally:
        con.close()


def test_every_role_names_real_pages_and_queries():
    import emss.roles as roles

    for role in ROLES.values():
        assert set(role.pages) <= set(roles.PAGES)
        assert all(q in queries.catalogue() for q in role.queries), role.code
        assert role.topics is None or all(any(n.startswith(t + "/") for n in queries.catalogue()) for t in role.topics)


def test_the_demo_prints_an_account_per_role(tmp_path):
    out = subprocess.run([sys.executable, "-m", "emss.cli", "demo", "--no-serve", "--warehouse", str(tmp_path / "d.duckdb"),
                          "--stations", "40", "--incidents", "1000"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    users = AccessStore(tmp_path / "d.duckdb").users()
    assert {u.role for u in users} == set(ROLES)
    for u in users:
        password = next(line.split()[-1] for line in out.stdout.splitlines() if line.strip().startswith(u.name + " "))
        assert AccessStore(tmp_path / "d.duckdb").authenticate(u.name, password).name == u.name


def test_a_districts_weekly_pack_holds_that_district_only(warehouse, tmp_path):
    from emss import snapshot

    city = snapshot.take(warehouse, out_dir=tmp_path / "s", pdf=False)
    pack = snapshot.take(warehouse, city.week, out_dir=tmp_path / "s", pdf=False, district="futian")
    assert pack.folder.name == f"{city.week.label}-futian" and pack.manifest["district"] == "futian"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected = con.execute("select count(*) from incidents where district = 'futian' and call_date between ? and ?",
                               [city.week.start, city.week.end]).fetchone()[0]
        recorded = con.execute("select count(*) from meta.snapshots").fetchone()[0]
    finally:
        con.close()
    import polars as pl

    kpi = pl.read_parquet(pack.folder / "tables" / "response_kpi.parquet")
    assert kpi.filter(pl.col("week") == city.week.label)["incidents"][0] == expected
    by_district = pl.read_parquet(pack.folder / "tables" / "response_by_district.parquet")
    assert set(by_district["district"].drop_nulls()) <= {"futian"}
    report = next(pack.folder.glob("report_*.html")).read_text(encoding="utf-8")
    assert "宝安" in next(city.folder.glob("report_*.html")).read_text(encoding="utf-8")  # the city's tables name it
    assert "宝安" not in report and "福田" in report
    # the district's pack records nothing: the history stays the city's
    assert snapshot.take(warehouse, city.week, out_dir=tmp_path / "s", pdf=False, district="futian").new_revision is False
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from meta.snapshots").fetchone()[0] == recorded
    finally:
        con.close()
    assert main(["snapshot", "--warehouse", str(warehouse), "--district", "atlantis", "--no-pdf",
                 "--out", str(tmp_path / "s")]) == 2


def test_signing_in_in_the_app_and_the_demos_own_way_in(warehouse, monkeypatch):
    """AppTest of the entry script: with accounts, nothing but the form until signed in; the demo's
    server (EMSS_DEMO_USER) opens signed in; a district head's sidebar offers only their district."""
    from conftest import open_dashboard

    store = AccessStore(warehouse)
    store.add_user("futian_head", PASSWORD, "district", districts=("futian",))
    store.add_user("demo_admin", PASSWORD, "admin")
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = open_dashboard()
    assert len(at.metric) == 0 and len(at.text_input) == 2  # the form only
    at.text_input(key="signin_name").input("futian_head")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and len(at.metric) > 0
    districts = next(m for m in at.sidebar.multiselect if m.options and "福田区" in m.options)
    assert districts.options == ["福田区"]
    assert ("futian_head", "sign_in") in [(e["user"], e["event"]) for e in store.events()]

    monkeypatch.setenv("EMSS_DEMO_USER", "demo_admin")
    at = open_dashboard()
    assert not at.exception and len(at.metric) > 0 and len(at.text_input) == 0
    assert ("demo_admin", "sign_in") in [(e["user"], e["event"]) for e in store.events()]


def test_a_download_is_made_when_clicked_and_recorded_under_who_clicked(warehouse, monkeypatch):
    """A page's CSV is not made on every run: it is made when the button is clicked (outside the page's
    run), and the audit trail then records it under the person and scope of the run that offered it."""
    from streamlit.delta_generator import DeltaGenerator

    from conftest import open_dashboard

    offered = {}
    original = DeltaGenerator.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        offered[file_name] = data
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    store = AccessStore(warehouse)
    store.add_user("futian_head", PASSWORD, "district", districts=("futian",))
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = open_dashboard()
    at.text_input(key="signin_name").input("futian_head")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("app_pages/incidents.py").run()
    assert not at.exception
    csv_name = next(name for name in offered if name.endswith(".csv"))
    assert all(callable(make) for make in offered.values())
    assert "download" not in [e["event"] for e in store.events()]  # nothing made, nothing recorded

    made = offered[csv_name]()  # the click, after the run
    assert made.startswith(b"\xef\xbb\xbf")  # the CSV itself (UTF-8 with its mark, as every CSV we write)
    downloads = [e for e in store.events() if e["event"] == "download"]
    assert [(e["user"], e["detail"]) for e in downloads] == [("futian_head", csv_name)]
    assert "futian" in downloads[0]["scope"]
