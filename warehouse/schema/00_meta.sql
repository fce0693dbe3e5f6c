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
