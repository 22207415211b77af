-- Parks a journal entry PostgreSQL can't take, with its error (once per entry).
insert into {schema}.journal_dead_letters (sale_id, entry_id, seq, fields, error)
values (@sale, @entry, @seq, @fields, @error)
on conflict (sale_id, entry_id) do nothing
