-- Received webhooks: committed before the sender is acknowledged, processed in the background.
create table {schema}.inbox (
    id bigint generated always as identity primary key,
    source text not null,
    message_id text not null,
    type text not null,
    event_timestamp timestamptz null,
    headers jsonb not null default '{}',
    body bytea not null,
    received_at timestamptz not null,
    status text not null default 'pending' check (status in ('pending', 'processed', 'dead')),
    attempts int not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz null,
    processed_at timestamptz null,
    last_error text null,
    constraint inbox_dedupe unique (source, message_id)
);

create index inbox_due on {schema}.inbox (next_attempt_at, id) where status = 'pending';
create index inbox_dead on {schema}.inbox (id) where status = 'dead';

-- Endpoints this application sends webhooks to, and the messages accepted for sending.
create table {schema}.endpoints (
    id uuid primary key,
    url text not null,
    secrets text[] not null,
    enabled boolean not null default true,
    disabled_reason text null,
    created_at timestamptz not null default now()
);

create table {schema}.outbox (
    id bigint generated always as identity primary key,
    endpoint_id uuid not null references {schema}.endpoints (id) on delete cascade,
    message_id text not null,
    type text not null,
    path text null,
    body bytea not null,
    created_at timestamptz not null,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts int not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz null,
    last_status int null,
    last_error text null,
    delivered_at timestamptz null,
    constraint outbox_dedupe unique (endpoint_id, message_id)
);

create index outbox_due on {schema}.outbox (next_attempt_at, id) where status = 'pending';
