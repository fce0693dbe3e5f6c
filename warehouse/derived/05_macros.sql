-- Definitions every layer and query shares, kept in the warehouse so SQL anywhere can call them.

-- A station is in service on a day when it had opened by then and had not yet closed.
create or replace macro main.in_service_on(opened_on, closed_on, day) as
    opened_on <= day and (closed_on is null or closed_on > day);

-- A street as the registers write it, without the suffix (园岭街道 -> 园岭), so the patrol log, the
-- hazard register, the incidents and the city profile name it alike.
create or replace macro main.street_name(street) as nullif(regexp_replace(trim(street), '街道(办事处)?$', ''), '');
