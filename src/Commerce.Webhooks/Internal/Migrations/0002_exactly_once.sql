-- Inbox: every claim gets a token; writes of an outcome are fenced by it, so a processor whose lease was taken over
-- can no longer complete or fail the row. Bodies of processed rows are purged after a while (purged_at), the rows
-- themselves later, when their message id is no longer needed to deduplicate.
alter table {schema}.inbox add column claim_token uuid null;
alter table {schema}.inbox add column purged_at timestamptz null;
create index inbox_processed on {schema}.inbox (processed_at) where status = 'processed';

-- Outbox: the same fencing; finished rows (delivered or failed) are purged after the retention.
alter table {schema}.outbox add column claim_token uuid null;
alter table {schema}.outbox add column finished_at timestamptz null;
update {schema}.outbox set finished_at = coalesce(delivered_at, now()) where status <> 'pending';
create index outbox_finished on {schema}.outbox (finished_at) where status <> 'pending';
create index outbox_by_endpoint on {schema}.outbox (endpoint_id, created_at);

-- Endpoints: which event types they receive (null: all), a description for operators, when they last changed.
alter table {schema}.endpoints add column event_types text[] null;
alter table {schema}.endpoints add column description text null;
alter table {schema}.endpoints add column updated_at timestamptz not null default now();

-- Every delivery attempt, for operators: status, duration and the start of the answer.
create table {schema}.attempts (
    id bigint generated always as identity primary key,
    outbox_id bigint not null references {schema}.outbox (id) on delete cascade,
    attempt int not null,
    attempted_at timestamptz not null,
    status_code int null,
    duration_ms double precision not null,
    response_excerpt text null,
    error text null
);

create index attempts_by_message on {schema}.attempts (outbox_id, attempt);

-- Claims take, per enabled endpoint, its oldest due messages up to its free delivery slots.
create index outbox_due_by_endpoint on {schema}.outbox (endpoint_id, next_attempt_at, id) where status = 'pending';
