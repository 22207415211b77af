-- Changes what is given (a null parameter keeps the current value); an empty event type list means every type.
update {schema}.endpoints
   set url = coalesce(@url, url),
       secrets = coalesce(@secrets, secrets),
       event_types = case when @set_event_types then @event_types else event_types end,
       description = coalesce(@description, description),
       enabled = coalesce(@enabled, enabled),
       disabled_reason = case when coalesce(@enabled, enabled) then null
                              when @enabled is not null then @disabled_reason
                              else disabled_reason end,
       updated_at = now()
 where id = @id
