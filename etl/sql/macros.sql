-- Parsers shared by every kind of export. Each returns null for an empty cell
-- and null for text it cannot read; the rules compare against the text to tell
-- "missing" from "unreadable".

create or replace temp macro blank(t) as t is null or trim(t) = '';

-- Timestamps as exports write them: 2024-05-21 01:03:05, 2024/5/21 1:03,
-- 2024年5月21日 01:03, ISO with T, or an Excel serial number (days since 1899-12-30).
-- A mapping file's own formats (variable extra_timestamp_formats, bound by etl/staging.py) come first.
-- The first try is the text exactly as written in the usual formats (most rows, and cheap); the
-- rest only for the rows that fail it, and they give the same answer for the rows it reads.
--
-- Text with a UTC offset (2024-05-21T01:03:05+08:00, ...+0530, ...Z, or read by a mapping format
-- with %z or %Z) names an instant: parse_ts gives it in the warehouse's local time (variable
-- warehouse_timezone), and etl/load.py does not move it again by the mapping's timezone. Text
-- without one is a wall-clock time and is returned as written. The two kinds of format are tried
-- apart: in one list, a format with %z makes DuckDB read every row as an instant, and a row
-- without an offset as UTC. A mapping's offset formats, if it has any, are the first try (a file
-- whose mapping names them is mostly such text); the default ISO offset forms are tried only on
-- text that ends like an offset, after the Excel serial number.
create or replace temp macro is_offset_format(f) as regexp_matches(f, '(^|[^%])(%%)*%[zZ]');
create or replace temp macro wall_clock_formats() as
    list_filter(getvariable('extra_timestamp_formats'), lambda f: not is_offset_format(f));
create or replace temp macro offset_formats() as
    list_filter(getvariable('extra_timestamp_formats'), lambda f: is_offset_format(f));

-- The instant (timestamptz) that text with an offset names; null for text without one: the
-- mapping's offset formats on the text as written (a constant case: no cost without them), then
-- on the text tidied (spaces, Z as +00:00) with the ISO forms. Only text ending like an offset
-- is tidied and tried, unless the mapping has offset formats of its own.
create or replace temp macro offset_as_written(t) as case when len(offset_formats()) > 0
    then try_strptime(t, offset_formats() || ['%Y-%m-%d %H:%M:%S%z']) end;
create or replace temp macro parse_instant(t) as coalesce(offset_as_written(t), case
    when len(offset_formats()) > 0 or regexp_matches(t, '([+-][0-9]{2}(:?[0-9]{2})?|[0-9][Zz])\s*$') then
        try_strptime(regexp_replace(regexp_replace(trim(t), '\s+', ' ', 'g'), '([0-9])[Zz]$', '\1+00:00'), offset_formats() || [
            '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S.%f%z', '%Y-%m-%dT%H:%M:%S.%f%z',
            '%Y-%m-%d %H:%M%z', '%Y-%m-%dT%H:%M%z', '%Y-%m-%d %H:%M:%S %z'])
end);

create or replace temp macro parse_ts(t) as coalesce(
    timezone(getvariable('warehouse_timezone'), offset_as_written(t)),
    try_strptime(t, wall_clock_formats() || ['%Y-%m-%d %H:%M:%S']), case
    when blank(t) then null
    when regexp_full_match(trim(t), '[0-9]{5}(\.[0-9]+)?')
        then timestamp '1899-12-30' + to_seconds(cast(round(try_cast(trim(t) as double) * 86400) as bigint))  -- to the nearest second
    else coalesce(timezone(getvariable('warehouse_timezone'), parse_instant(t)),
        try_strptime(regexp_replace(trim(t), '\s+', ' ', 'g'), wall_clock_formats() || [
            '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M',
            '%Y年%m月%d日 %H:%M:%S', '%Y年%m月%d日 %H:%M', '%Y年%m月%d日%H:%M:%S', '%Y年%m月%d日%H:%M',
            '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', '%Y%m%d%H%M%S']))
end);

-- A wall-clock time `ts` in `zone` (a mapping's timezone) as an instant, where the zone's clocks
-- change as Python's zoneinfo reads it (fold=0): a time the clocks skip (02:30 on 2024-03-10 in
-- Toronto) is read with the offset before the change, so it moves on by the gap (03:30 EDT); a
-- time they show twice (01:30 on 2024-11-03) is its first occurrence (EDT). DuckDB's timezone()
-- alone moves a skipped time on by the gap too, but gives the second occurrence of a repeated one.
-- timezone(zone, ts - 24 h) + 24 h reads ts with the offset in force a day before (24 hours: a day
-- added to a timestamptz is a calendar day of the session's zone); it is the answer when it reads
-- back as ts (the first occurrence of a repeated time), else timezone() is.
create or replace temp macro wall_clock_instant(zone, ts) as case
    when timezone(zone, timezone(zone, ts - interval 24 hour) + interval 24 hour) = ts
        then timezone(zone, ts - interval 24 hour) + interval 24 hour
    else timezone(zone, ts)
end;

-- The same, for a step of a response that follows the instant `after`: a time the clocks showed twice
-- is its second occurrence when the first would be out of order after `after` and the second would
-- not (alarm 01:55 EDT, arrival 01:05 EST once the clocks went back: 10 minutes, not -50). Out of
-- order as the `order` rule says (etl/rules.py: earlier by at least the file's order_tolerance_s).
create or replace temp macro before_by_tolerance(a, b) as
    a < b and epoch(b - a) >= coalesce(getvariable('order_tolerance_s'), 0);
create or replace temp macro wall_clock_instant_after(zone, ts, after) as case
    when before_by_tolerance(wall_clock_instant(zone, ts), after) and not before_by_tolerance(timezone(zone, ts), after)
        then timezone(zone, ts)
    else wall_clock_instant(zone, ts)
end;

create or replace temp macro parse_date(t) as case
    when blank(t) then null
    when regexp_full_match(trim(t), '[0-9]{5}(\.[0-9]+)?')
        then cast(date '1899-12-30' + cast(floor(try_cast(trim(t) as double)) as integer) as date)
    else cast(try_strptime(regexp_replace(trim(t), '\s+', ' ', 'g'), [
        '%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日', '%Y.%m.%d', '%Y%m%d',
        '%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y-%m-%d %H:%M']) as date)
end;

-- Numbers as spreadsheets write them: "12", "12.0", " 1,200 ", "12人".
create or replace temp macro parse_num(t) as coalesce(try_cast(t as double),
    try_cast(regexp_replace(regexp_replace(trim(t), '[,，\s]', '', 'g'), '(人|辆|台|套|个|件|具|份|只|把)$', '') as double));

create or replace temp macro parse_int(t) as cast(round(parse_num(t)) as integer);

create or replace temp macro parse_bool(t) as case
    when blank(t) then null
    when lower(trim(t)) in ('是', 'y', 'yes', 'true', '1', '√', '林区站') then true
    when lower(trim(t)) in ('否', 'n', 'no', 'false', '0', '×') then false
end;

-- A coded category: the code for any known spelling; unknown text kept as it is. The
-- spellings are one map per dimension (spelling_maps), so the lookup is a map access per row.
create or replace temp macro to_code(dim, t) as coalesce(
    map_extract_value((select m from spelling_maps where dimension = dim), lower(trim(t))),
    nullif(trim(t), ''));
create or replace temp macro is_known(dim, t) as blank(t) or dim in (select dimension from open_dimensions) or
    map_contains((select m from spelling_maps where dimension = dim), lower(trim(t)));

-- Coordinate systems, as exports name them: the conversion itself is emss.geo's, through the
-- positions step (etl/load.py).
create or replace temp macro crs_code(t) as case
    when regexp_replace(lower(trim(t)), '[-_\s]', '', 'g') in ('gcj02', 'gcj', '火星坐标', '国测局', '高德', '腾讯', 'amap') then 'gcj02'
    when regexp_replace(lower(trim(t)), '[-_\s]', '', 'g') in ('bd09', 'bd09ll', '百度', 'baidu') then 'bd09'
    else 'wgs84'
end;
