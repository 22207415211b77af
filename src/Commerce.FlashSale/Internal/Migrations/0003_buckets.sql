-- A sale's stock split over buckets (Redis Cluster slots): how many, and what PostgreSQL has applied of each bucket's
-- journal (each bucket numbers its own changes).
alter table {schema}.sales add column buckets int not null default 1 check (buckets between 1 and 16);

alter table {schema}.sale_progress add column bucket int not null default 0;
alter table {schema}.sale_progress drop constraint sale_progress_pkey;
alter table {schema}.sale_progress add primary key (sale_id, bucket);
