"""The programme's coded values, each with its Chinese and English label.

Station types, item statuses and item categories are the programme's own in every city. Incident
types and channels here are the programme's standard lists, which a city profile may replace; a
city's districts are its profile's (emss.profiles). Exports write the Chinese label (or one of its
aliases); the ETL maps any label or alias to the code; pages show the label in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = field(default=())


def _index(items: list[Category]) -> dict[str, Category]:
    return {c.code: c for c in items}


STATION_TYPES = _index([
    Category("street_center", "街道中心站", "Sub-district centre station", ("街道中心", "中心站")),
    Category("industrial_park", "工业园区站", "Industrial park station", ("工业园区", "园区站")),
    Category("mall", "大型商超站", "Large mall station", ("商超站", "大型商超")),
    Category("community", "社区服务站", "Community service station", ("社区站", "社区")),
    Category("small", "小型站", "Small station", ("小型",)),
    Category("hospital", "医院站", "Hospital station", ("医院",)),
    Category("other", "其他类型站", "Other station", ("其他", "其他站")),
])

INCIDENT_TYPES = _index([
    Category("fire", "火灾扑救", "Fire", ("火灾", "火警", "fire")),
    Category("three_preventions", "三防", "Flood, typhoon and drought", ("三防(防汛防风防旱)", "防汛", "防风")),
    Category("forest_fire", "森林防灭火", "Forest fire", ("森林火灾", "山火")),
    Category("earthquake", "地震", "Earthquake", ()),
    Category("hazardous_organisms", "有毒有害生物清理", "Hornets, snakes and other pests", ("马蜂窝", "捕蛇", "有害生物")),
    Category("door_entry", "破拆房门", "Forcible door entry", ("开门", "破门")),
    Category("lift_entrapment", "电梯困人", "Person trapped in lift", ("电梯故障困人",)),
    Category("drainage", "排水排涝", "Drainage and waterlogging", ("内涝", "排涝")),
    Category("fallen_tree", "树木倒伏清障", "Fallen tree clearance", ("树木倒伏",)),
    Category("water_delivery", "停水送水", "Water delivery during outage", ("送水",)),
    Category("person_trapped", "人员受困解救", "Person trapped or stuck", ("人员被困", "受困解救")),
    Category("social_assistance", "社会救助", "General assistance", ("便民服务", "社会救助/便民服务")),
])

CHANNELS = _index([
    Category("dispatch_119", "119平台调度", "119 platform dispatch", ("119调度", "119", "119平台")),
    Category("street_office", "街道办指挥", "Sub-district office command", ("街道办", "街道指挥")),
    Category("police_office", "社区警务室", "Community police office", ("警务室",)),
    Category("phone", "群众电话", "Resident phone call", ("电话报警", "电话")),
    Category("walk_in", "到站求助", "Walk-in at the station", ("到站", "上门求助")),
])

ITEM_STATUSES = _index([
    Category("ok", "完好", "In working order", ("正常", "良好")),
    Category("damaged", "损坏", "Damaged", ("损毁", "故障")),
    Category("in_repair", "维修中", "In repair", ("送修", "维修")),
    Category("scrapped", "报废", "Scrapped", ("已报废",)),
])

ITEM_CATEGORIES = _index([
    Category("mandatory_kit", "必配装备", "Mandatory kit", ("必配",)),
    Category("forest_kit", "林区装备", "Forest-station kit", ("森林装备", "林区")),
    Category("emergency", "应急物资", "Emergency supplies", ("应急",)),
    Category("fire", "消防物资", "Fire supplies", ("消防",)),
    Category("traffic_safety", "交安物资", "Traffic-safety supplies", ("交安",)),
    Category("anti_riot", "防暴物资", "Anti-riot supplies", ("防暴",)),
    Category("convenience", "便民物资", "Convenience supplies", ("便民", "便民服务物资")),
])


# ---- prevention (事前预防): what patrols visit, the hazards they find, outreach and the desk.
# Codes and the spellings exports use; the words pages show are the catalog's
# (emss/messages.toml, key `<dimension>_<code>`), read here directly because the catalog's
# own module stands above this one.

@cache  # read once: parsing the catalog takes about 0.15 s, and each dimension below needs it
def _catalog() -> dict:
    import tomllib
    from pathlib import Path

    return tomllib.loads((Path(__file__).resolve().parent / "messages.toml").read_text(encoding="utf-8"))


def _labelled(dimension: str, aliases: dict[str, tuple[str, ...]]) -> dict[str, Category]:
    words = _catalog()
    return _index([Category(code, words[f"{dimension}_{code}"]["zh"], words[f"{dimension}_{code}"]["en"], spellings)
                   for code, spellings in aliases.items()])


PLACE_TYPES = _labelled("place_type", {
    "small_venue": ("三小", "三小场所(小商铺、小作坊、小娱乐场所)", "小场所"),
    "rental_housing": ("出租屋", "城中村", "出租屋、城中村"),
    "industrial_park": ("工业园区", "工厂", "企业厂房"),
    "mall": ("商超", "商场", "超市", "大型商超"),
    "school": ("学校", "幼儿园"),
    "hospital": ("医院", "诊所"),
    "forest": ("林区", "山林", "林地"),
    "residential": ("住宅小区", "小区", "居民楼"),
    "other": ("其他", "其他场所"),
})

HAZARD_TYPES = _labelled("hazard_type", {
    "ebike_charging": ("电动自行车违规停放充电", "电动车违规充电", "电动自行车违规充电", "电动车违规停放"),
    "blocked_exit": ("消防通道堵塞", "通道堵塞", "安全出口堵塞", "占用消防通道"),
    "illegal_wiring": ("私拉乱接电线", "私拉乱接", "乱拉电线"),
    "fire_equipment": ("消防设施损坏或过期", "消防设施损坏", "灭火器过期", "消防设施过期"),
    "gas": ("燃气隐患", "燃气", "燃气泄漏隐患"),
    "forest_fire_use": ("林区违规用火", "违规用火", "野外用火"),
    "other": ("其他", "其他隐患"),
})

HAZARD_LEVELS = _labelled("hazard_level", {
    "general": ("一般隐患",),
    "major": ("较大隐患",),
    "serious": ("重大隐患",),
})

HAZARD_STATUSES = _labelled("hazard_status", {
    "open": ("待整改", "整改中", "未完成"),
    "rectified": ("已完成", "已销号", "整改完成"),
})

OUTREACH_KINDS = _labelled("outreach_kind", {
    "door_to_door": ("入户", "上门宣传", "入户走访"),
    "community_event": ("进社区", "进校园", "进企业", "应急科普", "科普活动", "进社区、校园、企业"),
    "drill": ("演练", "消防演练", "疏散演练"),
    "team_training": ("业务培训", "培训", "队伍培训"),
})

DISCIPLINES = _labelled("discipline", {
    "fire": ("消防安全",),
    "three_preventions": ("三防(防汛防风防旱)", "防汛", "防风"),
    "forest_fire": ("森林防灭火", "森林防火"),
    "earthquake": ("防震", "地震应急"),
    "first_aid": ("急救", "应急救护"),
})

DESK_SERVICES = _labelled("desk_service", {
    "medicine": ("紧急医药用品", "药品", "医药用品"),
    "phone_charging": ("充电", "手机充电"),
    "urgent_enquiry": ("紧急事项咨询", "咨询"),
    "other": ("其他", "其他服务"),
})
