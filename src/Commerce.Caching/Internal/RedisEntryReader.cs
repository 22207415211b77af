namespace Commerce.Caching.Internal;

/// <summary>
/// Reads entries from Redis together with every generation needed to judge them, and judges them: the scope's
/// generation comes back with the entry from one script, and the generations of everything (<c>*</c>) and of the
/// caller's tags in the same round trip, so an entry is never accepted on generations this instance has not heard
/// about yet. Tags of the entry the caller did not name cost a second round trip. Every generation is read with
/// this instance's knowledge as its floor, so one that went back in Redis is raised again instead of reviving old
/// entries.
/// </summary>
internal sealed class RedisEntryReader(
    RedisLevel redis,
    GenerationRegistry generations,
    PendingQueue pending,
    Func<string?, TimeSpan> generationTtl,
    TimeProvider time)
{
    public async Task<RedisEntry> ReadAsync(string key, string? scope, GenerationState[] tags, CancellationToken cancellationToken) =>
        (await ReadManyAsync([key], scope, tags, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Reads <paramref name="keys"/> of one scope in one pipelined round trip (two when entries carry other tags).</summary>
    public async Task<RedisEntry[]> ReadManyAsync(IReadOnlyList<string> keys, string? scope, GenerationState[] tags, CancellationToken cancellationToken)
    {
        var scopeState = scope is null ? null : generations.Scope(scope);
        var floor = scopeState?.Generation ?? 0;
        var reads = new Task<RedisReadResult>[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            reads[i] = redis.ReadAsync(keys[i], scope, floor, generationTtl(null), cancellationToken);
        }

        var known = new List<GenerationState>(tags.Length + 1) { generations.Global };
        known.AddRange(tags);
        var generationsRead = LoadAsync(known, cancellationToken);
        var results = new RedisReadResult[keys.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            results[i] = await reads[i].ConfigureAwait(false);
        }

        var entries = new RedisEntry[keys.Count];
        if (!await generationsRead.ConfigureAwait(false))
        {
            return entries; // all Unreachable: they can't be judged
        }

        var headers = new (EntryHeader Header, ReadOnlyMemory<byte> Payload)?[keys.Count];
        List<GenerationState>? extra = null;
        for (var i = 0; i < results.Length; i++)
        {
            if (!results[i].Ok)
            {
                continue;
            }

            scopeState?.Read(results[i].ScopeGeneration);
            if (!results[i].Found || !EntryCodec.TryDecode(results[i].Value, out var header, out var payload))
            {
                entries[i] = RedisEntry.Absent;
                continue;
            }

            headers[i] = (header, payload);
            foreach (var (name, _) in header.Tags)
            {
                var state = generations.Tag(name);
                if (!known.Contains(state) && (extra is null || !extra.Contains(state)))
                {
                    (extra ??= []).Add(state);
                }
            }
        }

        if (extra is not null && !await LoadAsync(extra, cancellationToken).ConfigureAwait(false))
        {
            return new RedisEntry[keys.Count];
        }

        var now = time.GetUtcNow().UtcTicks;
        for (var i = 0; i < results.Length; i++)
        {
            if (headers[i] is { } found)
            {
                entries[i] = Judge(keys[i], scope, scopeState, found.Header, found.Payload, now);
            }
        }

        return entries;
    }

    /// <summary>
    /// Brings this instance's knowledge of a scope's, the tags' and everything's generations up to Redis' (one round
    /// trip). False when Redis could not be asked.
    /// </summary>
    public async Task<bool> RefreshAsync(string? scope, GenerationState[] tags, CancellationToken cancellationToken)
    {
        var states = new List<GenerationState>(tags.Length + 2) { generations.Global };
        states.AddRange(tags);
        var scopeState = scope is null ? null : generations.Scope(scope);
        var scopeRead = scopeState is null
            ? null
            : redis.ReadGenerationAsync(redis.Keys.ScopeGeneration(scope!), scopeState.Generation, generationTtl(null), cancellationToken);
        var ok = await LoadAsync(states, cancellationToken).ConfigureAwait(false);
        if (scopeRead is not null)
        {
            if (await scopeRead.ConfigureAwait(false) is { } generation)
            {
                scopeState!.Read(generation);
            }
            else
            {
                ok = false;
            }
        }

        return ok;
    }

    private RedisEntry Judge(string key, string? scope, GenerationState? scopeState, EntryHeader header, ReadOnlyMemory<byte> payload, long now)
    {
        if (header.Tombstone)
        {
            return new RedisEntry(RedisEntryStatus.Removed, header, default, []);
        }

        var tags = header.Tags.Length == 0 ? [] : new TagStamp[header.Tags.Length];
        var current = header.FreshUntil > now
            && (scopeState is null || scopeState.Generation == header.ScopeGeneration)
            && generations.Global.Generation == header.GlobalGeneration;
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = new TagStamp(generations.Tag(header.Tags[i].Key), header.Tags[i].Value);
            current &= tags[i].IsCurrent;
        }

        // A set or remove of this key made here and still waiting for Redis is newer than what Redis holds.
        if (current && pending.TryGetPendingWrite(key, scope, out var queued) && queued >= header.Version)
        {
            current = false;
        }

        return new RedisEntry(current ? RedisEntryStatus.Fresh : RedisEntryStatus.Stale, header, payload, tags);
    }

    /// <summary>Reads each generation with this instance's knowledge as floor and advances it; false if Redis can't be asked.</summary>
    private async Task<bool> LoadAsync(List<GenerationState> states, CancellationToken cancellationToken)
    {
        var tasks = new Task<long?>[states.Count];
        for (var i = 0; i < states.Count; i++)
        {
            var state = states[i];
            var isGlobal = ReferenceEquals(state, generations.Global);
            tasks[i] = redis.ReadGenerationAsync(redis.Keys.TagGeneration(state.Name), state.Generation, generationTtl(isGlobal ? GenerationRegistry.GlobalTag : state.Name), cancellationToken);
        }

        var ok = true;
        for (var i = 0; i < tasks.Length; i++)
        {
            if (await tasks[i].ConfigureAwait(false) is { } generation)
            {
                states[i].Read(generation);
            }
            else
            {
                ok = false;
            }
        }

        return ok;
    }
}
