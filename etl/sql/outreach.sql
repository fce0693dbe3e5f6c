-- One outreach event, drill or training class per source row.
create or replace temp view parsed as
select
    row_id, source_row,
    nullif(trim(event_id), '') as event_id,
    nullif(trim(station_id), '') as station_id,
    parse_date(held_on) as held_on,
    to_code('outreach_kind', kind) as kind,
    to_code('discipline', discipline) as discipline,
    nullif(trim(street), '') as street,
    nullif(trim(community), '') as community,
    parse_int(participants) as participants,
    parse_num(hours) as hours,
    held_on as held_on_text, participants as participants_text, hours as hours_text,
    is_known('outreach_kind', kind) and is_known('discipline', discipline) as categories_known,
    -- the values the vocabulary does not know, for the flag's message
    concat_ws(', ', case when not is_known('outreach_kind', kind) then trim(kind) end,
              case when not is_known('discipline', discipline) then trim(discipline) end) as category_text
from stg;
