"""The domain's coded values, each with its Chinese and English label.

One place for every category the exports, the warehouse and the pages share.
Exports write the Chinese label (or one of its aliases); the ETL maps any
label or alias to the code; pages show the label in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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

# Ten areas: nine districts plus Dapeng New Area (a functional area inside Longgang's
# administrative boundary). Population: 7th national census (2020), persons.
DISTRICTS = _index([
    Category("luohu", "罗湖区", "Luohu", ("罗湖",)),
    Category("futian", "福田区", "Futian", ("福田",)),
    Category("nanshan", "南山区", "Nanshan", ("南山",)),
    Category("baoan", "宝安区", "Bao'an", ("宝安", "Baoan")),
    Category("longgang", "龙岗区", "Longgang", ("龙岗",)),
    Category("yantian", "盐田区", "Yantian", ("盐田",)),
    Category("longhua", "龙华区", "Longhua", ("龙华",)),
    Category("pingshan", "坪山区", "Pingshan", ("坪山",)),
    Category("guangming", "光明区", "Guangming", ("光明",)),
    Category("dapeng", "大鹏新区", "Dapeng New Area", ("大鹏",)),
])

DISTRICT_POPULATION = {
    "baoan": 4_476_600, "longgang": 3_979_000, "longhua": 2_528_900, "nanshan": 1_795_800,
    "futian": 1_553_225, "luohu": 1_143_800, "guangming": 1_095_300, "pingshan": 551_300,
    "yantian": 214_200, "dapeng": 156_200,
}

# Every coded dimension, by the name the warehouse's label table uses.
DIMENSIONS: dict[str, dict[str, Category]] = {
    "station_type": STATION_TYPES,
    "incident_type": INCIDENT_TYPES,
    "channel": CHANNELS,
    "item_status": ITEM_STATUSES,
    "item_category": ITEM_CATEGORIES,
    "district": DISTRICTS,
}


def label(dimension: str, code: str | None, lang: str = "zh") -> str:
    """The label of a code in the chosen language; unknown codes are shown as they are."""
    if code is None:
        return ""
    cat = DIMENSIONS[dimension].get(code)
    if cat is None:
        return code
    return cat.zh if lang == "zh" else cat.en


def lookup_table() -> list[tuple[str, str, str]]:
    """(dimension, spelling, code) for every code, label and alias: the ETL's translation table."""
    rows = []
    for dim, cats in DIMENSIONS.items():
        for c in cats.values():
            for spelling in (c.code, c.zh, c.en, *c.aliases):
                rows.append((dim, spelling, c.code))
    # de-duplicate (a code may equal its English label)
    seen, out = set(), []
    for r in rows:
        if (r[0], r[1]) not in seen:
            seen.add((r[0], r[1]))
            out.append(r)
    return out
