
namespace Commerce.Caching.Internal;

/// <summary>
/// Invalidating: removing a key, a scope or a tag, applied on this instance at once (even if the call is cancelled),
/// then in Redis and announced to every instance; queued and replayed while Redis can't be reached. And hearing other
/// instances' invalidations, losing and regaining the channel.
/// </summary>
internal sealed partial class DefaultCommerceCache
{
    /// <summary>HybridCache's remove: knows no scope, so it finds the one the key was written under (memory, else Redis).</summary>
    public override async ValueTask RemoveAsync(string key, CancellationToken token = default)
    {
        if (token.CanBeCanceled)
        {
            token.ThrowIfCancellationRequested();
        }

        if (!IsUsableKey(key))
        {
            return;
        }

        var scope = _memory.TryGet(key, out var entry) ? entry.Scope : null;
        var scopeKnown = true;
        if (scope is null && _redis is not null)
        {
            try
            {
                (scopeKnown, scope) = await _redis.ReadScopeOfAsync(key, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                scopeKnown = false;
            }
        }

        if (!scopeKnown)
        {
            // Redis can't tell now which scope the key was written under: the scoped entry is removed once it can.
            _pending!.QueueRemoveOfUnknownScope(TombstoneWrite(key, null, _versions.Next()));
        }

        await RemoveCoreAsync(key, null, token).ConfigureAwait(false);
        if (scope is not null)
        {
            await RemoveCoreAsync(key, scope, token).ConfigureAwait(false);
        }
    }

    public override ValueTask RemoveAsync(string key, string? scope, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        CheckScope(scope);
        return IsUsableKey(key) ? RemoveCoreAsync(key, scope, cancellationToken) : default;
    }

    public override async ValueTask InvalidateScopeAsync(string scope, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        CheckScope(scope);
        using var activity = Activities.StartActivity("commerce.cache.invalidate_scope");
        activity?.SetTag("commerce.cache.scope", scope);
        _metrics.Invalidation("scope", remote: false);
        await InvalidateAsync(_generations.Scope(scope), CacheMessages.Scope, scope, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        using var activity = Activities.StartActivity("commerce.cache.invalidate_tag");
        activity?.SetTag("commerce.cache.tag", tag);
        _metrics.Invalidation(tag == GenerationRegistry.GlobalTag ? "all" : "tag", remote: false);
        await InvalidateAsync(_generations.Tag(tag), CacheMessages.Tag, tag, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RemoveCoreAsync(string key, string? scope, CancellationToken cancellationToken)
    {
        var version = _versions.Next();
        using var writing = _reads.BeginWrite(key);   // a read of the key in flight here meanwhile stores nothing
        _memory.Remove(key);
        SupersedeFlights(key);
        _metrics.Invalidation("key", remote: false);
        if (_redis is null)
        {
            return;
        }

        var write = TombstoneWrite(key, scope, version);
        if (cancellationToken.IsCancellationRequested)
        {
            _pending!.QueueWrite(write);
            cancellationToken.ThrowIfCancellationRequested();
        }

        WriteOutcome outcome;
        try
        {
            (outcome, _) = await _redis.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _pending!.QueueWrite(write);
            throw;
        }

        if (outcome == WriteOutcome.Failed)
        {
            _pending!.QueueWrite(write);
        }
    }

    /// <summary>The write of a key's tombstone under <paramref name="scope"/>, announced to the other instances.</summary>
    private RedisWrite TombstoneWrite(string key, string? scope, long version)
    {
        var now = Now;
        var tombstone = EntryCodec.Encode(new EntryHeader(version, now, now, 0, 0, FailSafe: false, Tombstone: true, []), []);
        return new RedisWrite(key, scope, tombstone, TombstoneDuration, WriteMode.Remove, version, null, null, CacheMessages.KeyChanged(_channel!.Instance, key), TombstoneDuration + GenerationMargin);
    }

    /// <summary>
    /// Applies a scope or tag invalidation here at once, then moves the generation on in Redis (past anything this
    /// instance has seen) and announces it; queued when Redis can't be asked or the caller cancels first.
    /// </summary>
    private async ValueTask InvalidateAsync(GenerationState state, char kind, string name, CancellationToken cancellationToken)
    {
        var floor = state.Generation;
        state.IncrementLocal();
        if (_redis is null)
        {
            return;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            _pending!.QueueInvalidation(kind, name);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var key = kind == CacheMessages.Scope ? _redis.Keys.ScopeGeneration(name) : _redis.Keys.TagGeneration(name);
        long? generation;
        try
        {
            generation = await _redis.InvalidateAsync(key, kind, name, floor, GenerationTtl(kind == CacheMessages.Tag ? name : null), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _pending!.QueueInvalidation(kind, name);
            throw;
        }

        if (generation is { } g)
        {
            state.Advance(g);
        }
        else
        {
            _pending!.QueueInvalidation(kind, name);
        }
    }

    private void OnChannelMessage(string message)
    {
        switch (message[0])
        {
            case CacheMessages.Scope when CacheMessages.TryParseNumbered(message, out var generation, out var scope):
                if (_generations.TryGetScope(scope, out var scopeState))
                {
                    scopeState.Advance(generation);
                }

                _metrics.Invalidation("scope", remote: true);
                break;
            case CacheMessages.Tag when CacheMessages.TryParseNumbered(message, out var generation, out var tag):
                if (_generations.TryGetTag(tag, out var tagState))
                {
                    tagState.Advance(generation);
                }

                _metrics.Invalidation(tag == GenerationRegistry.GlobalTag ? "all" : "tag", remote: true);
                break;
            case CacheMessages.Key when CacheMessages.TryParseKeyChanged(message, out var version, out var instance, out var key):
                if (instance == _channel!.Instance)
                {
                    break; // our own write: applied here already
                }

                // A set or remove elsewhere: drop this instance's copy, unless it is that very write (read back from Redis),
                // and keep a read of the key in flight from storing what it found before the write.
                _reads.Announce(key, version);
                if (_memory.TryGet(key, out var entry) && entry.Version != version)
                {
                    _memory.Remove(key, entry);
                }

                SupersedeFlights(key, exceptSeenVersion: version);
                _metrics.Invalidation("key", remote: true);
                break;
            case CacheMessages.Fill:
                _lease?.OnFilled(message[1..]);
                break;
        }
    }

    private void OnChannelLost()
    {
        // Invalidations may be lost from now on: entries older than this moment are checked against Redis before they
        // are served, or served within DisconnectedMaxStaleness while Redis can't be reached; tag generations are read
        // again before they are trusted.
        _generations.ForgetTags();
    }

    private void OnChannelRestored()
    {
        // What was cached before (and while we could not hear invalidations) is checked against Redis once before it
        // is trusted again: one read per entry, and no factory call when Redis still holds the same write.
        Interlocked.Increment(ref _epoch);
        _generations.ForgetTags();
        _pending?.Replay();
    }
}
