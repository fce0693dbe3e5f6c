-- Analyst views of the response-time rules and of the refused response rows
-- (see 42_marts_response_rejects.sql); the named queries read these.
create or replace view main.response_rules as select rule, key, value from meta.response_rules;

create or replace view main.response_rejects as select * from marts.response_rejects;
