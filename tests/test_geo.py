
import numpy as np
import pytest
import shapely

import tomllib

from emss import profiles
from emss.geo import (
    area_km2,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    load_districts,
    locate_district,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

from conftest import shared_path

SHENZHEN_POINTS = np.array([
    (114.0579, 22.5431),  # Futian civic centre
    (113.9305, 22.5333),  # Nanshan, Shenzhen Bay
    (113.8830, 22.5550),  # Bao'an centre
    (114.2470, 22.7200),  # Longgang centre
    (114.5000, 22.5900),  # Dapeng
    (114.2370, 22.5570),  # Yantian port
    (113.9350, 22.7480),  # Guangming
])


def test_gcj02_round_trip_within_a_metre():
    lon, lat = SHENZHEN_POINTS.T
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert np.max(haversine_m(lon, lat, back_lon, back_lat)) < 1.0
    # and the other way round, starting from GCJ-02
    again_lon, again_lat = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert np.max(haversine_m(lon, lat, again_lon, again_lat)) < 1.0


def test_gcj02_offset_in_shenzhen_is_a_few_hundred_metres():
    gcj_lon, gcj_lat = wgs84_to_gcj02(114.0579, 22.5431)
    shift = haversine_m(114.0579, 22.5431, gcj_lon, gcj_lat)
    assert 300 < shift < 700
    # in Shenzhen the offset points east and slightly south
    assert gcj_lon > 114.0579 and gcj_lat < 22.5431


def test_scalar_in_scalar_out():
    lon, lat = wgs84_to_gcj02(114.0579, 22.5431)
    assert np.ndim(lon) == 0 and np.ndim(lat) == 0
    assert float(haversine_m(0, 0, 0, 1)) == pytest.approx(111_195, abs=1)


def test_outside_china_is_left_alone():
    lon, lat = wgs84_to_gcj02(-0.1276, 51.5072)
    assert (lon, lat) == (-0.1276, 51.5072)
    lon, lat = gcj02_to_wgs84(-122.4194, 37.7749)
    assert (lon, lat) == (-122.4194, 37.7749)


def test_bd09_round_trips():
    lon, lat = SHENZHEN_POINTS.T
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert np.max(haversine_m(lon, lat, *back)) < 1.0
    gcj = wgs84_to_gcj02(lon, lat)
    gcj_back = bd09_to_gcj02(*gcj02_to_bd09(*gcj))
    assert np.max(haversine_m(*gcj, *gcj_back)) < 1.0
    # Baidu adds its own shift of several hundred metres on top of GCJ-02
    assert np.all(haversine_m(*gcj, *gcj02_to_bd09(*gcj)) > 300)


def test_haversine_known_distances():
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, abs=1)
    # London to Paris, about 343.5 km
    assert haversine_m(-0.1276, 51.5072, 2.3522, 48.8566) == pytest.approx(343_500, rel=0.005)
    d = haversine_m(np.zeros(3), np.zeros(3), np.zeros(3), np.array([0.0, 1.0, 2.0]))
    assert d.shape == (3,) and d[0] == 0 and d[2] == pytest.approx(2 * d[1])


def test_shipped_boundaries():
    districts = load_districts()
    # read straight from the profile's file, not through the code under test
    listed = tomllib.loads((profiles.PROFILES_DIR / "shenzhen" / "profile.toml").read_text(encoding="utf-8"))["districts"]
    assert list(districts) == [d["code"] for d in listed]
    for d, raw in zip(districts.values(), listed):
        assert d.geometry.is_valid and not d.geometry.is_empty, d.code
        assert d.name_zh == raw["zh"]
        assert d.population == raw["population"]
    assert districts["dapeng"].adcode is None
    assert districts["futian"].adcode == "440304"
    total = sum(area_km2(d.geometry) for d in districts.values())
    assert total == pytest.approx(1997, rel=0.10)
    # districts share their borders: none overlaps another
    assert shapely.coverage_is_valid([d.geometry for d in districts.values()])
    # Dapeng is the far east of the city
    assert districts["dapeng"].geometry.centroid.x > 114.4


def test_locate_district():
    codes = locate_district(np.array([114.0579, 113.8830, 114.5000, 0.0]),
                            np.array([22.5431, 22.5550, 22.5900, 0.0]))
    assert list(codes) == ["futian", "baoan", "dapeng", ""]


def test_points_of_the_source_polygons_fall_in_the_same_district():
    """The original GCJ-02 boundaries live outside the project (not shipped)."""
    from emss.profiles.shenzhen.rebuild import source_geometries

    source = source_geometries(shared_path("geo", "shenzhen"))
    rng = np.random.default_rng(0)
    for code, polygon in source.items():
        # stay clear of the border: simplification may move it by tens of metres
        inner = polygon.buffer(-0.001)
        min_lon, min_lat, max_lon, max_lat = inner.bounds
        lon = rng.uniform(min_lon, max_lon, 2000)
        lat = rng.uniform(min_lat, max_lat, 2000)
        keep = shapely.contains_xy(inner, lon, lat)
        assert keep.sum() > 100
        wgs_lon, wgs_lat = gcj02_to_wgs84(lon[keep], lat[keep])
        assert np.all(locate_district(wgs_lon, wgs_lat) == code), code
