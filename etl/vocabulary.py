"""The header words real exports use, mapped to the warehouse's canonical fields.

A header is matched after normalising it: full-width characters folded to
half-width (NFKC), units in brackets removed (`到场时间(秒)`), spaces, underscores
and case ignored. Each kind of export lists its fields; the kind of a file is
the one whose required fields its header covers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Personal data: recognised so it can be dropped on read; never stored.
PERSONAL_FIELDS = {
    "caller_name": ["报警人", "报警人姓名", "联系人", "求助人", "caller", "caller name"],
    "caller_phone": ["联系电话", "报警电话", "报警人电话", "手机号", "电话号码", "phone", "caller phone"],
}
# Any other header that names a person or a way to reach one is personal too, however it is worded
# (报警人手机, 来电号码, 报警人联系方式, a second 联系电话 ...), unless it is one of the known header words
# above or below (e.g. "incident number" is the incident id).
PERSONAL_PATTERN = re.compile(
    r"报警人|求助人|联系人|当事人|来电|姓名|联系|电话|手机|号码|身份证|证件|住址|邮箱|微信|qq"
    r"|caller|contact|phone|^mobile|^tel\b|^cell\b|e-?mail|identity|id card|passport",
    re.IGNORECASE,
)

FIELDS: dict[str, dict[str, list[str]]] = {
    "incidents": {
        "incident_id": ["警情编号", "事件编号", "出警单号", "警情id", "警情号", "incident_id", "incident number", "incident no"],
        "incident_type": ["警情类型", "事件类型", "警情类别", "incident_type", "call type", "incident type"],
        "channel": ["接警渠道", "报警方式", "警情来源", "channel", "source"],
        "district": ["所属区", "行政区", "辖区", "district"],
        "street": ["街道", "所属街道", "street", "sub-district", "subdistrict"],
        "community": ["社区", "所属社区", "community"],
        "address": ["事发地址", "地址", "事发地点", "address"],
        "lon": ["经度", "lon", "lng", "longitude"],
        "lat": ["纬度", "lat", "latitude"],
        "crs": ["坐标系", "crs", "coordinate system"],
        "call_at": ["接警时间", "报警时间", "受理时间", "received", "call time", "received at"],
        "dispatch_at": ["派警时间", "调度时间", "派车时间", "dispatched", "dispatch time"],
        "depart_at": ["出动时间", "出车时间", "出发时间", "departed", "en route"],
        "arrive_at": ["到场时间", "到达时间", "到达现场时间", "arrived", "on scene"],
        "clear_at": ["处置完毕时间", "结束时间", "完成时间", "cleared", "available"],
        "station_id": ["出警站点编号", "站点编号", "服务站编号", "station_id", "station id"],
        "station_name": ["出警站点", "站点名称", "出警站点名称", "station", "station name"],
        "staff_sent": ["出动人数", "staff", "staff sent"],
        "vehicles_sent": ["出动车辆数", "出动车辆", "vehicles", "vehicles sent"],
    },
    "stations": {
        "station_id": ["站点编号", "服务站编号", "station_id", "station id"],
        "station_name": ["站点名称", "服务站名称", "station_name", "station name", "name"],
        "station_type": ["站点类型", "站点类别", "station_type", "station type", "type"],
        "district": ["所属区", "行政区", "辖区", "district"],
        "street": ["街道", "所属街道", "street"],
        "community": ["社区", "所属社区", "community"],
        "host_venue": ["依托场所", "依托单位", "host venue", "venue"],
        "lon": ["经度", "lon", "lng", "longitude"],
        "lat": ["纬度", "lat", "latitude"],
        "crs": ["坐标系", "crs"],
        "opened_on": ["建成日期", "投用日期", "启用日期", "opened", "opened_on"],
        "closed_on": ["撤销日期", "停用日期", "关闭日期", "closed", "closed_on"],
        "duty_mode": ["值班模式", "值班方式", "duty", "duty_mode"],
        "staff_count": ["队员人数", "人员数", "人数", "staff", "staff_count"],
        "captain_count": ["队长", "队长人数", "captain"],
        "vice_captain_count": ["副队长", "副队长人数", "vice captain", "vice_captain"],
        "communicator_count": ["通信员", "通信员人数", "communicator"],
        "safety_officer_count": ["安全员", "安全员人数", "safety officer", "safety_officer"],
        "vehicle_count": ["应急处置车辆数", "车辆数", "vehicles", "vehicle_count"],
        "is_forest": ["是否林区站", "林区站", "forest", "is_forest"],
    },
    "inventory": {
        "station_id": ["站点编号", "服务站编号", "station_id", "station id"],
        "item": ["物资名称", "装备名称", "item"],
        "item_category": ["物资类别", "装备类别", "category"],
        "quantity": ["库存数量", "数量", "quantity"],
        "required_quantity": ["标准配置数", "应配数量", "required", "required quantity"],
        "unit": ["单位", "unit"],
        "expires_on": ["有效期至", "有效期", "expires", "expiry"],
        "status": ["状态", "物资状态", "status"],
        "counted_on": ["盘点日期", "盘点时间", "counted", "count date"],
    },
    "targets": {
        "year": ["年度", "年份", "year"],
        "station_type": ["站点类型", "station type", "station_type"],
        "district": ["所属区", "行政区", "district"],
        "target_count": ["目标数量", "计划数", "建站目标", "target", "target_count"],
    },
    # prevention (事前预防): the patrol log, the hazard register, outreach and the convenience desk
    "patrols": {
        "patrol_id": ["巡查编号", "巡查单号", "巡查记录编号", "patrol_id", "patrol id", "patrol number", "patrol no"],
        "station_id": ["站点编号", "服务站编号", "巡查站点编号", "station_id", "station id"],
        "start_at": ["开始时间", "巡查开始时间", "巡查时间", "start", "start time", "started"],
        "end_at": ["结束时间", "巡查结束时间", "end", "end time", "ended"],
        "street": ["街道", "所属街道", "street", "sub-district"],
        "community": ["社区", "所属社区", "community"],
        "place_type": ["场所类型", "巡查场所类型", "场所类别", "place type", "place_type"],
        "places_visited": ["巡查场所数", "检查场所数", "走访场所数", "places visited", "places_visited", "places"],
        "staff_on_patrol": ["巡查人数", "巡查人员数", "出动人数", "staff on patrol", "staff", "patrol staff"],
        "hazards_found": ["发现隐患数", "隐患数", "hazards found", "hazards_found", "hazards"],
    },
    "hazards": {
        "hazard_id": ["隐患编号", "隐患单号", "hazard_id", "hazard id", "hazard number", "hazard no"],
        "station_id": ["站点编号", "服务站编号", "发现站点编号", "station_id", "station id"],
        "found_on": ["发现日期", "发现时间", "检查日期", "found", "found on", "found_on", "date found"],
        "place": ["场所名称", "隐患场所", "地址", "place", "place name"],
        "place_type": ["场所类型", "场所类别", "place type", "place_type"],
        "street": ["街道", "所属街道", "street", "sub-district"],
        "community": ["社区", "所属社区", "community"],
        "hazard_type": ["隐患类型", "隐患类别", "hazard type", "hazard_type"],
        "level": ["隐患等级", "隐患级别", "等级", "level", "hazard level"],
        "deadline_on": ["整改期限", "整改时限", "限期整改日期", "deadline", "deadline_on", "due"],
        "rectified_on": ["整改完成日期", "整改日期", "销号日期", "rectified", "rectified on", "rectified_on"],
        "status": ["整改状态", "状态", "status"],
    },
    "outreach": {
        "event_id": ["活动编号", "记录编号", "event_id", "event id", "event number"],
        "station_id": ["站点编号", "服务站编号", "station_id", "station id"],
        "held_on": ["活动日期", "日期", "活动时间", "date", "held on", "held_on"],
        "kind": ["活动类型", "活动类别", "形式", "kind", "event kind", "activity"],
        "discipline": ["专业类别", "专业", "领域", "discipline", "subject"],
        "street": ["街道", "所属街道", "street"],
        "community": ["社区", "所属社区", "community"],
        "participants": ["参与人数", "参加人数", "覆盖人数", "participants", "people reached"],
        "hours": ["时长", "活动时长", "培训时长", "学时", "hours", "duration hours"],
    },
    "desk_services": {
        "station_id": ["站点编号", "服务站编号", "station_id", "station id"],
        "served_at": ["服务时间", "登记时间", "服务日期", "登记日期", "served", "served at", "time"],
        "service": ["服务项目", "服务类型", "服务内容", "service", "service type"],
        "service_count": ["服务人次", "人次", "次数", "count", "times served"],
    },
}

# Fields a file must have to be read as that kind.
REQUIRED: dict[str, list[str]] = {
    "incidents": ["incident_id", "call_at", "station_id"],
    "stations": ["station_id", "station_type", "opened_on"],
    "inventory": ["station_id", "item", "quantity", "counted_on"],
    "targets": ["year", "station_type", "target_count"],
    "patrols": ["patrol_id", "station_id", "start_at"],
    "hazards": ["hazard_id", "station_id", "found_on"],
    "outreach": ["event_id", "station_id", "held_on", "kind"],
    "desk_services": ["station_id", "served_at", "service"],
}

KINDS = list(FIELDS)

_BRACKETS = re.compile(r"[\(\[（【][^\)\]）】]*[\)\]）】]")
_SEPARATORS = re.compile(r"[\s_\-·.:：/]+")


def normalise_header(text: object) -> str:
    """Fold a header cell to the form the vocabulary is written in."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = _BRACKETS.sub("", s)
    return _SEPARATORS.sub("", s)


_LOOKUP: dict[str, dict[str, str]] = {
    kind: {normalise_header(alias): field for field, aliases in fields.items() for alias in aliases}
    for kind, fields in FIELDS.items()
}
_PERSONAL = {normalise_header(a): f for f, aliases in PERSONAL_FIELDS.items() for a in aliases}


@dataclass
class HeaderMap:
    kind: str
    columns: dict[str, str]      # source header -> canonical field
    personal: list[str]          # source headers holding personal data (dropped)
    unmapped: list[str]          # source headers kept only in `extra`
    missing_required: list[str]


def map_headers(headers: list[str], kind: str) -> HeaderMap:
    """Map one file's headers onto a kind's canonical fields (first match wins)."""
    lookup = _LOOKUP[kind]
    columns, personal, unmapped = {}, [], []
    taken: set[str] = set()
    for h in headers:
        key = normalise_header(h)
        field = lookup.get(key)
        if field and field not in taken:
            columns[h] = field
            taken.add(field)
        elif is_personal(h):
            personal.append(h)
        else:
            unmapped.append(h)
    missing = [f for f in REQUIRED[kind] if f not in taken]
    return HeaderMap(kind, columns, personal, unmapped, missing)


def header_score(cells: list[object]) -> tuple[int, str | None]:
    """How many cells of a row are known header words, and the kind whose required fields they cover.

    The count finds the header row (a row needs two known words to count); the
    kind is None when no kind's required fields are all there.
    """
    normalised = [normalise_header(c) for c in cells if c not in (None, "")]
    best, best_kind = 0, None
    for kind in KINDS:
        fields = {_LOOKUP[kind][n] for n in normalised if n in _LOOKUP[kind]}
        complete = set(REQUIRED[kind]) <= fields
        if (complete, len(fields)) > (best_kind is not None, best):
            best, best_kind = len(fields), (kind if complete else None)
    return (best if best >= 2 else 0), best_kind


def is_personal(header: object) -> bool:
    """Does this header hold a caller's or a contact's details (to be dropped on read, never stored)?"""
    key = normalise_header(header)
    if key in _PERSONAL:
        return True
    if any(key in lookup for lookup in _LOOKUP.values()):
        return False
    text = unicodedata.normalize("NFKC", str(header or ""))
    return bool(PERSONAL_PATTERN.search(text)) or bool(PERSONAL_PATTERN.search(key))


def is_known_header(text: object) -> bool:
    key = normalise_header(text)
    return any(key in lookup for lookup in _LOOKUP.values()) or key in _PERSONAL


def two_line_headers(upper: list[object], lower: list[object]) -> list[object]:
    """Headers split over two rows (a merged group cell above, e.g. 警情 | 编号): joined where that
    makes a known header word and the lower cell alone is not one. Merged cells carry their value
    only in the first cell, so the upper row is filled rightwards first."""
    filled, last = [], None
    for cell in upper:
        last = cell if cell not in (None, "") else last
        filled.append(last)
    out = []
    for i, cell in enumerate(lower):
        above = filled[i] if i < len(filled) else None
        if above and cell not in (None, "") and not is_known_header(cell) and is_known_header(f"{above}{cell}"):
            out.append(f"{above}{cell}")
        else:
            out.append(cell)
    return out


def closest_kind(headers: list[str]) -> tuple[str, list[str]] | None:
    """The kind the headers come closest to, and the required fields they lack (for the refusal message)."""
    best = None
    for kind in KINDS:
        hmap = map_headers(headers, kind)
        score = len(hmap.columns)
        if score and (best is None or score > best[0]):
            best = (score, kind, hmap.missing_required)
    return (best[1], best[2]) if best else None


def detect_kind(headers: list[str]) -> str | None:
    """The kind of export whose required fields the headers cover best."""
    return header_score(headers)[1]
