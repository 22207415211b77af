-- Records one delivery attempt in the attempt log, and its outcome on the message, fenced by the claim token (a
-- dispatcher whose lease was taken over logs the attempt but does not change the message): delivered, retry at
-- @next, or failed (when @next is null). Returns whether the message was updated.
with updated as (
    update {schema}.outbox
       set status = case when @delivered then 'delivered' when @next is null then 'failed' else 'pending' end,
           next_attempt_at = coalesce(@next, next_attempt_at),
           delivered_at = case when @delivered then @now else null end,
           finished_at = case when @delivered or @next is null then @now else null end,
           locked_until = null, claim_token = null, last_status = @status, last_error = @error
     where id = @id and claim_token = @token
 returning id),
logged as (
    insert into {schema}.attempts (outbox_id, attempt, attempted_at, status_code, duration_ms, response_excerpt, error)
    select @id, @attempt, @attempted_at, @status, @duration_ms, @excerpt, @error
     where exists (select 1 from {schema}.outbox where id = @id))
select count(*) from updated
