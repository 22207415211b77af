-- A sale's optional waiting room: admissions per second and how long an admission token lasts (null: no room).
alter table {schema}.sales add column room_rate int null check (room_rate between 1 and 100000);
alter table {schema}.sales add column room_lifetime_ms bigint null check (room_lifetime_ms > 0);
