-- Notifications per recipient. recipients.last_sequence numbers a recipient's notifications without gaps (the row
-- lock taken by the increment orders concurrent creations); unread_count is kept in the same transactions that
-- insert, mark and delete, so it never drifts.

create table {schema}.recipients (
    recipient_id text primary key,
    last_sequence bigint not null default 0,
    unread_count int not null default 0 check (unread_count >= 0)
);

create table {schema}.notifications (
    id bigint generated always as identity primary key,
    recipient_id text not null,
    sequence bigint not null,
    type text not null,
    title text not null,
    body text null,
    data jsonb null,
    created_at timestamptz not null,
    read_at timestamptz null,
    constraint notifications_sequence unique (recipient_id, sequence)
);

create index notifications_unread on {schema}.notifications (recipient_id, sequence) where read_at is null;
create index notifications_created on {schema}.notifications (created_at);

-- Out-of-band deliveries (e-mail, ...): a durable queue, claimed with a lease.
create table {schema}.channel_deliveries (
    id bigint generated always as identity primary key,
    notification_id bigint not null references {schema}.notifications (id) on delete cascade,
    channel text not null,
    address text not null,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts int not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz null,
    last_error text null,
    delivered_at timestamptz null
);

create index channel_deliveries_due on {schema}.channel_deliveries (next_attempt_at) where status = 'pending';

-- Bulk creations: the recipients are kept with the job, and progress advances in the transaction of each batch.
create table {schema}.bulk_jobs (
    id uuid primary key,
    recipient_ids text[] not null,
    type text not null,
    title text not null,
    body text null,
    data jsonb null,
    created int not null default 0,
    created_at timestamptz not null,
    completed_at timestamptz null,
    locked_until timestamptz null
);

create index bulk_jobs_open on {schema}.bulk_jobs (created_at) where completed_at is null;
