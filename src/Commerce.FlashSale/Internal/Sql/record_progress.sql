-- Records the highest journal sequence number applied for a bucket of a sale, if the caller's epoch is still the
-- current one.
insert into {schema}.sale_progress (sale_id, bucket, journal_seq)
select id, @bucket, @seq from {schema}.sales where id = @sale and epoch = @epoch
on conflict (sale_id, bucket) do update set journal_seq = greatest({schema}.sale_progress.journal_seq, excluded.journal_seq)
