"""Deterministic demo exports of a city (the default profile's, or any other) for the demo and the tests.

`generate_exports` writes the files a city's systems would hand over: the
station registry (Excel), the dispatch system's incident records (GB18030
CSV, one row per responding station, one file per year), the inventory counts
(UTF-8 CSV with BOM), the annual build targets (Excel), and a year of prevention
registers (事前预防: the patrol log, the hazard register exported twice, the outreach, drill
and training register, the convenience desk's monthly totals). The same seed and arguments give
byte-identical files.

Nothing here is real data. First an activity map is drawn inside the city's real district
boundaries (its profile's): hubs where people live and work (dense cores, industrial parks, malls,
villages), as many per district as its share of the population (by area where the profile has
none), and wooded hills in the forest districts. Stations, in numbers proportional to the
population, were built near the hubs (a quarter anywhere on the land; forest stations are watch
posts on the hills). Incidents come from the hubs and, one in ten, from anywhere on a district's
land, never from where a station is; the nearest station in service that day answers. They
follow the shapes the field reports (see docs): daily and seasonal cycles, a 5-minute arrival
rate around 80 % where stations are dense and far lower where they are sparse, a long tail, and
a few malformed rows.

Planted for analysts to find (and for the dashboard to show); which district plays which part the
profile's [demo] section says, else the population does:
- the slow district (default: the most populous) is the slowest large district, and slower still in
  the last eight weeks before `end` (road works): its 5-minute rate drops.
- Hornet and snake calls (有毒有害生物清理) have a long turnout: crews put on
  protective suits before leaving.
- The remote district (default: the least densely peopled) and forest fires have slow travel;
  earthquakes come in two bursts (felt tremors); typhoon days bring spikes of 三防, drainage and
  fallen trees.
- Malformed rows: arrival before departure, a missing arrival, dispatch before
  the call. Nothing else records which rows they are.
- Prevention: a fifth of the stations patrol less than the standard's 3 a week and a tenth skip
  drills; one street (prevention_story: the one with the most stations outside the slow district)
  patrols less and leaves most of its hazards open in the second-to-last complete quarter, and has
  more fires the quarter after (some of its calm calls that quarter are fires).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import polars as pl
import shapely
import xlsxwriter

from emss import profiles, settings
from emss.categories import CHANNELS, INCIDENT_TYPES, ITEM_CATEGORIES, ITEM_STATUSES, STATION_TYPES
from emss.geo import area_km2, wgs84_to_gcj02

REGISTRY_FILE = "站点台账.xlsx"
REGISTRY_SHEET = "站点台账"
INCIDENT_FILE = "出警记录_{year}.csv"
INVENTORY_FILE = "物资盘点.csv"
TARGETS_FILE = "年度建站目标.xlsx"
TARGETS_SHEET = "年度建站目标"

STATION_HEADERS = [
    "站点编号", "站点名称", "站点类型", "所属区", "街道", "依托场所", "经度", "纬度", "坐标系",
    "建成日期", "撤销日期", "值班模式", "队员人数", "队长", "副队长", "通信员", "安全员",
    "应急处置车辆数", "是否林区站",
]
INCIDENT_HEADERS = [
    "警情编号", "警情类型", "接警渠道", "所属区", "街道", "事发地址", "经度", "纬度", "坐标系",
    "接警时间", "派警时间", "出动时间", "到场时间", "处置完毕时间", "出警站点编号", "出警站点",
    "出动人数", "出动车辆数", "报警人", "联系电话",
]
INVENTORY_HEADERS = [
    "站点编号", "物资名称", "物资类别", "库存数量", "标准配置数", "单位", "有效期至", "状态", "盘点日期",
]
TARGET_HEADERS = ["年度", "站点类型", "所属区", "目标数量"]

PROGRAMME_START = date(2023, 5, 1)  # the pilot notice went out in May 2023

COMMUNITY_STEMS = [
    "海旺", "上合", "灵芝", "翻身", "宝民", "甲岸", "岭下", "水围", "岗厦", "皇岗", "渔农", "福星",
    "田面", "沙尾", "上沙", "下沙", "南园", "新洲", "景田", "香梅", "莲花", "彩田", "华新", "荔枝",
    "翠湖", "松坪", "桃源", "龙井", "大冲", "白石", "海月", "月亮湾", "蛇口", "湾厦", "四海", "兴华",
    "凤凰", "塘尾", "黄田", "臣田", "固戍", "鹤洲", "黄麻布", "新和", "塘下涌", "松岗", "燕川", "罗田",
    "石龙", "官田", "水田", "清湖", "大浪", "上塘", "樟坑", "新澜", "桂花", "牛湖", "布吉", "丹竹头",
    "南岭", "沙湾", "樟树布", "坂田", "马安堂", "五和", "大运", "回龙埔", "新生", "爱联", "龙西", "六联",
    "坪西", "六和", "沙湖", "竹坑", "金龟", "碧岭", "马峦", "汤坑", "沙坣", "坝光", "水头", "鹏城",
    "王母", "南渔", "东涌", "西涌", "梅沙", "沿港", "桥东", "永安", "木棉湾", "东晓", "春风", "桂园",
]
ROAD_STEMS = [
    "宝民", "建安", "新湖", "兴华", "民治", "人民", "和平", "解放", "深南", "滨河", "红荔",
    "莲花", "梅林", "北环", "南海", "沙河", "创业", "前进", "宝安", "松白", "龙岗", "坪山", "光明",
    "布龙", "五和", "环城", "东门", "翠竹", "沿河", "金田", "福华", "振华", "新安", "西乡", "石岩",
]
ROAD_SUFFIXES = ["路", "一路", "二路", "三路", "大道", "街", "东路", "西路", "北路"]
BUILDING_SUFFIXES = ["", "", "", "花园", "大厦", "工业区", "新村", "小区"]
# Where a profile names no 街道 or hills, the demo makes them up from these.
GENERIC_STREET_STEMS = [
    "城东", "城西", "城南", "城北", "新城", "江南", "滨江", "东湖", "西湖", "南苑", "北苑", "中山", "人民",
    "解放", "和平", "新华", "东山", "西山", "南岭", "北岭", "金沙", "银湖", "石门", "白沙", "青龙", "凤凰",
    "龙泉", "桂花", "太平", "长安", "东升", "新民", "永丰", "福安", "兴隆", "朝阳", "文昌", "振兴", "光华",
    "红星", "建设", "前进", "胜利", "团结", "幸福", "安居", "康乐", "明珠", "翠屏", "云山",
]
GENERIC_HILLS = ["青龙山", "凤凰山", "狮子岭", "大岭", "石门山", "鹰嘴山", "笔架山", "云雾山"]
MALL_SUFFIXES = ["购物中心", "购物广场", "商业中心", "万象汇", "天虹商场"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程")

# Station type mix (the street centres are placed first, one per 街道).
TYPE_SHARES = {"community": 0.45, "small": 0.20, "industrial_park": 0.12, "mall": 0.06,
               "hospital": 0.04, "other": 0.06}
STREET_CENTER_SHARE = 0.07
HOSTS = {
    "street_center": {"街面": 0.4, "党群服务中心": 0.4, "应急救援仓库": 0.2},
    "industrial_park": {"工业园区": 1.0},
    "mall": {"大型商超": 1.0},
    "community": {"社区服务中心": 0.5, "党群服务中心": 0.25, "原小型消防站": 0.15, "街面": 0.1},
    "small": {"街面": 0.5, "原小型消防站": 0.35, "大型公益站点": 0.15},
    "hospital": {"大型医院": 1.0},
    "other": {"应急救援仓库": 0.4, "大型公益站点": 0.4, "街面": 0.2},
}
FOREST_WEIGHTS = (5.0, 3.0, 1.5, 0.5)  # forest stations, by default in the four least densely peopled districts
OPENING_YEAR_SHARES = {2023: 0.55, 2024: 0.25, 2025: 0.13, 2026: 0.07}

INCIDENT_SHARES = {
    "social_assistance": 0.18, "lift_entrapment": 0.14, "hazardous_organisms": 0.12,
    "door_entry": 0.11, "fire": 0.10, "drainage": 0.08, "person_trapped": 0.08,
    "fallen_tree": 0.06, "three_preventions": 0.05, "water_delivery": 0.04,
    "forest_fire": 0.03, "earthquake": 0.001,
}
# (amplitude, peak day of year) of each type's yearly cycle
SEASONS = {
    "three_preventions": (0.9, 200), "drainage": (0.8, 165), "hazardous_organisms": (0.6, 215),
    "fallen_tree": (0.5, 225), "water_delivery": (0.2, 200), "forest_fire": (0.7, 40),
    "fire": (0.15, 20),
}
WEATHER_TYPES = ("three_preventions", "drainage", "fallen_tree")
CHANNEL_SHARES = {"dispatch_119": 0.40, "phone": 0.25, "walk_in": 0.15, "street_office": 0.12,
                  "police_office": 0.08}
# How much likelier a walk-in is for each type than on average: nobody walks
# in to report a forest fire, many walk in for help with a lock or a snake.
WALK_IN_AFFINITY = {
    "fire": 0.3, "forest_fire": 0.05, "three_preventions": 0.3, "earthquake": 0.2,
    "drainage": 0.5, "fallen_tree": 0.5, "lift_entrapment": 0.5, "social_assistance": 2.2,
    "person_trapped": 1.5, "hazardous_organisms": 1.3, "door_entry": 1.6, "water_delivery": 1.0,
}
HOUR_WEIGHTS = np.array([0.9, 0.6, 0.45, 0.35, 0.3, 0.35, 0.6, 1.1, 1.5, 1.7, 1.8, 1.75,
                         1.6, 1.55, 1.65, 1.7, 1.7, 1.75, 1.8, 1.8, 1.75, 1.6, 1.4, 1.15])
WEEKDAY_WEIGHTS = np.array([0.97, 0.97, 0.98, 0.99, 1.02, 1.06, 1.01])  # Monday first

# Response-time model, seconds and metres.
CALL_PROCESSING_MEDIAN_S = {"dispatch_119": 40, "phone": 45, "street_office": 50,
                            "police_office": 50, "walk_in": 8}
TURNOUT_MEDIAN_S = 55
NIGHT_TURNOUT_FACTOR = 1.5  # 00:00-06:00, crews asleep
SLOW_TURNOUT_TYPE = "hazardous_organisms"
SLOW_TURNOUT_FACTOR = 1.6
# Where things happen: the city's activity, drawn before any station. Hubs are dense
# cores, industrial parks, malls, hospitals and villages; each spreads its calls around
# it, and a share of calls comes from anywhere on a district's land (roads, hills).
HUBS_PER_STATION = 0.6
HILLS_PER_FOREST_WEIGHT = 4  # wooded hills per unit of a district's forest weight (FOREST_WEIGHTS)
HILL_SIGMA_M = 700.0  # forest fires spread over a hill this far (normal)
WATCH_POST_SIGMA_M = 300.0  # a forest station sits this near its hill's middle
HUB_SIGMA_M = (200.0, 700.0)  # a hub's spread (normal), drawn log-uniformly between these
HUB_WEIGHT_SIGMA = 0.8  # lognormal spread of hubs' sizes
BACKGROUND_SHARE = 0.10  # of incidents, anywhere on the district's land
STATION_BACKGROUND_SHARE = 0.25  # of stations, anywhere on the land: the rest were built near activity
STATION_HUB_SPREAD = 0.5  # a hub's stations stand within this share of its spread from its middle (normal)
NOT_NEAREST_SHARE = 0.06  # the nearest station in service is out on another call: the next one goes
FOREST_HILL_SHARE = 0.6  # forest fires on the forest districts' hills; the rest anywhere, by population
FOREST_STATION_SHARE = 0.8  # forest fires answered by the nearest forest station in service
FOREST_STATION_REACH_M = 8000.0  # ... when one is this near; else the nearest station goes
WALK_IN_DISTANCE_GAMMA = (2.0, 90.0)  # a walk-in happened near the station the caller came to
URBAN_SPEED_MS = 22 / 3.6
ROAD_DETOUR = 1.25  # road distance over straight-line distance
RUSH_SPEED = 0.88  # weekdays 07-09 and 17-19
NIGHT_SPEED = 1.25  # 22-06, empty roads
SLOW_DISTRICT_SPEED = 0.8  # the slow district (profile [demo] slow_district)
BUSY_DISTRICT_SPEED = 0.92  # the busy one (busy_district)
REMOTE_DISTRICT_SPEED = 0.7  # the remote one (remote_district)
SLOW_LATE_WEEKS = 8  # the slow district's road works, before `end`
SLOW_LATE_SPEED = 0.8
FOREST_FIRE_SPEED = 0.45
PHASE_SIGMA = 0.22  # lognormal spread of call processing and turnout
TRAVEL_SIGMA = 0.12  # traffic, parking, finding the door
DELAYED_SHARE = 0.065  # address hard to find, crew held up, traffic
DELAY_S = (200, 2.0, 150.0)  # minimum, gamma shape, gamma scale
ONSCENE_MEDIAN_MIN = {
    "fire": 35, "three_preventions": 55, "forest_fire": 90, "earthquake": 40,
    "hazardous_organisms": 25, "door_entry": 20, "lift_entrapment": 25, "drainage": 50,
    "fallen_tree": 45, "water_delivery": 40, "person_trapped": 20, "social_assistance": 15,
}

# (name, category code, required, unit, perishable)
MANDATORY_ITEMS = [
    ("微型巡逻车", "mandatory_kit", 1, "辆", False),
    ("灭火器", "mandatory_kit", 10, "具", False),
    ("消防泵", "mandatory_kit", 1, "台", False),
    ("个人防护装备", "mandatory_kit", 10, "套", False),
    ("破拆工具", "mandatory_kit", 1, "套", False),
    ("水域救生器材", "mandatory_kit", 2, "套", False),
    ("应急通信设备", "mandatory_kit", 4, "台", False),
]
FOREST_ITEMS = [
    ("森林消防水车", "forest_kit", 1, "辆", False),
    ("水泵", "forest_kit", 2, "台", False),
    ("搜救装备", "forest_kit", 2, "套", False),
    ("水域救援装备", "forest_kit", 2, "套", False),
]
SUPPLY_ITEMS = [
    ("应急照明灯", "emergency", 10, "个", False),
    ("急救包", "emergency", 10, "个", True),
    ("灭火毯", "fire", 10, "块", False),
    ("消防水带", "fire", 6, "盘", False),
    ("反光锥", "traffic_safety", 20, "个", False),
    ("警示带", "traffic_safety", 5, "卷", False),
    ("防暴盾牌", "anti_riot", 4, "面", False),
    ("钢叉", "anti_riot", 4, "把", False),
    ("紧急医药箱", "convenience", 2, "个", True),
    ("充电宝", "convenience", 5, "个", False),
]

NUMERALS = "一二三四五六七八九十"
FAR_FUTURE = np.datetime64("2100-01-01")
DAY_S = 86_400


@dataclass
class DemoCity:
    """What the demo needs of a city: its districts with boundaries, how many people live in each,
    their 街道 and hills, and which district plays which planted part."""
    profile: profiles.Profile
    codes: list[str]
    population: np.ndarray  # per code; by area where the profile has none
    streets: dict[str, list[str]]
    hills: dict[str, list[str]]
    forest_weight: dict[str, float]
    speed: dict[str, float]  # travel speed factor per district
    slow_district: str
    latitude: float  # the city's middle, for flat distances

    def name(self, code: str) -> str:
        return self.profile.districts[code].name_zh

    def geometry(self, code: str):
        return self.profile.districts[code].geometry


def _short(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in "区县市" else name


def demo_city(profile: profiles.Profile | None = None) -> DemoCity:
    """The demo's view of a profile (default: the current one); the profile's [demo] section names
    the planted parts, else the population picks them."""
    profile = profile or profiles.current()
    codes = [c for c, d in profile.districts.items() if d.geometry is not None]
    if not codes:
        raise ValueError(f"{profile.name_zh}: 演示需要区界 / the demo needs district boundaries in the profile")
    area = np.array([area_km2(profile.districts[c].geometry) for c in codes])
    known = [(profile.districts[c].population, a) for c, a in zip(codes, area) if profile.districts[c].population]
    density = sum(p for p, _ in known) / sum(a for _, a in known) if known else 2000.0
    population = np.array([profile.districts[c].population or density * a for c, a in zip(codes, area)], dtype=float)
    hints = profile.demo
    by_people = [codes[i] for i in np.argsort(-population, kind="stable")]
    if known:
        by_density = [codes[i] for i in np.argsort(population / area, kind="stable")]
    else:  # no population at all: every density is the same, so the outlying districts are the remote ones
        middle = shapely.centroid(shapely.union_all([profile.districts[c].geometry for c in codes]))
        far = [profile.districts[c].geometry.centroid.distance(middle) for c in codes]
        by_density = [codes[i] for i in np.argsort(-np.array(far), kind="stable")]
    slow = hints.get("slow_district", by_people[0])
    busy = hints.get("busy_district", by_people[1] if len(codes) > 1 else slow)
    remote = hints.get("remote_district", next((c for c in by_density if c not in (slow, busy)), slow))
    # the hills: in the least densely peopled districts, or without population the largest ones
    hilly = by_density if known else [codes[i] for i in np.argsort(-area, kind="stable")]
    forest = hints.get("forest_weight") or dict(zip(hilly, FOREST_WEIGHTS))
    for name, code in (("slow_district", slow), ("busy_district", busy), ("remote_district", remote), *((
            "forest_weight", c) for c in forest)):
        if code not in codes:
            raise ValueError(f"{profile.source}: [demo] {name}: {code!r} 不是有界的区 / names no district with a boundary")
    streets, pool = {}, iter(GENERIC_STREET_STEMS)
    for c, a in zip(codes, area):
        own = list(profile.districts[c].streets)
        if not own:  # about one 街道 per 40 km², 3 to 12
            own = [next(pool, None) or f"{_short(profile.districts[c].name_zh)}{k + 1}" for k in
                   range(int(np.clip(round(a / 40), 3, 12)))]
        streets[c] = own
    hills = {c: list(hints.get("mountains", {}).get(c) or [_short(profile.districts[c].name_zh) + h for h in GENERIC_HILLS[:3]])
             for c in forest}
    speed = {c: 1.0 for c in codes}
    speed.update({busy: BUSY_DISTRICT_SPEED, remote: REMOTE_DISTRICT_SPEED, slow: SLOW_DISTRICT_SPEED})
    bounds = profile.bounds()
    return DemoCity(profile, codes, population, streets, hills, {c: float(w) for c, w in forest.items()}, speed,
                    slow, (bounds[1] + bounds[3]) / 2)


@dataclass
class Stations:
    """The generated registry, one array entry per station, ordered by station id."""
    id: np.ndarray
    name: np.ndarray
    type: np.ndarray  # STATION_TYPES code
    district: np.ndarray  # the profile's district code
    street: np.ndarray  # 街道 name without the suffix
    community: np.ndarray
    host: np.ndarray
    lon: np.ndarray  # WGS-84
    lat: np.ndarray
    opened: np.ndarray  # datetime64[D]
    closed: np.ndarray  # datetime64[D], FAR_FUTURE when still open
    duty: np.ndarray
    staff: np.ndarray
    roles: np.ndarray  # (n, 4): captain, vice-captain, communicator, safety officer
    vehicles: np.ndarray
    forest: np.ndarray  # bool
    street_communities: dict[str, list[str]]
    city: DemoCity
    activity: Activity

    def __len__(self) -> int:
        return len(self.id)


def generate_exports(
    out_dir: Path,
    *,
    seed: int = 2026,
    n_stations: int = 1000,
    n_incidents: int = 300_000,
    start: date = date(2024, 11, 25),
    end: date = date(2026, 11, 22),
    city: profiles.Profile | None = None,
) -> dict[str, list[Path]]:
    """Write the demo exports of a city (default: the current profile's) into out_dir; return their paths by kind."""
    if n_stations < 30:
        raise ValueError("n_stations must be at least 30 to hold every kind of station")
    if n_incidents < 500:
        raise ValueError("n_incidents must be at least 500 to hold every kind of incident")
    if not PROGRAMME_START < start <= end:
        raise ValueError(f"need {PROGRAMME_START} < start <= end")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # One independent stream per file, so changing one part leaves the others as they were.
    # (spawn(n + 1) gives the same first n streams as spawn(n): adding a stream changes none of the others)
    rng_stations, rng_incidents, rng_inventory, rng_targets, rng_prevention, rng_activity = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6))

    city = demo_city(city)
    stations = make_stations(rng_stations, n_stations, end, city, make_activity(rng_activity, n_stations, city))
    responses = make_responses(rng_incidents, stations, n_incidents, start, end)
    inventory = make_inventory(rng_inventory, stations, end)
    targets = make_targets(rng_targets, stations, end)
    prevention = make_prevention(rng_prevention, stations, end)
    responses = plant_fires(rng_prevention, responses, stations, prevention.story)

    created = datetime.combine(end, time(9, 0))
    return {
        "stations": [write_registry(out_dir / REGISTRY_FILE, stations, created)],
        "incidents": write_incidents(out_dir, responses),
        "inventory": [write_inventory(out_dir / INVENTORY_FILE, inventory)],
        "targets": [write_targets(out_dir / TARGETS_FILE, targets, created)],
        **write_prevention(out_dir, prevention, end, created),
    }


# ---------------------------------------------------------------- stations

def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def _weighted_pick(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    keys = list(options)
    p = np.array([options[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _points_inside(rng: np.random.Generator, geometry, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points inside a lon/lat polygon, by rejection."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    lons, lats, have = [np.empty(0)], [np.empty(0)], 0
    while have < count:
        lon = rng.uniform(min_lon, max_lon, 4 * count + 64)
        lat = rng.uniform(min_lat, max_lat, 4 * count + 64)
        inside = shapely.contains_xy(geometry, lon, lat)
        lons.append(lon[inside])
        lats.append(lat[inside])
        have += int(inside.sum())
    return np.concatenate(lons)[:count], np.concatenate(lats)[:count]


def _street_centres(rng: np.random.Generator, geometry, k: int, latitude: float) -> np.ndarray:
    """k roughly equal-area cells of a district, as k-means centres of random points."""
    lon, lat = _points_inside(rng, geometry, 1500)
    pts = np.column_stack([lon * math.cos(math.radians(latitude)), lat])
    centres = pts[rng.choice(len(pts), size=k, replace=False)]
    for _ in range(20):
        nearest = np.argmin(((pts[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
        for j in range(k):
            if np.any(nearest == j):
                centres[j] = pts[nearest == j].mean(axis=0)
    centres[:, 0] /= math.cos(math.radians(latitude))
    return centres[np.argsort(centres[:, 1], kind="stable")]


def _opening_dates(rng: np.random.Generator, n: int, end: date) -> np.ndarray:
    years = [y for y in range(PROGRAMME_START.year, end.year + 1)]
    shares = np.array([OPENING_YEAR_SHARES.get(y, 0.05) for y in years])
    year = np.array(years)[rng.choice(len(years), size=n, p=shares / shares.sum())]
    first = np.array([max(date(y, 1, 1), PROGRAMME_START) for y in year], dtype="datetime64[D]")
    last = np.array([min(date(y, 12, 31), end) for y in year], dtype="datetime64[D]")
    span = (last - first).astype(int) + 1
    return first + (rng.random(n) * span).astype(int)


@dataclass
class Activity:
    """Where the city's incidents come from, one entry per hub; drawn without looking at any station."""
    district: np.ndarray  # district code
    lon: np.ndarray
    lat: np.ndarray
    sigma_m: np.ndarray  # the hub's spread
    weight: np.ndarray  # its share of its district's hub-borne calls
    hill: np.ndarray  # bool: a wooded hill, where forest fires break out (and nothing else comes from)

    def points(self, rng: np.random.Generator, city: DemoCity, code: str, count: int, background: float,
               geometry=None) -> tuple[np.ndarray, np.ndarray]:
        """count points in a district: a `background` share anywhere on its land, the rest around its
        hubs by their weights; a point drawn off the land is drawn again."""
        geometry = geometry if geometry is not None else city.geometry(code)
        hubs = np.flatnonzero((self.district == code) & ~self.hill)
        lons, lats, have = [np.empty(0)], [np.empty(0)], 0
        while have < count:
            k = count - have
            anywhere = rng.random(k) < background if len(hubs) else np.ones(k, dtype=bool)
            lon, lat = np.empty(k), np.empty(k)
            if anywhere.any():
                lon[anywhere], lat[anywhere] = _points_inside(rng, geometry, int(anywhere.sum()))
            near = np.flatnonzero(~anywhere)
            if len(near):
                w = self.weight[hubs]
                hub = hubs[rng.choice(len(hubs), size=len(near), p=w / w.sum())]
                offset = rng.normal(0.0, 1.0, (len(near), 2)) * self.sigma_m[hub, None]
                lat[near] = self.lat[hub] + offset[:, 0] / 111_320.0
                lon[near] = self.lon[hub] + offset[:, 1] / (111_320.0 * np.cos(np.radians(self.lat[hub])))
            inside = shapely.contains_xy(geometry, lon, lat)
            lons.append(lon[inside])
            lats.append(lat[inside])
            have += int(inside.sum())
        return np.concatenate(lons)[:count], np.concatenate(lats)[:count]

    def station_points(self, rng: np.random.Generator, city: DemoCity, code: str, count: int, background: float,
                       geometry) -> tuple[np.ndarray, np.ndarray]:
        """Where a district's stations were built: a `background` share anywhere on its land, the rest
        shared among its hubs by their weights (largest remainder), each near its hub's middle."""
        hubs = np.flatnonzero((self.district == code) & ~self.hill)
        n_land = count if len(hubs) == 0 else int(round(background * count))
        lon, lat = np.empty(count), np.empty(count)
        lon[:n_land], lat[:n_land] = _points_inside(rng, geometry, n_land)
        at = np.repeat(hubs, _largest_remainder(count - n_land, self.weight[hubs])) if len(hubs) else np.empty(0, int)
        todo = np.arange(n_land, count)
        for _ in range(50):
            if len(todo) == 0:
                break
            hub = at[todo - n_land]
            offset = rng.normal(0.0, 1.0, (len(todo), 2)) * (STATION_HUB_SPREAD * self.sigma_m[hub, None])
            y = self.lat[hub] + offset[:, 0] / 111_320.0
            x = self.lon[hub] + offset[:, 1] / (111_320.0 * np.cos(np.radians(self.lat[hub])))
            inside = shapely.contains_xy(geometry, x, y)
            lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
            todo = todo[~inside]
        if len(todo):  # a hub hard against the coast: anywhere on the land instead
            lon[todo], lat[todo] = _points_inside(rng, geometry, len(todo))
        return lon, lat

    def hill_points(self, rng: np.random.Generator, city: DemoCity, code: str, count: int,
                    sigma_m: float = HILL_SIGMA_M, hills: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """count points on a district's hills, picked by their weights (or one around each of the given
        hills), on its land; a district without hills gives points anywhere on its land."""
        if hills is None:
            own = np.flatnonzero((self.district == code) & self.hill)
            if len(own) == 0:
                return _points_inside(rng, city.geometry(code), count)
            hills = own[rng.choice(len(own), size=count, p=self.weight[own] / self.weight[own].sum())]
        lon, lat = self.lon[hills].copy(), self.lat[hills].copy()
        todo = np.arange(len(hills))
        for _ in range(50):
            if len(todo) == 0:
                break
            offset = rng.normal(0.0, sigma_m, (len(todo), 2))
            y = self.lat[hills[todo]] + offset[:, 0] / 111_320.0
            x = self.lon[hills[todo]] + offset[:, 1] / (111_320.0 * np.cos(np.radians(self.lat[hills[todo]])))
            inside = shapely.contains_xy(city.geometry(code), x, y)
            lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
            todo = todo[~inside]
        return lon, lat  # a point that never landed stays on the hill's middle, which is on land


def make_activity(rng: np.random.Generator, n_stations: int, city: DemoCity) -> Activity:
    """The hubs: as many per district as its share of the people (at least three), anywhere on its land."""
    total = max(3 * len(city.codes), round(HUBS_PER_STATION * n_stations))
    per_district = np.maximum(3, _largest_remainder(total, city.population))
    district, lon, lat = [], [], []
    for code, count in zip(city.codes, per_district):
        x, y = _points_inside(rng, city.geometry(code), int(count))
        district += [code] * int(count)
        lon.append(x)
        lat.append(y)
    k = len(district)
    low, high = np.log(HUB_SIGMA_M[0]), np.log(HUB_SIGMA_M[1])
    sigma, weight = np.exp(rng.uniform(low, high, k)), rng.lognormal(0.0, HUB_WEIGHT_SIGMA, k)
    hill = np.zeros(k, dtype=bool)
    for code, w in city.forest_weight.items():
        count = max(1, round(HILLS_PER_FOREST_WEIGHT * w))
        x, y = _points_inside(rng, city.geometry(code).buffer(-0.005), count)
        district += [code] * count
        lon.append(x)
        lat.append(y)
        sigma = np.concatenate([sigma, np.full(count, HILL_SIGMA_M)])
        weight = np.concatenate([weight, rng.lognormal(0.0, HUB_WEIGHT_SIGMA, count)])
        hill = np.concatenate([hill, np.ones(count, dtype=bool)])
    return Activity(np.array(district, dtype=object), np.concatenate(lon), np.concatenate(lat), sigma, weight, hill)


def make_stations(rng: np.random.Generator, n: int, end: date, city: DemoCity | None = None,
                  activity: Activity | None = None) -> Stations:
    city = city or demo_city()
    activity = activity or make_activity(rng, n, city)
    codes = city.codes
    floor = max(2, round(0.015 * n))
    population = city.population
    per_district = floor + _largest_remainder(n - floor * len(codes), population)

    district, street, lon, lat = [], [], [], []
    street_communities: dict[str, list[str]] = {}
    for code, count in zip(codes, per_district):
        # Keep stations a little inside the border so that the GCJ-02 round
        # trip and 6-decimal rounding never move one into the neighbour.
        area = city.geometry(code).buffer(-0.0003)
        centres = _street_centres(rng, area, len(city.streets[code]), city.latitude)
        for name in city.streets[code]:
            stems = rng.choice(len(COMMUNITY_STEMS), size=6, replace=False)
            street_communities[name] = [COMMUNITY_STEMS[i] for i in stems]
        x, y = activity.station_points(rng, city, code, int(count), STATION_BACKGROUND_SHARE, area)
        d2 = (x[:, None] - centres[None, :, 0]) ** 2 + (y[:, None] - centres[None, :, 1]) ** 2
        nearest = np.argmin(d2, axis=1)
        district += [code] * count
        street += [city.streets[code][j] for j in nearest]
        lon.append(x)
        lat.append(y)
    district = np.array(district, dtype=object)
    street = np.array(street, dtype=object)
    lon, lat = np.concatenate(lon), np.concatenate(lat)
    community = np.array([street_communities[name][rng.integers(6)] for name in street], dtype=object)

    # One street centre per 街道: the station nearest the street's middle.
    kind = np.full(n, "", dtype=object)
    n_centres = max(1, round(STREET_CENTER_SHARE * n))
    candidates = []
    for name in dict.fromkeys(street):
        members = np.flatnonzero(street == name)
        mid_lon, mid_lat = lon[members].mean(), lat[members].mean()
        best = members[np.argmin((lon[members] - mid_lon) ** 2 + (lat[members] - mid_lat) ** 2)]
        candidates.append((-len(members), int(best)))
    for _, i in sorted(candidates)[:n_centres]:
        kind[i] = "street_center"
    rest = np.flatnonzero(kind == "")
    kind[rest] = _weighted_pick(rng, TYPE_SHARES, len(rest))
    for code in STATION_TYPES:  # small registries still hold every type
        if not np.any(kind == code):
            kind[rng.choice(np.flatnonzero(kind == "community"))] = code

    forest = np.zeros(n, dtype=bool)
    eligible = np.isin(kind, ["community", "small", "other"])
    weight = np.array([city.forest_weight.get(d, 0.0) for d in district]) * eligible
    n_forest = max(2, round(0.05 * n))
    forest[rng.choice(n, size=n_forest, replace=False, p=weight / weight.sum())] = True
    # a forest station is a watch post on one of its district's hills, each hill manned in turn
    for code in np.unique(district[forest]):
        members = np.flatnonzero(forest & (district == code))
        hills = np.flatnonzero((activity.district == code) & activity.hill)
        if len(hills):
            ordered = hills[np.argsort(-activity.weight[hills], kind="stable")]
            posts = ordered[np.arange(len(members)) % len(ordered)]
            lon[members], lat[members] = activity.hill_points(rng, city, code, len(members), WATCH_POST_SIGMA_M,
                                                              hills=posts)

    host = np.empty(n, dtype=object)
    for code in STATION_TYPES:
        members = np.flatnonzero(kind == code)
        host[members] = _weighted_pick(rng, HOSTS[code], len(members))
    on_watch_post = forest & (rng.random(n) < 0.75)
    host[on_watch_post] = "森林防火哨站点"

    opened = _opening_dates(rng, n, end)
    closed = np.full(n, FAR_FUTURE)
    end64 = np.datetime64(end)
    can_close = np.flatnonzero((opened <= end64 - 300) & ~forest & (kind != "street_center"))
    n_closed = max(1, round(0.005 * n))
    for i in rng.choice(can_close, size=n_closed, replace=False):
        first = opened[i] + 180
        last = end64 - 30
        closed[i] = first + int(rng.integers(0, max(1, (last - first).astype(int))))

    staff = np.clip(np.round(rng.normal(15, 3.5, n)), 10, 30).astype(int)
    staff[kind == "street_center"] = rng.integers(20, 31, (kind == "street_center").sum())
    vehicles = rng.choice([2, 3, 4], size=n, p=[0.55, 0.3, 0.15])
    vehicles[kind == "street_center"] = rng.choice([3, 4], size=(kind == "street_center").sum())
    roles = np.ones((n, 4), dtype=int)
    duty = np.full(n, "24小时", dtype=object)
    # A few per cent fall short of the standard somewhere; the first four
    # shortfalls cover every kind so that small registries show each one.
    n_short = max(4, round(0.04 * n))
    short = rng.choice(np.flatnonzero(closed == FAR_FUTURE), size=n_short, replace=False)
    kinds = ["staff", "role", "vehicles", "duty"]
    shortfall = kinds + list(rng.choice(kinds, size=n_short - 4, p=[0.4, 0.3, 0.25, 0.05]))
    for i, what in zip(short, shortfall):
        if what == "staff":
            staff[i] = rng.integers(6, 10)
        elif what == "role":
            roles[i, rng.integers(4)] = 0
        elif what == "vehicles":
            vehicles[i] = 1
        else:
            duty[i] = "日间"

    # Number stations district by district, oldest first, as a registry grows.
    order = np.lexsort((opened, np.array([codes.index(d) for d in district])))
    stations = Stations(
        id=np.array([f"YJ{k + 1:04d}" for k in range(n)], dtype=object),
        name=np.empty(n, dtype=object), type=kind[order], district=district[order],
        street=street[order], community=community[order], host=host[order],
        lon=lon[order], lat=lat[order], opened=opened[order], closed=closed[order],
        duty=duty[order], staff=staff[order], roles=roles[order], vehicles=vehicles[order],
        forest=forest[order], street_communities=street_communities, city=city, activity=activity,
    )
    stations.name = _station_names(rng, stations)
    return stations


def _station_names(rng: np.random.Generator, s: Stations) -> np.ndarray:
    names, seen = [], {}
    for i in range(len(s)):
        area = s.city.name(s.district[i]) + s.street[i] + "街道"
        stem = COMMUNITY_STEMS[rng.integers(len(COMMUNITY_STEMS))]
        kind = s.type[i]
        if s.forest[i]:
            mountains = s.city.hills[s.district[i]]
            place = mountains[rng.integers(len(mountains))] + "林区"
        elif kind == "street_center":
            place = ""
        elif kind == "industrial_park":
            place = stem + "工业园"
        elif kind == "mall":
            place = stem + MALL_SUFFIXES[rng.integers(len(MALL_SUFFIXES))]
        elif kind == "hospital":
            place = s.street[i] + "人民医院" if rng.random() < 0.5 else stem + "医院"
        else:
            place = s.community[i] + "社区"
        base = area + place
        seen[base] = seen.get(base, 0) + 1
        nth = seen[base]
        suffix = "" if nth == 1 else "第" + (NUMERALS[nth - 1] if nth <= 10 else str(nth))
        names.append(base + suffix + ("应急管理服务中心站" if kind == "street_center" else "应急管理服务站"))
    return np.array(names, dtype=object)


def write_registry(path: Path, s: Stations, created: datetime) -> Path:
    gcj_lon, gcj_lat = wgs84_to_gcj02(s.lon, s.lat)
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties({"created": created, "author": "应急管理局"})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    coord_format = workbook.add_format({"num_format": "0.000000"})
    sheet = workbook.add_worksheet(REGISTRY_SHEET)
    sheet.write_row(0, 0, STATION_HEADERS, bold)
    sheet.set_column(1, 1, 48)
    sheet.set_column(9, 10, 12)
    for i in range(len(s)):
        r = i + 1
        sheet.write_row(r, 0, [s.id[i], s.name[i], STATION_TYPES[s.type[i]].zh,
                               s.city.name(s.district[i]), s.street[i] + "街道", s.host[i]])
        sheet.write_number(r, 6, round(float(gcj_lon[i]), 6), coord_format)
        sheet.write_number(r, 7, round(float(gcj_lat[i]), 6), coord_format)
        sheet.write_string(r, 8, "GCJ-02")
        sheet.write_datetime(r, 9, s.opened[i].astype(datetime), date_format)
        if s.closed[i] != FAR_FUTURE:
            sheet.write_datetime(r, 10, s.closed[i].astype(datetime), date_format)
        sheet.write_string(r, 11, s.duty[i])
        sheet.write_row(r, 12, [int(s.staff[i]), *map(int, s.roles[i]), int(s.vehicles[i])])
        sheet.write_string(r, 18, "是" if s.forest[i] else "否")
    workbook.close()
    return path


# ---------------------------------------------------------------- incidents

def _open_matrix(s: Stations, days: np.ndarray) -> np.ndarray:
    """(day, station): True where the station was in service that day."""
    return (s.opened[None, :] <= days[:, None]) & (days[:, None] < s.closed[None, :])


def _day_weights(rng: np.random.Generator, days: np.ndarray, n_open: np.ndarray) -> dict[str, np.ndarray]:
    """Relative incident volume per day for each incident type."""
    doy = (days - days.astype("datetime64[Y]")).astype(int) + 1
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    month = (days.astype("datetime64[M]").astype(int) % 12) + 1
    base = (n_open / n_open.max()) * WEEKDAY_WEIGHTS[weekday]

    # Typhoon and rainstorm days: three a summer, with a smaller echo the day after.
    storm = np.ones(len(days))
    summer = np.flatnonzero((month >= 6) & (month <= 9))
    if len(summer):
        years = days[summer].astype("datetime64[Y]")
        for y in np.unique(years):
            in_year = summer[years == y]
            for d in rng.choice(in_year, size=min(3, len(in_year)), replace=False):
                storm[d] *= 6.0
                if d + 1 < len(days):
                    storm[d + 1] *= 2.5

    quake = np.full(len(days), 0.05 / len(days))
    quake[rng.choice(len(days), size=2, replace=False)] += 0.95 / 2

    weights = {}
    for code in INCIDENT_SHARES:
        if code == "earthquake":
            weights[code] = quake
            continue
        amp, peak = SEASONS.get(code, (0.0, 0))
        w = base * (1 + amp * np.cos(2 * np.pi * (doy - peak) / 365.25))
        if code in WEATHER_TYPES:
            w = w * storm
        weights[code] = w / w.sum()
    return weights


def _move(lon, lat, distance_m, bearing):
    dlat = distance_m * np.cos(bearing) / 111_320.0
    dlon = distance_m * np.sin(bearing) / (111_320.0 * np.cos(np.radians(lat)))
    return lon + dlon, lat + dlat


def _flat_distance_m(lon1, lat1, lon2, lat2, latitude: float):
    # Equirectangular: plenty for distances of a few km inside one city.
    x = (lon2 - lon1) * 111_320.0 * np.cos(np.radians(latitude))
    y = (lat2 - lat1) * 111_320.0
    return np.sqrt(x * x + y * y)


def _nearest_two(s: Stations, lon: np.ndarray, lat: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """For each point, the nearest and the second-nearest station of `pool` (-1 when the pool has one)."""
    dist = _flat_distance_m(lon[:, None], lat[:, None], s.lon[None, pool], s.lat[None, pool], s.city.latitude)
    k = min(2, len(pool))
    two = np.argpartition(dist, k - 1, axis=1)[:, :k]
    two = np.take_along_axis(two, np.argsort(np.take_along_axis(dist, two, axis=1), axis=1), axis=1)
    out = np.full((len(lon), 2), -1, dtype=int)
    out[:, :k] = pool[two]
    return out


def make_responses(rng: np.random.Generator, s: Stations, n: int, start: date, end: date) -> pl.DataFrame:
    """One row per responding station, in the export's column order (Chinese labels)."""
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    open_on = _open_matrix(s, days)
    n_open = open_on.sum(axis=1).astype(float)
    if np.any(n_open == 0):
        raise ValueError("some days have no station in service; start later")

    # --- when and what
    type_codes = list(INCIDENT_SHARES)
    per_type = np.maximum(1, _largest_remainder(n, np.array(list(INCIDENT_SHARES.values()))))
    per_type[np.argmax(per_type)] -= per_type.sum() - n
    kind = np.repeat(np.arange(len(type_codes)), per_type)
    day_weights = _day_weights(rng, days, n_open)
    day = np.concatenate([rng.choice(len(days), size=c, p=day_weights[t])
                          for t, c in zip(type_codes, per_type)])
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    received = (days[day].astype(int).astype(np.int64) * DAY_S + hour * 3600
                + rng.integers(0, 3600, n))
    order = np.argsort(received, kind="stable")
    kind, day, hour, received = kind[order], day[order], hour[order], received[order]
    type_code = np.array(type_codes, dtype=object)[kind]

    channel_codes = list(CHANNEL_SHARES)
    walk_in = channel_codes.index("walk_in")
    cum = []
    for code in type_codes:
        p = np.array(list(CHANNEL_SHARES.values()))
        p[walk_in] *= WALK_IN_AFFINITY[code]
        cum.append(np.cumsum(p / p.sum()))
    cum = np.array(cum)
    channel = np.minimum((rng.random(n)[:, None] > cum[kind]).sum(axis=1), len(channel_codes) - 1)
    is_walk_in = channel == walk_in

    # --- where: drawn from the city's activity, each district's share of incidents following its
    # population; no station is looked at. Most forest fires break out on the wooded hills of the
    # forest districts, the others in any district's parks and slopes (anywhere on its land).
    codes = s.city.codes
    population = s.city.population
    is_forest_fire = type_code == "forest_fire"
    district = np.array(codes, dtype=object)[rng.choice(len(codes), size=n, p=population / population.sum())]
    forest_codes = list(s.city.forest_weight)
    forest_w = np.array([s.city.forest_weight[c] for c in forest_codes])
    on_hills = is_forest_fire & (rng.random(n) < FOREST_HILL_SHARE)
    district[on_hills] = np.array(forest_codes, dtype=object)[
        rng.choice(len(forest_codes), size=int(on_hills.sum()), p=forest_w / forest_w.sum())]
    lon, lat = np.empty(n), np.empty(n)
    for code in codes:
        here = np.flatnonzero((district == code) & ~is_forest_fire)
        lon[here], lat[here] = s.activity.points(rng, s.city, code, len(here), BACKGROUND_SHARE)
        slopes = np.flatnonzero((district == code) & is_forest_fire & ~on_hills)
        lon[slopes], lat[slopes] = _points_inside(rng, s.city.geometry(code), len(slopes))
        hills = np.flatnonzero((district == code) & on_hills)
        lon[hills], lat[hills] = s.activity.hill_points(rng, s.city, code, len(hills))

    # --- who goes first: the nearest station in service that day (now and then the next one, the
    # nearest being out); a forest fire mostly calls the nearest forest station, when one is near
    first = np.empty(n, dtype=int)
    starts = np.searchsorted(day, np.arange(len(days) + 1))
    busy = rng.random(n) < NOT_NEAREST_SHARE
    to_forest = is_forest_fire & (rng.random(n) < FOREST_STATION_SHARE)
    for d in range(len(days)):
        members = np.arange(starts[d], starts[d + 1])
        if len(members) == 0:
            continue
        nearest_two = _nearest_two(s, lon[members], lat[members], np.flatnonzero(open_on[d]))
        first[members] = np.where(busy[members] & (nearest_two[:, 1] >= 0), nearest_two[:, 1], nearest_two[:, 0])
        forest_pool = np.flatnonzero(open_on[d] & s.forest)
        calls = members[to_forest[members]]
        if len(forest_pool) and len(calls):
            post = _nearest_two(s, lon[calls], lat[calls], forest_pool)[:, 0]
            near = _flat_distance_m(lon[calls], lat[calls], s.lon[post], s.lat[post], s.city.latitude)
            first[calls] = np.where(near <= FOREST_STATION_REACH_M, post, first[calls])

    # Walk-ins happened near the station the caller walked into, inside its district.
    walk = np.flatnonzero(is_walk_in)
    distance = rng.gamma(*WALK_IN_DISTANCE_GAMMA, len(walk))
    bearing = rng.uniform(0, 2 * np.pi, len(walk))
    for attempt in range(12):
        lon[walk], lat[walk] = _move(s.lon[first[walk]], s.lat[first[walk]], distance, bearing)
        outside = np.zeros(len(walk), dtype=bool)
        for code in codes:
            here = s.district[first[walk]] == code
            outside[here] = ~shapely.contains_xy(s.city.geometry(code), lon[walk][here], lat[walk][here])
        if not outside.any():
            break
        distance[outside] *= 0.5 if attempt < 11 else 0.0
        bearing[outside] = rng.uniform(0, 2 * np.pi, int(outside.sum()))
    district[walk] = s.district[first[walk]]
    distance = _flat_distance_m(lon, lat, s.lon[first], s.lat[first], s.city.latitude)

    # --- who else goes: the nearest other stations in service
    responders = rng.choice([1, 2, 3], size=n, p=[0.85, 0.12, 0.03])
    multi = np.flatnonzero(responders > 1)
    extra_station = [[], []]
    for chunk in np.array_split(multi, max(1, len(multi) // 2000)):
        if len(chunk) == 0:
            continue
        dist = _flat_distance_m(lon[chunk, None], lat[chunk, None], s.lon[None, :], s.lat[None, :], s.city.latitude)
        dist[~open_on[day[chunk]]] = np.inf
        dist[np.arange(len(chunk)), first[chunk]] = np.inf
        nearest = np.argpartition(dist, 1, axis=1)[:, :2]  # the two nearest, either order
        by_distance = np.argsort(np.take_along_axis(dist, nearest, axis=1), axis=1)
        nearest = np.take_along_axis(nearest, by_distance, axis=1)
        extra_station[0].append(nearest[:, 0])
        extra_station[1].append(nearest[:, 1])
    second = np.concatenate(extra_station[0]) if multi.size else np.empty(0, int)
    third = np.concatenate(extra_station[1]) if multi.size else np.empty(0, int)

    incident = np.concatenate([np.arange(n), multi, multi[responders[multi] == 3]])
    station = np.concatenate([first, second, third[responders[multi] == 3]])
    rank = np.concatenate([np.zeros(n, int), np.ones(len(multi), int),
                           np.full(int((responders[multi] == 3).sum()), 2)])
    row_distance = np.where(rank == 0, distance[incident],
                            _flat_distance_m(lon[incident], lat[incident], s.lon[station], s.lat[station],
                                                             s.city.latitude))
    times = _response_times(rng, s, incident, station, rank, row_distance, received, hour, day, days,
                            type_code, channel, is_walk_in, end)
    return _response_frame(rng, s, incident, station, times, received, type_code, channel,
                            channel_codes, lon, lat, days, day, district)


def _lognormal(rng: np.random.Generator, median, sigma, size):
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(size))


def _response_times(rng, s: Stations, incident, station, rank, distance, received, hour, day, days,
                    type_code, channel, is_walk_in, end: date) -> dict[str, np.ndarray]:
    m = len(incident)
    n = len(received)
    t = type_code[incident]
    h = hour[incident]
    walk = is_walk_in[incident]

    medians = np.array([CALL_PROCESSING_MEDIAN_S[c] for c in CHANNEL_SHARES])
    call = np.maximum(3, _lognormal(rng, medians[channel], PHASE_SIGMA, n))
    dispatched = received[incident] + np.round(call[incident]).astype(np.int64)
    dispatched += np.where(rank > 0, rng.integers(5, 61, m), 0)  # others are called in after the first

    turnout = _lognormal(rng, TURNOUT_MEDIAN_S, PHASE_SIGMA, m)
    turnout *= np.where(h < 6, NIGHT_TURNOUT_FACTOR, 1.0)
    turnout *= np.where(t == SLOW_TURNOUT_TYPE, SLOW_TURNOUT_FACTOR, 1.0)
    turnout *= np.where(walk, 0.6, 1.0)  # the caller is standing at the door
    departed = dispatched + np.round(np.maximum(turnout, 5)).astype(np.int64)

    weekday = (days[day[incident]].astype(int) + 3) % 7
    rush = (weekday < 5) & (((h >= 7) & (h < 9)) | ((h >= 17) & (h < 19)))
    speed = URBAN_SPEED_MS * np.where(rush, RUSH_SPEED, 1.0) * np.where((h >= 22) | (h < 6), NIGHT_SPEED, 1.0)
    district = s.district[station]
    speed *= np.array([s.city.speed.get(d, 1.0) for d in district])
    late = days[day[incident]] >= np.datetime64(end) - 7 * SLOW_LATE_WEEKS
    speed *= np.where((district == s.city.slow_district) & late, SLOW_LATE_SPEED, 1.0)
    speed *= np.where(t == "forest_fire", FOREST_FIRE_SPEED, 1.0)
    travel = 10 + distance * ROAD_DETOUR / speed * _lognormal(rng, 1.0, TRAVEL_SIGMA, m)
    delayed = rng.random(n) < DELAYED_SHARE
    travel += np.where(delayed[incident], DELAY_S[0] + rng.gamma(DELAY_S[1], DELAY_S[2], m), 0.0)
    # A handful of responses over an hour (stuck, or arrival logged late).
    very_late = rng.random(n) < 0.0001
    travel += np.where(very_late[incident], rng.uniform(3600, 3 * 3600, m), 0.0)
    arrived = departed + np.round(travel).astype(np.int64)

    onscene_median = np.array([ONSCENE_MEDIAN_MIN[c] * 60 for c in t])
    cleared = arrived + np.round(np.maximum(120, _lognormal(rng, onscene_median, 0.5, m))).astype(np.int64)

    arrived = arrived.astype(float)
    cleared = cleared.astype(float)
    dispatched = dispatched.astype(float)
    # Malformed rows: at least three of each kind, about 0.1 % of rows each.
    k = max(3, round(0.001 * m))
    bad = rng.choice(m, size=3 * k, replace=False)
    out_of_order, no_arrival, early_dispatch = bad[:k], bad[k:2 * k], bad[2 * k:]
    arrived[out_of_order] = departed[out_of_order] - rng.integers(30, 600, k)
    arrived[no_arrival] = np.nan
    cleared[no_arrival[rng.random(k) < 0.5]] = np.nan
    dispatched[early_dispatch] = received[incident[early_dispatch]] - rng.integers(10, 300, k)
    return {"派警时间": dispatched, "出动时间": departed.astype(float), "到场时间": arrived,
            "处置完毕时间": cleared}


def _text(name: str, values) -> pl.Series:
    return pl.Series(name, list(values), dtype=pl.String)


def _seconds_to_datetime(values: np.ndarray, name: str) -> pl.Series:
    seconds = pl.Series(name, values).fill_nan(None).cast(pl.Int64)
    return pl.from_epoch(seconds, time_unit="s").alias(name)


def _street_of(s: Stations, district: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Each place's 街道: that of the nearest station of its own district (the registry's streets)."""
    street = np.empty(len(lon), dtype=object)
    for code in np.unique(district):
        here = np.flatnonzero(district == code)
        own = np.flatnonzero(s.district == code)
        for part in np.array_split(here, max(1, len(here) // 4096)):
            d = _flat_distance_m(lon[part, None], lat[part, None], s.lon[None, own], s.lat[None, own], s.city.latitude)
            street[part] = s.street[own[d.argmin(axis=1)]]
    return street


def _response_frame(rng, s: Stations, incident, station, times, received, type_code, channel,
                    channel_codes, lon, lat, days, day, district) -> pl.DataFrame:
    n = len(received)
    m = len(incident)
    # Incident ids count up within each day of the call.
    day_start = np.searchsorted(day, day, side="left")
    seq = np.arange(n) - day_start + 1
    incident_id = pl.DataFrame({"day": np.datetime_as_string(days[day], unit="D"), "seq": seq}).select(
        pl.format("JQ{}{}", pl.col("day").str.replace_all("-", ""), pl.col("seq").cast(pl.String).str.zfill(6))
    ).to_series().to_numpy()

    first = station[:n]  # rows 0..n-1 are each incident's first station
    street = _street_of(s, district, lon, lat)
    own = (rng.random(n) < 0.5) & (s.street[first] == street)
    other = np.array([s.street_communities[x][j] for x, j in zip(street, rng.integers(0, 6, n))], dtype=object)
    community = np.where(own, s.community[first], other)
    road = (np.array(ROAD_STEMS, dtype=object)[rng.integers(0, len(ROAD_STEMS), n)]
            + np.array(ROAD_SUFFIXES, dtype=object)[rng.integers(0, len(ROAD_SUFFIXES), n)])
    number = rng.integers(1, 300, n).astype(str).astype(object)
    building = np.array(BUILDING_SUFFIXES, dtype=object)[rng.integers(0, len(BUILDING_SUFFIXES), n)]
    address = street + "街道" + community + "社区" + road + number + "号" + building

    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    caller = (np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
              + np.where(rng.random(n) < 0.55, "先生", "女士"))
    caller[(np.array(channel_codes)[channel] == "dispatch_119") & (rng.random(n) < 0.2)] = None
    phone = (np.array([13, 15, 17, 18, 19])[rng.integers(0, 5, n)].astype(np.int64) * 10**9
             + rng.integers(0, 10**9, n)).astype(str)

    heavy = np.isin(type_code[incident], ["fire", "forest_fire", "three_preventions", "earthquake"])
    staff_sent = np.where(heavy, rng.integers(4, 9, m), rng.integers(2, 6, m))
    vehicles_sent = np.where(heavy & (rng.random(m) < 0.6), 2, 1)
    vehicles_sent = np.where(rng.random(m) < 0.1, 2, vehicles_sent)

    channel_zh = np.array([CHANNELS[c].zh for c in channel_codes], dtype=object)
    per_incident = pl.DataFrame([
        _text("警情编号", incident_id),
        _text("警情类型", (INCIDENT_TYPES[c].zh for c in type_code)),
        _text("接警渠道", channel_zh[channel]),
        _text("所属区", (s.city.name(c) for c in district)),
        _text("街道", street + "街道"),
        _text("事发地址", address),
        pl.Series("经度", np.round(gcj_lon, 6)),
        pl.Series("纬度", np.round(gcj_lat, 6)),
        _text("坐标系", ["GCJ-02"] * n),
        _seconds_to_datetime(received.astype(float), "接警时间"),
        _text("报警人", caller),
        _text("联系电话", phone),
    ])
    per_response = pl.DataFrame([
        *[_seconds_to_datetime(v, k) for k, v in times.items()],
        _text("出警站点编号", s.id[station]),
        _text("出警站点", s.name[station]),
        pl.Series("出动人数", staff_sent),
        pl.Series("出动车辆数", vehicles_sent),
        pl.Series("_row", np.arange(m)),
    ])
    frame = pl.concat([per_incident.select(pl.all().gather(incident)), per_response], how="horizontal")
    # an incident's rows stay together, its first station first
    return frame.sort(["接警时间", "警情编号", "_row"]).select(INCIDENT_HEADERS)


def write_incidents(out_dir: Path, responses: pl.DataFrame) -> list[Path]:
    """One GB18030, CRLF file per calendar year of the call, as saved from Excel on Windows."""
    paths = []
    by_year = responses.with_columns(pl.col("接警时间").dt.year().alias("_year"))
    for year in sorted(by_year["_year"].unique().to_list()):
        part = by_year.filter(pl.col("_year") == year).drop("_year")
        text = part.write_csv(line_terminator="\r\n", datetime_format="%Y-%m-%d %H:%M:%S",
                              float_precision=6)
        path = out_dir / INCIDENT_FILE.format(year=year)
        path.write_bytes(text.encode("gb18030"))
        paths.append(path)
    return paths


# ---------------------------------------------------------------- inventory

def make_inventory(rng: np.random.Generator, s: Stations, end: date) -> pl.DataFrame:
    end64 = np.datetime64(end)
    active = np.flatnonzero(s.closed == FAR_FUTURE)
    n = len(active)
    latest = end64 - rng.integers(0, 60, n)
    can_be_stale = np.flatnonzero(s.opened[active] <= end64 - 400)
    stale = rng.choice(can_be_stale, size=min(len(can_be_stale), max(1, round(0.03 * n))), replace=False)
    latest[stale] = end64 - rng.integers(200, 401, len(stale))
    latest = np.maximum(latest, s.opened[active])

    # Shortfalls on the latest count, chosen per station
    def pick(pool, share, minimum=1):
        return set(rng.choice(pool, size=min(len(pool), max(minimum, round(share * len(pool)))), replace=False).tolist())

    missing_item = pick(np.arange(n), 0.03, 2)
    broken_item = pick(np.arange(n), 0.03, 2)
    forest_pos = np.flatnonzero(s.forest[active])
    missing_forest = pick(forest_pos, 0.05, 1) if len(forest_pos) else set()
    older = pick(np.arange(n), 0.20, 2)
    expired_supply = pick(np.arange(n), 0.04, 2)  # medical supplies past their date on the latest count

    rows = []

    def count(pos: int, when: np.datetime64, defects: bool):
        i = active[pos]
        items = MANDATORY_ITEMS + (FOREST_ITEMS if s.forest[i] else []) + SUPPLY_ITEMS
        gone = broken = gone_forest = None
        if defects and pos in missing_item:
            gone = rng.integers(len(MANDATORY_ITEMS))
        if defects and pos in broken_item:
            broken = rng.integers(len(MANDATORY_ITEMS))
        if defects and pos in missing_forest:
            gone_forest = len(MANDATORY_ITEMS) + rng.integers(len(FOREST_ITEMS))
        for k, (name, category, required, unit, perishable) in enumerate(items):
            quantity = required
            status = "ok"
            if category not in ("mandatory_kit", "forest_kit"):
                quantity = max(0, required + int(rng.integers(-2, 4)))
                if rng.random() < 0.01:
                    status = "scrapped"
            elif rng.random() < 0.1:
                quantity = required + int(rng.integers(1, 3))
            if k in (gone, gone_forest):
                if rng.random() < 0.5:
                    continue  # the row is simply absent
                quantity = 0
            if k == broken:
                status = "damaged" if rng.random() < 0.5 else "in_repair"
            if not defects and rng.random() < 0.25:
                # an earlier count: a different tally, or a fault since fixed
                quantity = max(0, quantity + int(rng.integers(-2, 3)))
                if category == "mandatory_kit" and rng.random() < 0.1:
                    status = "damaged"
            expires = None
            if perishable:
                days_left = -int(rng.integers(1, 200)) if defects and pos in expired_supply else int(rng.integers(60, 720))
                expires = str(when + days_left)
            rows.append((s.id[i], name, ITEM_CATEGORIES[category].zh, quantity, required, unit, expires,
                         ITEM_STATUSES[status].zh, str(when)))

    for pos in range(n):
        if pos in older:
            when = latest[pos] - int(rng.integers(90, 240))
            if when >= s.opened[active[pos]]:
                count(pos, when, defects=False)
        count(pos, latest[pos], defects=True)
    return pl.DataFrame(rows, schema=[(h, pl.Int64 if h in ("库存数量", "标准配置数") else pl.String)
                                      for h in INVENTORY_HEADERS], orient="row")


def write_inventory(path: Path, inventory: pl.DataFrame) -> Path:
    path.write_bytes(("\ufeff" + inventory.write_csv()).encode("utf-8"))
    return path


# ---------------------------------------------------------------- targets

def make_targets(rng: np.random.Generator, s: Stations, end: date) -> pl.DataFrame:
    """City-level targets: new stations to open, per year and station type."""
    opened_year = s.opened.astype("datetime64[Y]").astype(int) + 1970
    rows = []
    for year in range(PROGRAMME_START.year, end.year + 1):
        actual = {code: int(np.sum((opened_year == year) & (s.type == code))) for code in STATION_TYPES}
        busiest = max(actual, key=actual.get)
        for code in STATION_TYPES:
            if year < end.year:  # closed years: the city beat its targets (超额完成)
                target = math.floor(actual[code] * rng.uniform(0.85, 0.97))
            else:  # the current year: most types still have a way to go
                target = math.ceil(actual[code] * rng.uniform(0.95, 1.3))
                if code == busiest:
                    target = max(target, actual[code] + 1)
            rows.append((year, STATION_TYPES[code].zh, None, target))
    return pl.DataFrame(rows, schema=[("年度", pl.Int64), ("站点类型", pl.String), ("所属区", pl.String),
                                      ("目标数量", pl.Int64)], orient="row")


def write_targets(path: Path, targets: pl.DataFrame, created: datetime) -> Path:
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties({"created": created, "author": "应急管理局"})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(TARGETS_SHEET)
    sheet.write_row(0, 0, TARGET_HEADERS, bold)
    for r, (year, kind, district, target) in enumerate(targets.iter_rows(), start=1):
        sheet.write_number(r, 0, year)
        sheet.write_string(r, 1, kind)
        if district:
            sheet.write_string(r, 2, district)
        sheet.write_number(r, 3, target)
    workbook.close()
    return path


# ---------------------------------------------------------------- prevention (事前预防)
# A year of each station's work before incidents: its safety-patrol group's patrols, the hazards
# they find and their rectification, outreach, drills and training, and its convenience desk.
# Planted: the story street (see prevention_story) leaves its hazards open one quarter and patrols
# less, and has more fires the quarter after.

PATROL_FILE = "安全巡查记录.csv"
HAZARD_FILE = "隐患台账_截至{day}.csv"
OUTREACH_FILE = "宣传培训与演练.csv"
DESK_FILE = "便民服务登记.csv"
PATROL_HEADERS = ["巡查编号", "站点编号", "开始时间", "结束时间", "街道", "社区", "场所类型", "巡查场所数",
                  "巡查人数", "发现隐患数"]
HAZARD_HEADERS = ["隐患编号", "站点编号", "发现日期", "场所名称", "场所类型", "街道", "社区", "隐患类型",
                  "隐患等级", "整改期限", "整改完成日期", "整改状态"]
OUTREACH_HEADERS = ["活动编号", "站点编号", "活动日期", "活动类型", "专业类别", "参与人数", "时长(小时)"]
DESK_HEADERS = ["站点编号", "服务时间", "服务项目", "服务人次"]
PREVENTION_MONTHS = 12  # the registers cover the quarters of the last year before `end`

# Where a station's patrols go, by station type; forest stations patrol the forest too.
PATROL_PLACES = {
    "industrial_park": {"industrial_park": 0.6, "small_venue": 0.2, "rental_housing": 0.2},
    "mall": {"mall": 0.6, "small_venue": 0.3, "residential": 0.1},
    "hospital": {"hospital": 0.6, "small_venue": 0.2, "residential": 0.2},
    "default": {"small_venue": 0.35, "rental_housing": 0.3, "residential": 0.2, "school": 0.1, "mall": 0.05},
}
HAZARD_SHARE = {"small_venue": 0.05, "rental_housing": 0.06, "industrial_park": 0.04, "mall": 0.02,
                "school": 0.015, "hospital": 0.015, "forest": 0.03, "residential": 0.03}
PLACE_HAZARDS = {  # hazard types by place type
    "forest": {"forest_fire_use": 0.8, "other": 0.2},
    "rental_housing": {"ebike_charging": 0.4, "illegal_wiring": 0.3, "blocked_exit": 0.15, "gas": 0.15},
    "industrial_park": {"blocked_exit": 0.3, "illegal_wiring": 0.3, "fire_equipment": 0.3, "other": 0.1},
    "default": {"ebike_charging": 0.25, "blocked_exit": 0.25, "fire_equipment": 0.25, "illegal_wiring": 0.1,
                "gas": 0.1, "other": 0.05},
}
HAZARD_LEVEL_SHARES = {"general": 0.8, "major": 0.17, "serious": 0.03}
PLACE_NAMES = {"small_venue": ["便利店", "小餐馆", "五金店", "理发店", "小作坊"], "rental_housing": ["出租屋", "城中村"],
               "industrial_park": ["厂房", "仓库"], "mall": ["商场", "超市"], "school": ["小学", "幼儿园"],
               "hospital": ["医院", "社康中心"], "forest": ["林区", "山林"], "residential": ["小区", "居民楼"]}
OUTREACH_PER_MONTH = {"door_to_door": 2.0, "community_event": 1.0, "drill": 0.4, "team_training": 2.0}
DRILL_DISCIPLINES = {"fire": 0.6, "three_preventions": 0.15, "earthquake": 0.1, "first_aid": 0.15}
TRAINING_DISCIPLINES = {"fire": 0.5, "first_aid": 0.2, "three_preventions": 0.15, "earthquake": 0.15}
DESK_MEANS = {"phone_charging": 2.0, "urgent_enquiry": 1.0, "medicine": 0.6}  # a day
# Incident types whose times look like any call: the planted fires are taken from these.
CALM_TYPES = ("social_assistance", "lift_entrapment", "door_entry", "person_trapped")
STORY_FIRE_SHARE = 0.3


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class PreventionStory:
    """The street that lets its hazards go overdue in `quarter` and has more fires the quarter after."""
    district: str
    street: str
    quarter: date

    @property
    def next_quarter(self) -> date:
        return _add_months(self.quarter, 3)


def prevention_story(s: Stations, end: date) -> PreventionStory:
    """The street with the most stations in service (outside the slow district, which has its own
    story), in the second-to-last complete quarter before `end`."""
    counts: dict[tuple[str, str], int] = {}
    for district, street, closed in zip(s.district, s.street, s.closed):
        if closed == FAR_FUTURE and district != s.city.slow_district:
            counts[(district, street)] = counts.get((district, street), 0) + 1
    (district, street), _ = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    return PreventionStory(district, street, _add_months(_quarter_start(end), -6))


def plant_fires(rng: np.random.Generator, responses: pl.DataFrame, s: Stations, story: PreventionStory) -> pl.DataFrame:
    """More fires in the story street the quarter after its hazards went overdue: some of its calm
    calls that quarter become fires (every row of an incident alike)."""
    start, stop = story.next_quarter, _add_months(story.next_quarter, 3)
    calm = [INCIDENT_TYPES[c].zh for c in CALM_TYPES]
    ids = (responses.filter((pl.col("所属区") == s.city.name(story.district)) & (pl.col("街道") == story.street + "街道")
                            & (pl.col("接警时间") >= datetime.combine(start, time()))
                            & (pl.col("接警时间") < datetime.combine(stop, time())) & pl.col("警情类型").is_in(calm))
           ["警情编号"].unique().sort())
    picked = ids.filter(pl.Series(rng.random(len(ids)) < STORY_FIRE_SHARE))
    return responses.with_columns(pl.when(pl.col("警情编号").is_in(picked.implode()))
                                  .then(pl.lit(INCIDENT_TYPES["fire"].zh)).otherwise(pl.col("警情类型")).alias("警情类型"))


@dataclass
class Prevention:
    patrols: pl.DataFrame
    hazards: pl.DataFrame   # every hazard as it stands at `end`, with its rectification date (None: open)
    outreach: pl.DataFrame
    desk: pl.DataFrame
    story: PreventionStory


def _pick(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    return np.array(list(shares), dtype=object)[rng.choice(len(shares), size=size, p=np.array(list(shares.values())) / sum(shares.values()))]


def _pick_by(rng: np.random.Generator, keys: np.ndarray, tables: dict[str, dict[str, float]]) -> np.ndarray:
    """For each key, a draw from its table of shares (the "default" table for a key without one)."""
    out = np.empty(len(keys), dtype=object)
    for key in np.unique(keys):
        here = keys == key
        out[here] = _pick(rng, tables.get(key, tables["default"]), int(here.sum()))
    return out


def _ids(prefix: str, days: np.ndarray) -> np.ndarray:
    """Register numbers as systems write them: prefix, date, and a running number."""
    return (pl.DataFrame({"day": np.datetime_as_string(days, unit="D"), "n": np.arange(len(days))})
            .select(pl.format(prefix + "{}{}", pl.col("day").str.replace_all("-", ""),
                              pl.col("n").cast(pl.String).str.zfill(5))).to_series().to_numpy())


def _zh(dimension: str, codes: np.ndarray) -> list[str]:
    """The Chinese words a register writes for prevention codes."""
    words = {code: c.zh for code, c in profiles.current().dimensions[dimension].items()}
    return [words[c] for c in codes]


def make_prevention(rng: np.random.Generator, s: Stations, end: date) -> Prevention:
    story = prevention_story(s, end)
    first = _add_months(_quarter_start(end), -PREVENTION_MONTHS)
    days = np.arange(np.datetime64(first), np.datetime64(end) + 1)
    open_on = _open_matrix(s, days)  # (day, station)
    day_index, station = np.nonzero(open_on)
    in_story = (s.district == story.district) & (s.street == story.street)
    story_days = (days >= np.datetime64(story.quarter)) & (days < np.datetime64(story.next_quarter))

    # --- patrols: about 3.5 a week; a fifth of the stations fall short of the standard's 3,
    # and the story street's stations patrol less in the story quarter, finding more
    rate = np.where(rng.random(len(s)) < 0.2, 2.2, 3.6) / 7
    p = rate[station] * np.where(in_story[station] & story_days[day_index], 0.6, 1.0)
    patrolled = rng.random(len(station)) < p
    pday, pst = day_index[patrolled], station[patrolled]
    n = len(pst)
    start_s = rng.integers(8 * 3600, 16 * 3600, n) // 300 * 300
    duration_s = rng.integers(18, 40, n) * 300
    start_at = days[pday].astype("datetime64[s]") + start_s
    places = _pick_by(rng, s.type[pst], PATROL_PLACES)
    forest_walk = s.forest[pst] & (rng.random(n) < 0.5)
    places[forest_walk] = "forest"
    visited = rng.poisson(8, n) + 1
    share = np.array([HAZARD_SHARE[x] for x in places]) * np.where(in_story[pst] & story_days[pday], 2.5, 1.0)
    found = rng.binomial(visited, share)
    staff = rng.integers(2, 5, n)
    patrols = pl.DataFrame({
        "巡查编号": _ids("XC", days[pday]), "站点编号": s.id[pst],
        "开始时间": start_at.astype("datetime64[ms]"), "结束时间": (start_at + duration_s).astype("datetime64[ms]"),
        "街道": s.street[pst] + "街道", "社区": s.community[pst],
        "场所类型": _zh("place_type", places),
        "巡查场所数": visited, "巡查人数": staff, "发现隐患数": found,
    })

    # --- hazards: one per hazard a patrol found; most rectified by their deadline, some late, a few
    # open; the story street's hazards of the story quarter mostly left open
    owner = np.repeat(np.arange(n), found)
    m = len(owner)
    hplace = places[owner]
    htype = _pick_by(rng, hplace, PLACE_HAZARDS)
    level = _pick(rng, HAZARD_LEVEL_SHARES, m)
    rectify_days = settings.prevention_standard().rectify_days  # registers set deadlines by the standard
    days_allowed = np.array([rectify_days[x] for x in level])
    found_on = days[pday[owner]]
    deadline = found_on + days_allowed
    fate = rng.random(m)
    story_hazard = in_story[pst[owner]] & story_days[pday[owner]]
    fate = np.where(story_hazard, 0.8 + 0.2 * fate, fate)  # 4 in 5 of the story's hazards stay open a while
    taken = np.where(fate < 0.85, (rng.random(m) * (days_allowed + 1)).astype(int),      # on time
                     np.where(fate < 0.95, days_allowed + rng.integers(1, 30, m),         # late
                              days_allowed + rng.integers(60, 200, m)))                   # long open
    rectified = found_on + taken
    rectified = np.where(rectified <= np.datetime64(end), rectified, np.datetime64("NaT"))
    names = _pick_by(rng, hplace, {x: dict.fromkeys(v, 1.0) for x, v in PLACE_NAMES.items()} | {"default": {"场所": 1.0}})
    hazards = pl.DataFrame({
        "隐患编号": _ids("YH", found_on),
        "站点编号": s.id[pst[owner]], "发现日期": found_on,
        "场所名称": s.community[pst[owner]] + names,
        "场所类型": _zh("place_type", hplace),
        "街道": s.street[pst[owner]] + "街道", "社区": s.community[pst[owner]],
        "隐患类型": _zh("hazard_type", htype),
        "隐患等级": _zh("hazard_level", level),
        "整改期限": np.where(rng.random(m) < 0.9, deadline, np.datetime64("NaT")),
        "整改完成日期": rectified,
    })

    # --- outreach: door-to-door about twice a month, a community event a month, a drill about once
    # a quarter (a tenth of the stations skip some), team training about twice a month
    kinds, event_days, event_stations = [], [], []
    for kind, per_month in OUTREACH_PER_MONTH.items():
        skips = (kind == "drill") & (rng.random(len(s)) < 0.1)
        held = rng.random(len(station)) < per_month / 30.4 * np.where(skips, 0.3, 1.0)[station]
        kinds.append(np.full(int(held.sum()), kind, dtype=object))
        event_days.append(day_index[held])
        event_stations.append(station[held])
    eday, est, ekind = (np.concatenate(x) for x in (event_days, event_stations, kinds))
    order = np.lexsort((est, eday))
    eday, est, ekind = eday[order], est[order], ekind[order]
    k = len(eday)
    discipline = _pick(rng, DRILL_DISCIPLINES, k)
    training = ekind == "team_training"
    discipline[training] = _pick(rng, TRAINING_DISCIPLINES, int(training.sum()))
    forest_training = training & s.forest[est] & (rng.random(k) < 0.3)
    discipline[forest_training] = "forest_fire"
    forest_drill = (ekind == "drill") & s.forest[est] & (rng.random(k) < 0.5)  # forest stations drill for their hills
    discipline[forest_drill] = "forest_fire"
    participants = np.select(
        [ekind == "door_to_door", ekind == "community_event", ekind == "drill"],
        [rng.integers(20, 90, k), rng.integers(40, 300, k), rng.integers(30, 200, k)],
        np.maximum(1, np.round(s.staff[est] * rng.uniform(0.7, 1.0, k))).astype(int))
    hours = np.select([ekind == "door_to_door", ekind == "team_training"],
                      [rng.choice([2.0, 3.0], k), rng.choice([2.0, 3.0, 4.0], k)], rng.choice([1.0, 1.5, 2.0], k))
    outreach = pl.DataFrame({
        "活动编号": _ids("HD", days[eday]),
        "站点编号": s.id[est], "活动日期": days[eday],
        "活动类型": _zh("outreach_kind", ekind),
        "专业类别": _zh("discipline", discipline),
        "参与人数": participants, "时长(小时)": hours,
    })

    # --- the convenience desk: each station's register, totalled by month and service
    month_of = days.astype("datetime64[M]")
    months = np.unique(month_of)
    open_in_month = np.array([open_on[month_of == mo].any(axis=0) for mo in months])  # (month, station)
    mi, ms = np.nonzero(open_in_month)
    mi, ms = np.repeat(mi, len(DESK_MEANS)), np.repeat(ms, len(DESK_MEANS))
    service = np.tile(np.arange(len(DESK_MEANS)), len(open_in_month.nonzero()[0]))
    means = np.array(list(DESK_MEANS.values()))[service] * 30
    desk = pl.DataFrame({
        "站点编号": s.id[ms],
        "服务时间": np.maximum(months[mi].astype("datetime64[D]"), days[0]).astype("datetime64[ms]"),
        "服务项目": _zh("desk_service", np.array(list(DESK_MEANS), dtype=object)[service]),
        "服务人次": rng.poisson(means * rng.uniform(0.5, 1.5, len(ms))),
    })
    return Prevention(patrols, hazards, outreach, desk, story)


def _hazard_register(hazards: pl.DataFrame, on: date) -> pl.DataFrame:
    """The register as exported on a day: hazards found by then, rectified by then or still open."""
    day = pl.lit(on)
    return (hazards.filter(pl.col("发现日期") <= day)
            .with_columns(pl.when(pl.col("整改完成日期") <= day).then(pl.col("整改完成日期")).alias("整改完成日期"))
            .with_columns(pl.when(pl.col("整改完成日期").is_not_null()).then(pl.lit("已整改")).otherwise(pl.lit("未整改"))
                          .alias("整改状态"))
            .select(HAZARD_HEADERS))


def _gb18030_csv_text(frame: pl.DataFrame) -> bytes:
    return frame.write_csv(line_terminator="\r\n", datetime_format="%Y-%m-%d %H:%M", date_format="%Y-%m-%d").encode("gb18030")


def _gb18030_csv(path: Path, frame: pl.DataFrame) -> Path:
    path.write_bytes(_gb18030_csv_text(frame))
    return path


def write_prevention(out_dir: Path, p: Prevention, end: date, created: datetime) -> dict[str, list[Path]]:
    """The patrol log and the hazard register twice (mid-year and at `end`, so the later
    export revises hazards rectified since) and the outreach register under its title line, as
    GB18030 CSV; the desk register's monthly totals as UTF-8 CSV with BOM."""
    patrols = [_gb18030_csv(out_dir / PATROL_FILE, p.patrols)]
    middle = _add_months(_quarter_start(end), -3)  # the first day of the quarter before end's
    hazards = [_gb18030_csv(out_dir / HAZARD_FILE.format(day=f"{on:%Y%m%d}"), _hazard_register(p.hazards, on))
               for on in (middle, end)]
    path = out_dir / OUTREACH_FILE
    title = f"宣传培训与演练登记（截至{end:%Y年%m月%d日}）\r\n"  # a title line above the header, as registers have
    path.write_bytes(title.encode("gb18030") + _gb18030_csv_text(p.outreach))
    desk = out_dir / DESK_FILE
    desk.write_bytes(("\ufeff" + p.desk.write_csv(datetime_format="%Y-%m-%d %H:%M")).encode("utf-8"))
    return {"patrols": patrols, "hazards": hazards, "outreach": [path], "desk_services": [desk]}
