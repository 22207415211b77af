-- Gives back claimed messages at once (the host is stopping, or a claim took more of a limited batch handler's
-- messages than it may run now), so another processor need not wait for the lease. @uncount: the claim does not count
-- as an attempt (the messages were never handed to a handler).
update {schema}.inbox
   set locked_until = null, claim_token = null, attempts = case when @uncount then attempts - 1 else attempts end
 where id = any(@ids) and claim_token = @token and status = 'pending'
