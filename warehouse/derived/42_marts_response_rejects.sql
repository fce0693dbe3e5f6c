-- marts.response_rejects: one row per incident-export row refused at load (meta.rejects)
-- whose response is still missing: no later export delivered that (incident,
-- station) in a form that loaded. These rows are in no figure; the pages count
-- them, by rule, so that nothing leaves the figures unsaid.
-- The call time is the incident's (when another of its responses loaded), else
-- the refused row's own text read in the common export formats; null when unreadable.
create or replace table marts.response_rejects as
with refused as (
    select
        r.batch_id, r.source_file, r.source_row, r.rule, r.message,
        nullif(trim(r.raw ->> 'incident_id'), '') as incident_id,
        nullif(trim(r.raw ->> 'station_id'), '') as station_id,
        nullif(trim(r.raw ->> 'call_at'), '') as call_at_text,
        nullif(trim(r.raw ->> 'district'), '') as district_text,
        nullif(trim(r.raw ->> 'incident_type'), '') as incident_type_text,
        nullif(trim(r.raw ->> 'channel'), '') as channel_text
    from meta.rejects r
    join meta.batches b using (batch_id)
    where b.kind = 'incidents'
),
first_rule as (  -- a row refused for several reasons is listed once, under its first rule
    select *, row_number() over (partition by batch_id, source_row order by rule) as pick from refused
),
kept as (  -- the incidents and responses of those rows that did load: read for these ids only
    select incident_id, call_at, district, incident_type, channel from marts.incidents
    where incident_id in (select incident_id from refused)
),
loaded as (
    select incident_id, station_id from core.responses where incident_id in (select incident_id from refused)
),
spellings as (
    select distinct dimension, code, lower(spelling) as spelling
    from meta.labels, unnest([code, zh, en]) as t(spelling)
)
select
    f.batch_id, f.source_file, f.source_row, f.rule, f.message, f.incident_id, f.station_id,
    coalesce(i.call_at,
             try_cast(f.call_at_text as timestamp),
             try_strptime(f.call_at_text, ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y年%m月%d日 %H:%M:%S',
                                           '%Y年%m月%d日 %H:%M', '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %H:%M'])) as call_at,
    coalesce(i.district, d.code, f.district_text) as district,
    coalesce(i.incident_type, t.code, f.incident_type_text) as incident_type,
    coalesce(i.channel, c.code, f.channel_text) as channel,
    s.station_type,
    i.incident_id is not null as is_incident_kept  -- another response of the incident loaded
from first_rule f
left join kept i on i.incident_id = f.incident_id
left join spellings d on d.dimension = 'district' and d.spelling = lower(f.district_text)
left join spellings t on t.dimension = 'incident_type' and t.spelling = lower(f.incident_type_text)
left join spellings c on c.dimension = 'channel' and c.spelling = lower(f.channel_text)
left join core.stations s on s.station_id = f.station_id
where f.pick = 1
  and not exists (select 1 from loaded x where x.incident_id = f.incident_id and x.station_id = f.station_id)
order by f.batch_id, f.source_row;
