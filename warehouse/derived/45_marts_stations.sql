-- marts.inventory_latest: one row per (station_id, item) from each station's latest count.
create or replace table marts.inventory_latest as
with latest as (
    select station_id, max(counted_on) as counted_on from core.inventory_counts group by station_id
)
select c.*
from core.inventory_counts c join latest using (station_id, counted_on);

-- marts.station_readiness: one row per station_id; each rule of the standard
-- (meta.standard, meta.standard_kit, loaded from emss/standard.toml) as a check.
create or replace temp table readiness_checks as
with std as (
    select
        max(value) filter (where key = 'staff.min')::integer as staff_min,
        max(value) filter (where key = 'staff.max')::integer as staff_max,
        max(value) filter (where key = 'vehicles.min')::integer as vehicles_min,
        max(value) filter (where key = 'duty.mode') as duty_mode,
        max(value) filter (where key = 'inventory.stale_after_days')::integer as stale_days
    from meta.standard
),
as_of as (select as_of_date from meta.as_of),
required_kit as (  -- what each station must hold
    select s.station_id, k.item, k.kit, k.required_quantity, k.names
    from core.stations s join meta.standard_kit k
      on k.kit = 'mandatory' or (k.kit = 'forest' and s.is_forest)
),
kit_check as (
    select
        r.station_id, r.item, r.kit, r.required_quantity,
        coalesce(sum(l.quantity) filter (where l.status = 'ok'
            and (l.expires_on is null or l.expires_on >= (select as_of_date from as_of))), 0) as usable
    from required_kit r
    left join marts.inventory_latest l on l.station_id = r.station_id and list_contains(r.names, l.item)
    group by all
),
kit_short as (
    select station_id,
        list(item order by item) filter (where kit = 'mandatory' and usable < required_quantity) as mandatory_short,
        list(item order by item) filter (where kit = 'forest' and usable < required_quantity) as forest_short
    from kit_check group by station_id
),
stock as (
    select station_id,
        max(counted_on) as last_counted_on,
        list(distinct item order by item) filter (where expires_on < (select as_of_date from as_of)) as expired_items
    from marts.inventory_latest group by station_id
),
checks as (
    select
        s.station_id, s.station_name, s.station_type, s.district, s.street, s.is_forest,
        s.opened_on, s.closed_on, s.staff_count, s.vehicle_count,
        s.staff_count between std.staff_min and std.staff_max as staff_ok,
        list_filter([
            case when coalesce(s.captain_count, 0) < 1 then '队长' end,
            case when coalesce(s.vice_captain_count, 0) < 1 then '副队长' end,
            case when coalesce(s.communicator_count, 0) < 1 then '通信员' end,
            case when coalesce(s.safety_officer_count, 0) < 1 then '安全员' end
        ], lambda x: x is not null) as missing_roles,
        coalesce(s.vehicle_count, 0) >= std.vehicles_min as vehicles_ok,
        coalesce(s.is_24h, false) as duty_ok,
        coalesce(k.mandatory_short, []) as mandatory_short,
        coalesce(k.forest_short, []) as forest_short,
        coalesce(st.expired_items, []) as expired_items,
        st.last_counted_on,
        (select as_of_date from as_of) - st.last_counted_on as count_age_days,
        st.last_counted_on is null
            or (select as_of_date from as_of) - st.last_counted_on > std.stale_days as is_count_stale,
        std.staff_min, std.staff_max, std.vehicles_min
    from core.stations s
    cross join std
    left join kit_short k using (station_id)
    left join stock st using (station_id)
)
select
    *,
    len(missing_roles) = 0 as roles_ok,
    len(mandatory_short) = 0 and st_count_ok as kit_ok,
    len(forest_short) = 0 as forest_kit_ok,
    len(expired_items) = 0 as in_date_ok
from (select *, last_counted_on is not null as st_count_ok from checks);

create or replace table marts.station_readiness as
select
    * exclude (st_count_ok),
    (staff_ok::int + roles_ok::int + vehicles_ok::int + duty_ok::int + kit_ok::int
        + forest_kit_ok::int + in_date_ok::int) as checks_passed,
    7 as checks_total,
    round((staff_ok::int + roles_ok::int + vehicles_ok::int + duty_ok::int + kit_ok::int
        + forest_kit_ok::int + in_date_ok::int) / 7.0, 3) as score,
    staff_ok and roles_ok and vehicles_ok and duty_ok and kit_ok and forest_kit_ok and in_date_ok as is_compliant,
    list_filter([
        case when not staff_ok then '人员' || coalesce(staff_count::varchar, '未知') || '人，标准' || staff_min || '–' || staff_max || '人' end,
        case when not roles_ok then '缺' || array_to_string(missing_roles, '、') end,
        case when not vehicles_ok then '车辆' || coalesce(vehicle_count::varchar, '未知') || '辆，少于' || vehicles_min || '辆' end,
        case when not duty_ok then '非24小时值班' end,
        case when last_counted_on is null then '无物资盘点记录' end,
        case when len(mandatory_short) > 0 then '必配装备不足：' || array_to_string(mandatory_short, '、') end,
        case when len(forest_short) > 0 then '林区装备不足：' || array_to_string(forest_short, '、') end,
        case when len(expired_items) > 0 then '物资过期：' || array_to_string(expired_items, '、') end
    ], lambda x: x is not null) as shortfalls
from readiness_checks
order by station_id;
