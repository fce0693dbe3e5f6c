-- meta: what was loaded, what was refused, and the labels of every coded value.
create schema if not exists meta;

-- grain: one row per load of one source file
create table if not exists meta.batches (
    batch_id      integer primary key,
    source_file   varchar not null,   -- file name as given (no directory)
    sha256        varchar not null,
    kind          varchar not null,   -- incidents | stations | inventory | targets
    encoding      varchar,
    sheet         varchar,
    header_row    integer,            -- 1-based line/row of the header in the source
    rows_read     integer,
    rows_loaded   integer,
    rows_rejected integer,
    rows_flagged  integer,
    started_at    timestamp not null,
    finished_at   timestamp,
    outcome       varchar not null,   -- loaded | refused
    message       varchar,            -- why a file was refused
    mapping_file  varchar,            -- the mapping file it was read with, if any
    load_key      varchar             -- file + mapping checksum: the same load twice is skipped
);
-- Warehouses made before these columns existed gain them on their next load or `emss rebuild`.
alter table meta.batches add column if not exists message varchar;
alter table meta.batches add column if not exists mapping_file varchar;
alter table meta.batches add column if not exists load_key varchar;
update meta.batches set load_key = sha256 where load_key is null and outcome = 'loaded';

-- grain: one row per rejected source row and rule
create table if not exists meta.rejects (
    batch_id    integer not null,
    source_file varchar not null,
    source_row  integer not null,     -- 1-based row in the source file, as a spreadsheet shows it
    rule        varchar not null,
    message     varchar not null,
    raw         json                  -- the row as delivered (canonical names), personal data removed
);

-- grain: one row per flagged (kept but marked) source row and rule
create table if not exists meta.flags (
    batch_id    integer not null,
    source_file varchar not null,
    source_row  integer not null,
    rule        varchar not null,
    message     varchar not null
);

-- grain: one row per (dimension, code)
create table if not exists meta.labels (
    dimension varchar not null,
    code      varchar not null,
    zh        varchar not null,
    en        varchar not null,
    primary key (dimension, code)
);

-- grain: one row per (week, revision, kpi, dimension, code) — the weekly snapshot's KPIs
-- (emss snapshot). A later snapshot of the same week whose figures differ (the data
-- for that week was revised) is added as the next revision; earlier ones are kept.
create table if not exists meta.snapshots (
    week          varchar not null,   -- ISO week, e.g. 2026-W47 (Monday to Sunday)
    revision      integer not null,   -- 1, then +1 each time the week's figures changed
    kpi           varchar not null,   -- the named query's column, e.g. within_target_rate
    dimension     varchar not null,   -- city | district | station_type
    code          varchar not null,   -- district or station-type code; '' for the city
    value         double,             -- null when not computable (e.g. no arrivals)
    query         varchar not null,   -- the named query the value came from
    week_start    date not null,
    as_of_date    date,               -- the data's as-of date when taken
    cut_at        timestamp,          -- the data's cut: when the last loaded batch finished
    data_version  varchar not null,   -- sha256 over the loaded batches (id and file checksum)
    batch_ids     integer[],
    taken_at      timestamp not null  -- wall clock when this revision was recorded (local time)
);

-- grain: one row per Parquet file of a big table in this version (see warehouse/partitions.py).
-- The big tables (raw.incident_rows, core.responses, marts.incidents, marts.responses) are views
-- over these files, which live in the folder beside the warehouse file (`emss.duckdb.parts/`).
create table if not exists meta.parts (
    table_name    varchar not null,   -- schema.table
    part          varchar not null,   -- the month (yyyy-mm), the load's batch id, or _schema (no rows: the columns)
    file          varchar not null,   -- path under the parts folder
    rows          bigint not null
);
-- the smallest and largest incident id in the file (null: not known, in a file written before they
-- were kept): a load reads only the files whose range holds one of the incidents it touched
alter table meta.parts add column if not exists first_id varchar;
alter table meta.parts add column if not exists last_id varchar;

-- grain: one row per file an earlier version listed and this one does not: removed by the next
-- write once older than a grace period (readers of the earlier version may still be reading it)
create table if not exists meta.parts_retired (
    file          varchar not null,
    retired_at    timestamptz not null
);
