-- Parsers shared by every kind of export. Each returns null for an empty cell
-- and null for text it cannot read; the rules compare against the text to tell
-- "missing" from "unreadable".

create or replace temp macro blank(t) as t is null or trim(t) = '';

-- Timestamps as exports write them: 2024-05-21 01:03:05, 2024/5/21 1:03,
-- 2024年5月21日 01:03, ISO with T, or an Excel serial number (days since 1899-12-30).
-- A mapping file's own formats (variable extra_timestamp_formats, bound by etl/load.py) come first.
-- The first try is the text exactly as written in the usual formats (most rows, and cheap); the
-- rest only for the rows that fail it, and they give the same answer for the rows it reads.
create or replace temp macro parse_ts(t) as coalesce(try_strptime(t, getvariable('extra_timestamp_formats') || ['%Y-%m-%d %H:%M:%S']), case
    when blank(t) then null
    when regexp_full_match(trim(t), '[0-9]{5}(\.[0-9]+)?')
        then timestamp '1899-12-30' + to_seconds(cast(round(try_cast(trim(t) as double) * 86400) as bigint))  -- to the nearest second
    else try_strptime(regexp_replace(trim(t), '\s+', ' ', 'g'), getvariable('extra_timestamp_formats') || [
        '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M',
        '%Y年%m月%d日 %H:%M:%S', '%Y年%m月%d日 %H:%M', '%Y年%m月%d日%H:%M:%S', '%Y年%m月%d日%H:%M',
        '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', '%Y%m%d%H%M%S'])
end);

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
create or replace temp macro is_known(dim, t) as blank(t) or
    map_contains((select m from spelling_maps where dimension = dim), lower(trim(t)));

-- Coordinate systems, as exports name them: the conversion itself is emss.geo's, through the
-- positions step (etl/load.py).
create or replace temp macro crs_code(t) as case
    when regexp_replace(lower(trim(t)), '[-_\s]', '', 'g') in ('gcj02', 'gcj', '火星坐标', '国测局', '高德', '腾讯', 'amap') then 'gcj02'
    when regexp_replace(lower(trim(t)), '[-_\s]', '', 'g') in ('bd09', 'bd09ll', '百度', 'baidu') then 'bd09'
    else 'wgs84'
end;
