-- A province rolls many cities up: its queries (queries/province/) read the `province` views, each
-- row with the city it belongs to. Here, over one warehouse, they hold this one city; over a lake of
-- many cities on Spark (warehouse/spark.py), the same names hold every city of the lake, the city
-- taken from the lake's folders. So the same province queries run on a city and on a province.
-- Over a warehouse they are the city's analyst views (50_views.sql) with the city added.
create schema if not exists province;

-- The city, named as its folder in a lake: the profile's English name in lower case, any run of
-- other characters than a-z and 0-9 as one `_` (San Francisco -> san_francisco), so a name never
-- makes a path.
create or replace view province.cities as
select regexp_replace(lower(trim(p.name_en)), '[^a-z0-9]+', '_', 'g') as city, p.name_zh, p.name_en, p.timezone,
       a.as_of_date
from meta.profile p, meta.as_of a;

create or replace view province.incidents as
select c.city, i.* from main.incidents i, province.cities c;

create or replace view province.stations as
select c.city, s.* from main.stations s, province.cities c;

create or replace view province.station_readiness as
select c.city, r.* from main.station_readiness r, province.cities c;

create or replace view province.station_targets as
select c.city, t.* from main.station_targets t, province.cities c;
