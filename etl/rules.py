"""Validation rules: each either rejects a row (kept in meta.rejects with its
reason, not loaded) or flags it (loaded, and listed in meta.flags).

The choice per rule follows the field's own practice: a row that cannot be
placed in time or attributed to an incident or station is rejected; a row that
is usable but suspect (no arrival, an extreme duration, an unknown category or
station) is loaded and flagged, so it still counts where it should.
"""

from __future__ import annotations

from dataclasses import dataclass

REJECT, FLAG = "reject", "flag"

TIMESTAMP_CHAIN = [
    ("call_at", "接警时间"), ("dispatch_at", "派警时间"), ("depart_at", "出动时间"),
    ("arrive_at", "到场时间"), ("clear_at", "处置完毕时间"),
]
EXTREME_RESPONSE_S = 2 * 3600
IMPOSSIBLE_S = 7 * 86400
# Shenzhen with a margin: a point outside is in the wrong place or the wrong system.
SERVICE_AREA = {"lon_min": 113.6, "lon_max": 114.8, "lat_min": 22.3, "lat_max": 22.95}


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    predicate: str   # SQL over the `typed` table: true when the row breaks the rule
    message: str     # SQL expression giving the message (Chinese, with the value)
    description: str


def _unreadable(field: str, label: str) -> Rule:
    return Rule(
        f"bad_{field}", REJECT,
        f"not blank({field}_text) and {field} is null",
        f"'{label}无法识别: ' || {field}_text",
        f"{label} present but not a recognisable date/time",
    )


def _missing(field: str, label: str) -> Rule:
    return Rule(f"missing_{field}", REJECT, f"{field} is null and blank({field}_text)" if field.endswith(("_at", "_on")) else f"{field} is null",
                f"'缺少{label}'", f"{label} is required")


def _order_rule() -> Rule:
    pairs = [(a, b) for i, a in enumerate(TIMESTAMP_CHAIN) for b in TIMESTAMP_CHAIN[i + 1:]]
    predicate = " or ".join(f"({a[0]} > {b[0]})" for a, b in pairs)
    message = "array_to_string(list_filter([" + ", ".join(
        f"case when {a[0]} > {b[0]} then '{b[1]}早于{a[1]}' end" for a, b in pairs
    ) + "], lambda x: x is not null), '；')"
    return Rule("order", REJECT, predicate, message,
                "timestamps out of order (received ≤ dispatched ≤ departed ≤ arrived ≤ cleared)")


def coordinates_rule(area: dict[str, float] = SERVICE_AREA) -> Rule:
    a = area
    return Rule(
        "coordinates", FLAG,
        f"lon is null or lat is null or lon not between {a['lon_min']} and {a['lon_max']} "
        f"or lat not between {a['lat_min']} and {a['lat_max']}",
        "'坐标缺失或不在服务区内: ' || coalesce(lon_text, '') || ',' || coalesce(lat_text, '')",
        "coordinates missing, unreadable or outside the service area (row kept, no map position)",
    )


def _duplicate_rule(key: str) -> Rule:
    return Rule("duplicate_in_file", REJECT, "is_duplicate",
                f"'同一文件中重复: ' || {key} || ' (与第' || first_source_row || '行重复)'",
                "the same key appears again in the same file; the first occurrence is loaded")


RULES: dict[str, list[Rule]] = {
    "incidents": [
        _missing("incident_id", "警情编号"),
        _missing("station_id", "出警站点编号"),
        _missing("call_at", "接警时间"),
        *[_unreadable(f, label) for f, label in TIMESTAMP_CHAIN],
        _order_rule(),
        _duplicate_rule("incident_id || '/' || station_id"),
        Rule("no_arrival", FLAG, "arrive_at is null", "'无到场时间(未到场或取消)'",
             "no arrival time: kept, counts as an incident without an arrival, never as a zero"),
        Rule("impossible_duration", REJECT,
             f"epoch(coalesce(clear_at, arrive_at, depart_at, dispatch_at) - call_at) > {IMPOSSIBLE_S}",
             "'接警到结束超过7天: ' || cast(epoch(coalesce(clear_at, arrive_at, depart_at, dispatch_at) - call_at) / 86400 as integer) || '天'",
             "more than 7 days from alarm to the last timestamp: a wrong date, not a response"),
        Rule("extreme_response", FLAG,
             f"epoch(arrive_at - call_at) > {EXTREME_RESPONSE_S}",
             "'到场用时超过2小时: ' || cast(epoch(arrive_at - call_at) / 60 as integer) || '分钟'",
             "response over two hours: kept and flagged"),
        Rule("unknown_category", FLAG, "not categories_known",
             "'未知类别值: ' || coalesce(incident_type_text, '') || ' / ' || coalesce(channel_text, '')",
             "incident type, channel or district not in the vocabulary: kept as written"),
        Rule("unknown_station", FLAG, "station_known = false",
             "'站点台账中没有该站点: ' || station_id", "station not in the registry: kept"),
        coordinates_rule(),
    ],
    "stations": [
        _missing("station_id", "站点编号"),
        _missing("opened_on", "建成日期"),
        _unreadable("opened_on", "建成日期"),
        _unreadable("closed_on", "撤销日期"),
        _duplicate_rule("station_id"),
        Rule("closed_before_opened", FLAG, "closed_on < opened_on",
             "'撤销日期早于建成日期'", "closing date before opening date: kept"),
        Rule("bad_staff_count", FLAG, "not blank(staff_count_text) and staff_count is null",
             "'人数无法识别: ' || staff_count_text", "staff count not a number: kept as unknown"),
        Rule("unknown_category", FLAG, "not categories_known",
             "'未知站点类型或行政区: ' || coalesce(station_type_text, '')", "unknown station type or district: kept"),
        coordinates_rule(),
    ],
    "inventory": [
        _missing("station_id", "站点编号"),
        _missing("item", "物资名称"),
        _missing("counted_on", "盘点日期"),
        _unreadable("counted_on", "盘点日期"),
        _unreadable("expires_on", "有效期至"),
        Rule("bad_quantity", REJECT, "quantity is null or quantity < 0",
             "'库存数量不是非负数: ' || coalesce(quantity_text, '(空)')", "quantity missing, not a number or negative"),
        _duplicate_rule("station_id || '/' || item || '/' || cast(counted_on as varchar)"),
        Rule("unknown_station", FLAG, "station_known = false",
             "'站点台账中没有该站点: ' || station_id", "station not in the registry: kept"),
        Rule("unknown_category", FLAG, "not categories_known",
             "'未知物资类别或状态'", "unknown item category or status: kept as written"),
    ],
    "targets": [
        Rule("bad_year", REJECT, "year is null or year not between 2000 and 2100",
             "'年度无法识别: ' || coalesce(year_text, '(空)')", "year missing or not a year"),
        _missing("station_type", "站点类型"),
        Rule("bad_target", REJECT, "target_count is null or target_count < 0",
             "'目标数量不是非负整数: ' || coalesce(target_count_text, '(空)')", "target missing or negative"),
        _duplicate_rule("cast(year as varchar) || '/' || station_type || '/' || coalesce(district, '全市')"),
        Rule("unknown_category", FLAG, "not categories_known",
             "'未知站点类型或行政区: ' || coalesce(station_type_text, '')", "unknown station type or district: kept"),
    ],
}

def rules_for(kind: str, service_area: tuple[float, float, float, float] | None = None) -> list[Rule]:
    """The kind's rules; a mapping file may declare its own service area (lon_min, lat_min, lon_max, lat_max)."""
    if service_area is None:
        return RULES[kind]
    area = dict(zip(("lon_min", "lat_min", "lon_max", "lat_max"), service_area))
    return [coordinates_rule(area) if r.name == "coordinates" else r for r in RULES[kind]]


# The key each kind is loaded by (later files revise earlier ones key by key).
KEYS = {
    "incidents": ["incident_id", "station_id"],
    "stations": ["station_id"],
    "inventory": ["station_id", "item", "counted_on"],
    "targets": ["year", "station_type", "district"],
}
# Key fields no rule requires (a blank district is the city-wide target); every other key is never null.
OPTIONAL_KEYS = {"district"}
