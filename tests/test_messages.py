"""The message catalog (emss/messages.toml): every text in both languages, every key used exists,
and every ETL rule's stored message carries a Chinese and an English half."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from emss import messages
from etl import rules
from etl.load import ingest
from warehouse.connection import open_reader

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_key_has_both_languages_with_the_same_fields():
    for key, texts in messages.STRINGS.items():
        assert set(texts) == set(messages.LANGS), f"{key}: languages {sorted(texts)}"
        assert all(texts[lang].strip() for lang in messages.LANGS), f"{key}: empty text"
        fields = [set(re.findall(r"{(\w+)}", texts[lang])) for lang in messages.LANGS]
        assert fields[0] == fields[1], f"{key}: fields differ between languages {fields}"


def test_no_key_is_defined_twice():
    """A key written twice would replace the first; TOML refuses it, and so does this count."""
    source = messages.CATALOG_PATH.read_text(encoding="utf-8")
    tomllib.loads(source)  # raises on a duplicate table
    keys = re.findall(r"^\[([^\]]+)\]\s*$", source, flags=re.M)
    assert len(keys) == len(set(keys)) == len(messages.STRINGS)


def _literal_keys(path: Path) -> set[str]:
    """Key literals passed to t(...), text(...), both(...) or messages.text(...) in one file."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        first = node.args[0]
        if name in ("t", "both") and isinstance(first, ast.Constant) and isinstance(first.value, str):
            keys.add(first.value)
        if name == "text" and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                and len(node.args) >= 2 and isinstance(node.args[1], (ast.Constant, ast.Name, ast.Attribute)):
            keys.add(first.value)
    return keys


def test_every_key_used_in_the_code_is_in_the_catalog():
    used: dict[str, set[str]] = {}
    for folder in ("dashboard", "emss", "etl", "warehouse", "queries"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in _literal_keys(path):
                used.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    assert len(used) > 300, "found few key literals: has the call style changed?"
    missing = {k: sorted(v) for k, v in used.items() if k not in messages.STRINGS}
    assert not missing, f"keys used but not in emss/messages.toml: {missing}"


def test_floor_module_imports_no_ui_or_layer_above():
    tree = ast.parse((ROOT / "emss" / "messages.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    roots = {m.split(".")[0] for m in imported}
    assert not roots & {"streamlit", "dashboard", "etl", "warehouse", "queries", "plotly"}, roots


def test_formats_take_the_language():
    assert messages.fmt_duration(252, "zh") == "4分12秒"
    assert messages.fmt_duration(252, "en") == "4 min 12 s"
    assert messages.fmt_minutes(300, "en") == "5 min"
    assert messages.rule_label("order", "en") == messages.text("rule_order", "en")
    assert messages.both("page_overview") == "总览 / Overview"


# ---- every rule's message, as stored, in Chinese / English ------------------------------------

STATIONS = """站点编号,站点类型,所属区,经度,纬度,建成日期,撤销日期,队员人数
YJ0001,社区服务站,福田区,114.06,22.54,2024-01-01,,5
,社区服务站,福田区,114.06,22.54,2024-01-01,,5
YJ0003,社区服务站,福田区,114.06,22.54,,,5
YJ0004,社区服务站,福田区,114.06,22.54,bad,,5
YJ0005,社区服务站,福田区,114.06,22.54,2024-01-01,bad,5
YJ0001,社区服务站,福田区,114.06,22.54,2024-01-01,,5
YJ0007,社区服务站,福田区,114.06,22.54,2024-03-01,2023-01-01,5
YJ0008,社区服务站,福田区,114.06,22.54,2024-01-01,,five
YJ0009,XX,福田区,114.06,22.54,2024-01-01,,5
YJ0010,社区服务站,福田区,0,0,2024-01-01,,5
"""

_T = "2025-05-21 01:{:02d}:00"
_OK = [_T.format(0), _T.format(1), _T.format(2), _T.format(5), _T.format(30)]


def _incident(n: int, station="YJ0001", kind="电梯困人", channel="群众电话", lon="114.06", times=_OK,
              incident=None) -> str:
    return ",".join([f"JQ{n}" if incident is None else incident, kind, channel, "福田区", lon, "22.54",
                     *times, station])


def _times(**changed: str) -> list[str]:
    names = ["call_at", "dispatch_at", "depart_at", "arrive_at", "clear_at"]
    return [changed.get(n, t) for n, t in zip(names, _OK)]


INCIDENTS = "\n".join([
    "警情编号,警情类型,接警渠道,所属区,经度,纬度,接警时间,派警时间,出动时间,到场时间,处置完毕时间,出警站点编号",
    _incident(1),
    _incident(2, incident=""),                                   # missing_incident_id
    _incident(3, station=""),                                    # missing_station_id
    _incident(4, times=_times(call_at="")),                      # missing_call_at
    _incident(5, times=_times(call_at="bad")),                   # bad_call_at
    _incident(6, times=_times(dispatch_at="bad")),               # bad_dispatch_at
    _incident(7, times=_times(depart_at="bad")),                 # bad_depart_at
    _incident(8, times=_times(arrive_at="bad")),                 # bad_arrive_at
    _incident(9, times=_times(clear_at="bad")),                  # bad_clear_at
    _incident(10, times=_times(dispatch_at="2025-05-21 00:59:00")),  # order
    _incident(1),                                                # duplicate_in_file
    _incident(12, times=_times(arrive_at="")),                   # no_arrival
    _incident(13, times=_times(clear_at="2025-06-21 01:30:00")),  # impossible_duration
    _incident(14, times=_times(arrive_at="2025-05-21 04:00:00", clear_at="2025-05-21 05:00:00")),  # extreme
    _incident(15, kind="alien", channel="pigeon"),               # unknown_category
    _incident(16, station="ZZ9999"),                             # unknown_station
    _incident(17, lon="0"),                                      # coordinates
]) + "\n"

INVENTORY = """站点编号,物资名称,物资类别,库存数量,标准配置数,有效期至,盘点日期
YJ0001,pump,必配装备,1,1,,2025-05-01
,pump,必配装备,1,1,,2025-05-01
YJ0001,,必配装备,1,1,,2025-05-01
YJ0001,hose,必配装备,1,1,,
YJ0001,shovel,必配装备,1,1,,bad
YJ0001,first-aid kit,应急物资,1,1,bad,2025-05-01
YJ0001,extinguisher,必配装备,ten,10,,2025-05-01
YJ0001,pump,必配装备,1,1,,2025-05-01
ZZ9999,pump,必配装备,1,1,,2025-05-01
YJ0001,torch,XX,1,1,,2025-05-01
"""

TARGETS = """年度,站点类型,所属区,目标数量
2025,社区服务站,,10
bad,社区服务站,福田区,5
2025,,福田区,5
2025,社区服务站,罗湖区,ten
2025,社区服务站,,11
2025,XX,福田区,5
"""

# prevention: one row per rule, each breaking it (the values Latin, as above)
PATROLS = """巡查编号,站点编号,开始时间,结束时间,场所类型,巡查场所数,巡查人数,发现隐患数
P1,YJ0001,2025-05-01 09:00,2025-05-01 11:00,学校,10,3,1
,YJ0001,2025-05-01 09:00,2025-05-01 11:00,学校,10,3,1
P3,,2025-05-01 09:00,2025-05-01 11:00,学校,10,3,1
P4,YJ0001,,2025-05-01 11:00,学校,10,3,1
P5,YJ0001,bad,2025-05-01 11:00,学校,10,3,1
P6,YJ0001,2025-05-01 09:00,bad,学校,10,3,1
P7,YJ0001,2025-05-01 09:00,2025-05-01 08:00,学校,10,3,1
P8,YJ0001,2025-05-01 09:00,2025-05-01 11:00,学校,-10,3,1
P9,YJ0001,2025-05-01 09:00,2025-05-01 11:00,学校,10,-3,1
P10,YJ0001,2025-05-01 09:00,2025-05-01 11:00,学校,10,3,-1
P1,YJ0001,2025-05-01 09:00,2025-05-01 11:00,学校,10,3,1
P12,ZZ9999,2025-05-01 09:00,2025-05-01 11:00,学校,10,3,1
P13,YJ0001,2025-05-01 09:00,2025-05-01 11:00,spaceport,10,3,1
"""

HAZARDS = """隐患编号,站点编号,发现日期,隐患类型,隐患等级,整改期限,整改完成日期
H1,YJ0001,2025-05-01,燃气隐患,一般,2025-05-08,
,YJ0001,2025-05-01,燃气隐患,一般,2025-05-08,
H3,,2025-05-01,燃气隐患,一般,2025-05-08,
H4,YJ0001,,燃气隐患,一般,2025-05-08,
H5,YJ0001,bad,燃气隐患,一般,2025-05-08,
H6,YJ0001,2025-05-01,燃气隐患,一般,bad,
H7,YJ0001,2025-05-01,燃气隐患,一般,2025-05-08,bad
H8,YJ0001,2025-05-01,燃气隐患,一般,2025-05-08,2025-04-01
H9,YJ0001,2025-05-01,燃气隐患,一般,2025-04-08,
H1,YJ0001,2025-05-01,燃气隐患,一般,2025-05-08,
H11,ZZ9999,2025-05-01,燃气隐患,一般,2025-05-08,
H12,YJ0001,2025-05-01,meteor,一般,2025-05-08,
"""

OUTREACH = """活动编号,站点编号,活动日期,活动类型,专业类别,参与人数,时长(小时)
E1,YJ0001,2025-05-01,应急演练,消防,30,2
,YJ0001,2025-05-01,应急演练,消防,30,2
E3,,2025-05-01,应急演练,消防,30,2
E4,YJ0001,,应急演练,消防,30,2
E5,YJ0001,bad,应急演练,消防,30,2
E6,YJ0001,2025-05-01,应急演练,消防,-30,2
E7,YJ0001,2025-05-01,应急演练,消防,30,-2
E1,YJ0001,2025-05-01,应急演练,消防,30,2
E9,ZZ9999,2025-05-01,应急演练,消防,30,2
E10,YJ0001,2025-05-01,juggling,消防,30,2
"""

DESK = """站点编号,服务时间,服务项目,服务人次
YJ0001,2025-05-01 10:00,短时充电,3
,2025-05-01 10:00,短时充电,3
YJ0001,,短时充电,3
YJ0001,bad,短时充电,3
YJ0001,2025-05-01 11:00,,3
YJ0001,2025-05-01 12:00,短时充电,-3
YJ0001,2025-05-01 10:00,短时充电,3
ZZ9999,2025-05-01 10:00,短时充电,3
YJ0001,2025-05-01 13:00,haircut,3
"""


@pytest.fixture(scope="module")
def stored_messages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    warehouse = folder / "w.duckdb"
    files = {"stations": STATIONS, "incidents": INCIDENTS, "inventory": INVENTORY, "targets": TARGETS,
             "patrols": PATROLS, "hazards": HAZARDS, "outreach": OUTREACH, "desk_services": DESK}
    for kind, body in files.items():  # the registry first: the others are checked against it
        path = folder / f"{kind}.csv"
        path.write_text(body, encoding="utf-8")
        [report] = ingest([path], warehouse, kind=kind)
        assert report.outcome == "loaded", report.message
    with open_reader(warehouse) as con:
        return con.execute("""
            select b.kind, p.rule, p.message
            from (select batch_id, rule, message from meta.rejects
                  union all select batch_id, rule, message from meta.flags) p
            join meta.batches b using (batch_id)
        """).fetchall()


def test_every_rule_is_broken_by_the_files(stored_messages):
    seen = {(kind, rule) for kind, rule, _ in stored_messages}
    expected = {(kind, r.name) for kind, kind_rules in rules.RULES.items() for r in kind_rules}
    assert expected <= seen, f"rules not broken by the test files: {sorted(expected - seen)}"


def test_every_stored_message_has_a_chinese_and_an_english_half(stored_messages):
    """The files' values are Latin, so Chinese in the English half would be a word left untranslated."""
    for kind, rule, message in stored_messages:
        assert message.count(messages.BOTH_SEP) == 1, (kind, rule, message)
        zh, en = message.split(messages.BOTH_SEP)
        assert CJK.search(zh) and zh.strip(), (kind, rule, message)
        assert en.strip() and not CJK.search(en) and re.search(r"[A-Za-z]{3}", en), (kind, rule, message)
        assert message != rule, (kind, rule, message)  # not the fallback of a null message
