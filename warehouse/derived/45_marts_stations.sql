-- Stations against the standard (emss/standard.toml, loaded by warehouse/build.py into
-- meta.standard, meta.standard_kit, meta.standard_roles and meta.item_names).
--
-- Readiness is judged on a set of dates with one definition: the data's as-of date
-- (marts.station_readiness, every station) and each month end before it
-- (marts.station_readiness_monthly, the stations in service that day: the trend). So
-- the trend's last point is the headline figure.
--
-- The approximation, said plainly: the registry holds only its current state, so
-- staff, roles, vehicles, duty, type and forest status are today's on every date; the
-- inventory side is judged on the latest count on or before each date, with expiry
-- judged against that date. A station with no count by a date fails the kit check.
create schema if not exists marts;

-- marts.inventory_latest: one row per (station_id, item) from each station's latest count,
-- with the standard kit item it counts towards and whether it is usable (in working
-- order and in date on the data's as-of date).
create or replace table marts.inventory_latest as
with latest as (
    select station_id, max(counted_on) as counted_on from core.inventory_counts group by station_id
),
kit_names as (
    select kit, item as kit_item, required_quantity as kit_required, unnest(names) as item from meta.standard_kit
),
kit_items as (  -- a name listed under both kits is shown under the mandatory one
    select * from kit_names qualify row_number() over (partition by item order by kit = 'forest', kit_item) = 1
)
select
    c.*,
    coalesce(n.item_en, c.item) as item_en,
    k.kit, k.kit_item, k.kit_required,
    coalesce(c.status = 'ok' and (c.expires_on is null or c.expires_on >= a.as_of_date), false) as is_usable,
    case when is_usable then c.quantity else 0 end as usable_quantity,
    date_diff('day', a.as_of_date, c.expires_on) as days_to_expiry,
    coalesce(c.expires_on < a.as_of_date, false) as is_expired
from core.inventory_counts c
join latest using (station_id, counted_on)
cross join meta.as_of a
left join meta.item_names n on n.item = c.item
left join kit_items k on k.item = c.item
order by c.station_id, c.item;

-- ---- readiness, judged per (station, date) ------------------------------------------

create or replace temp table readiness_dates as  -- month ends before the as-of date, and the as-of date
with bounds as (
    select a.as_of_date, coalesce((select min(opened_on) from core.stations), a.as_of_date) as first_opened
    from meta.as_of a
),
months as (
    select unnest(generate_series(date_trunc('month', first_opened), date_trunc('month', as_of_date),
                                  interval 1 month)) as month_start, as_of_date
    from bounds
)
select cast(last_day(month_start) as date) as judged_on, false as is_current
from months where last_day(month_start) < as_of_date
union all
select as_of_date, true from bounds;

-- every station on the as-of date; on month ends, the stations in service that day;
-- each with the count in force (its latest count on or before the date)
create or replace temp table readiness_station_dates as
with counts as (select distinct station_id, counted_on from core.inventory_counts),
picked as (
    select s.station_id, s.is_forest, d.judged_on, d.is_current
    from core.stations s cross join readiness_dates d
    where d.is_current or (in_service_on(s.opened_on, s.closed_on, d.judged_on))
)
select p.station_id, p.is_forest, p.judged_on, p.is_current, max(c.counted_on) as counted_on
from picked p left join counts c on c.station_id = p.station_id and c.counted_on <= p.judged_on
group by all;

-- One shortfall: which check, which item (role, kit item, expired supply, duty mode),
-- what the station has and what the standard asks. Pages render it in either language.
create or replace temp macro readiness_shortfall(check_code, item, item_en, actual, required) as
    {'check': cast(check_code as varchar), 'item': cast(item as varchar), 'item_en': cast(item_en as varchar),
     'actual': cast(actual as double), 'required': cast(required as varchar)};

create or replace temp macro readiness_num(x) as
    case when x = round(x) then cast(cast(x as bigint) as varchar) else cast(x as varchar) end;

-- The message catalog's words (emss/messages.toml, put in meta.messages by warehouse/build.py)
-- as one map per language: key -> text.
create or replace temp table readiness_words as
select l.lang, map_from_entries(list((m.key, case l.lang when 'zh' then m.zh else m.en end))) as words
from meta.messages m cross join (values ('zh'), ('en')) l(lang)
group by l.lang;

create or replace temp macro readiness_item(s, lang) as
    case when lang = 'en' and nullif(s.item_en, '') is not null then s.item_en else s.item end;

-- One shortfall in words, for exports and analysts: the catalog's shortfall_<check> with its
-- {actual}, {required} and {item} filled in as emss.messages.shortfall fills them for the pages
-- (the item last, so nothing in an item's name is taken for a field). `words`: readiness_words.
create or replace temp macro readiness_phrase(s, words, lang) as case
    when words['shortfall_' || s.check] is null
        then s.check || coalesce(': ' || nullif(readiness_item(s, lang), ''), '')
    else replace(replace(replace(words['shortfall_' || s.check],
        '{actual}', coalesce(readiness_num(s.actual), words['unknown'])),
        '{required}', coalesce(s.required, '')),
        '{item}', case when s.check = 'duty'
                       then coalesce(replace(words['duty_mode_in_brackets'], '{item}',
                                             nullif(readiness_item(s, lang), '')), '')
                       else coalesce(readiness_item(s, lang), '') end)
end;

-- the usable quantity (in working order, in date) of each required kit item on the count in force
create or replace temp table readiness_kit as
select
    sd.station_id, sd.judged_on, k.kit, k.item, k.item_en, k.required_quantity,
    coalesce(sum(c.quantity) filter (where c.status = 'ok'
        and (c.expires_on is null or c.expires_on >= sd.judged_on)), 0) as usable_quantity
from readiness_station_dates sd
join meta.standard_kit k on k.kit = 'mandatory' or (k.kit = 'forest' and sd.is_forest)
left join core.inventory_counts c
  on c.station_id = sd.station_id and c.counted_on = sd.counted_on and list_contains(k.names, c.item)
group by all;

create or replace temp table readiness_judged as
with std as (
    select
        max(value) filter (where key = 'staff.min')::integer as staff_min,
        max(value) filter (where key = 'staff.max')::integer as staff_max,
        max(value) filter (where key = 'vehicles.min')::integer as vehicles_min,
        max(value) filter (where key = 'inventory.stale_after_days')::integer as stale_after_days
    from meta.standard
),
roles as (  -- registry state, the same on every date
    select s.station_id,
        list(r.name order by r.position) as missing_roles,
        list(readiness_shortfall('role', r.name, r.item_en, null, null) order by r.position) as role_shortfalls
    from core.stations s join meta.standard_roles r
      on coalesce(case r.role
            when 'captain' then s.captain_count when 'vice_captain' then s.vice_captain_count
            when 'communicator' then s.communicator_count when 'safety_officer' then s.safety_officer_count
         end, 0) < 1
    group by s.station_id
),
kit as (
    select station_id, judged_on,
        list(item order by item) filter (where kit = 'mandatory' and usable_quantity < required_quantity) as mandatory_short,
        list(item order by item) filter (where kit = 'forest' and usable_quantity < required_quantity) as forest_short,
        list(readiness_shortfall(kit || '_kit', item, item_en, usable_quantity, readiness_num(required_quantity))
             order by kit = 'forest', item) filter (where usable_quantity < required_quantity) as kit_shortfalls
    from readiness_kit group by station_id, judged_on
),
expired as (  -- anything held past its date on the count in force
    select sd.station_id, sd.judged_on,
        list(c.item order by c.item) as expired_items,
        list(readiness_shortfall('expired', c.item, coalesce(n.item_en, c.item), c.quantity, null) order by c.item)
            as expired_shortfalls
    from readiness_station_dates sd
    join core.inventory_counts c on c.station_id = sd.station_id and c.counted_on = sd.counted_on
    left join meta.item_names n on n.item = c.item
    where c.expires_on < sd.judged_on and c.quantity > 0
    group by sd.station_id, sd.judged_on
),
checks as (
    select
        sd.judged_on, sd.is_current,
        s.station_id, s.station_name, s.station_type, s.district, s.street, s.is_forest,
        s.opened_on, s.closed_on, s.duty_mode, s.staff_count, s.vehicle_count,
        coalesce(s.staff_count between std.staff_min and std.staff_max, false) as staff_ok,
        coalesce(r.missing_roles, []) as missing_roles,
        coalesce(s.vehicle_count, 0) >= std.vehicles_min as vehicles_ok,
        coalesce(s.is_24h, false) as duty_ok,
        sd.counted_on is not null as has_count,
        -- with no count the finding is the missing count, not every item
        case when sd.counted_on is null then [] else coalesce(k.mandatory_short, []) end as mandatory_short,
        case when sd.counted_on is null then [] else coalesce(k.forest_short, []) end as forest_short,
        coalesce(e.expired_items, []) as expired_items,
        sd.counted_on as last_counted_on,
        date_diff('day', sd.counted_on, sd.judged_on) as count_age_days,
        sd.counted_on is null or date_diff('day', sd.counted_on, sd.judged_on) > std.stale_after_days as is_count_stale,
        std.staff_min, std.staff_max, std.vehicles_min, std.stale_after_days,
        coalesce(r.role_shortfalls, []) as role_shortfalls,
        coalesce(k.kit_shortfalls, []) as kit_shortfalls,
        coalesce(e.expired_shortfalls, []) as expired_shortfalls
    from readiness_station_dates sd
    join core.stations s using (station_id)
    cross join std
    left join roles r using (station_id)
    left join kit k using (station_id, judged_on)
    left join expired e using (station_id, judged_on)
),
judged as (
    select
        * exclude (role_shortfalls, kit_shortfalls, expired_shortfalls),
        len(missing_roles) = 0 as roles_ok,
        has_count and len(mandatory_short) = 0 as kit_ok,
        not is_forest or (has_count and len(forest_short) = 0) as forest_kit_ok,
        len(expired_items) = 0 as in_date_ok,
        list_concat(
            list_filter([
                case when not staff_ok then readiness_shortfall('staff', null, null, staff_count,
                                                               staff_min || '–' || staff_max) end
            ], lambda x: x is not null),
            role_shortfalls,
            list_filter([
                case when not vehicles_ok then readiness_shortfall('vehicles', null, null, vehicle_count, vehicles_min) end,
                case when not duty_ok then readiness_shortfall('duty', duty_mode, null, null, null) end,
                case when not has_count then readiness_shortfall('no_count', null, null, null, null) end
            ], lambda x: x is not null),
            case when has_count then kit_shortfalls else [] end,
            expired_shortfalls
        ) as shortfalls
    from checks
)
select
    judged.*,
    staff_ok::int + roles_ok::int + vehicles_ok::int + duty_ok::int + kit_ok::int + in_date_ok::int
        + (is_forest and forest_kit_ok)::int as checks_passed,
    6 + is_forest::int as checks_total,  -- the forest-kit check applies to forest stations only
    staff_ok and roles_ok and vehicles_ok and duty_ok and kit_ok and forest_kit_ok and in_date_ok as is_compliant,
    array_to_string(list_transform(shortfalls, lambda x: readiness_phrase(x, w.words, 'zh')), '；') as shortfalls_zh
from judged cross join (select words from readiness_words where lang = 'zh') w;

-- marts.station_readiness: one row per station_id, judged on the data's as-of date.
create or replace table marts.station_readiness as
select
    station_id, station_name, station_type, district, street, is_forest, opened_on, closed_on,
    staff_count, vehicle_count,
    staff_ok, missing_roles, vehicles_ok, duty_ok, mandatory_short, forest_short, expired_items,
    last_counted_on, count_age_days, is_count_stale, has_count,
    staff_min, staff_max, vehicles_min, stale_after_days,
    roles_ok, kit_ok, forest_kit_ok, in_date_ok,
    checks_passed, checks_total, round(checks_passed / checks_total, 3) as score, is_compliant,
    shortfalls, shortfalls_zh
from readiness_judged
where is_current
order by station_id;

-- marts.station_readiness_monthly: one row per (judged_on, station_id) for the stations
-- in service on each month end before the as-of date and on the as-of date itself.
create or replace table marts.station_readiness_monthly as
select
    judged_on, is_current as is_as_of_date, station_id, station_type, district, is_forest,
    staff_ok, roles_ok, vehicles_ok, duty_ok, kit_ok, forest_kit_ok, in_date_ok,
    has_count, last_counted_on, is_count_stale,
    checks_passed, checks_total, round(checks_passed / checks_total, 3) as score, is_compliant,
    len(shortfalls) as shortfall_count
from readiness_judged
where not is_current or (in_service_on(opened_on, closed_on, judged_on))
order by judged_on, station_id;
