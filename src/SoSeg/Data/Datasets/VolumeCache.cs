namespace SoSeg.Data.Datasets;

/// <summary>
/// Least-recently-used cache of decoded volumes, bounded in bytes and safe to use from several loader
/// threads: each volume is decoded once even when many of its slices are asked for at the same time.
/// </summary>
internal sealed class VolumeCache(long capacityBytes)
{
    readonly object _gate = new();
    readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    readonly LinkedList<Entry> _recency = new();
    long _bytes;

    sealed class Entry(string key, Lazy<LoadedVolume> volume)
    {
        public string Key { get; } = key;
        public Lazy<LoadedVolume> Volume { get; } = volume;
        public long Bytes { get; set; }
    }

    /// <summary>The volume cached under <paramref name="key"/> if it is decoded already, else null (never loads).</summary>
    public LoadedVolume? Peek(string key)
    {
        lock (_gate)
            return _entries.TryGetValue(key, out var node) && node.Value.Volume.IsValueCreated ? node.Value.Volume.Value : null;
    }

    /// <summary>The cached volume for <paramref name="key"/>, or <paramref name="load"/>'s result (then cached).</summary>
    public LoadedVolume GetOrLoad(string key, Func<LoadedVolume> load)
    {
        LinkedListNode<Entry> node;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                _recency.Remove(existing);
                _recency.AddFirst(existing);
                node = existing;
            }
            else
            {
                node = new LinkedListNode<Entry>(new Entry(key, new Lazy<LoadedVolume>(load, LazyThreadSafetyMode.ExecutionAndPublication)));
                _entries[key] = node;
                _recency.AddFirst(node);
            }
        }

        LoadedVolume volume;
        try { volume = node.Value.Volume.Value; }
        catch
        {
            // A failed load is not cached: the next request retries (and reports the error again).
            lock (_gate)
                if (_entries.TryGetValue(key, out var current) && current == node)
                {
                    _entries.Remove(key);
                    _recency.Remove(node);
                }
            throw;
        }

        lock (_gate)
        {
            if (node.Value.Bytes == 0 && node.List is not null)
            {
                node.Value.Bytes = volume.Bytes;
                _bytes += volume.Bytes;
                Evict(keep: node);
            }
        }
        return volume;
    }

    void Evict(LinkedListNode<Entry> keep)
    {
        var candidate = _recency.Last;
        while (_bytes > capacityBytes && candidate is not null)
        {
            var previous = candidate.Previous;
            if (candidate != keep && candidate.Value.Volume.IsValueCreated)
            {
                _bytes -= candidate.Value.Bytes;
                _entries.Remove(candidate.Value.Key);
                _recency.Remove(candidate);
            }
            candidate = previous;
        }
    }
}
