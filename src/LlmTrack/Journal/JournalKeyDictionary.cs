namespace LlmTrack.Journal;

/// <summary>
/// Metric keys interned to small integers per segment. The first time a key appears in a segment,
/// the metrics record that uses it carries its text; later records refer to it by number, so a record
/// of repeated keys stores a few bytes per key. A reader rebuilds the dictionary from the segment's start.
/// </summary>
internal sealed class JournalKeyDictionary
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];

    /// <summary>Keys defined so far, by id.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>Number of keys defined.</summary>
    public int Count => _keys.Count;

    /// <summary>The id of <paramref name="key"/>, defining it when new.</summary>
    public int GetOrAdd(string key)
    {
        if (_ids.TryGetValue(key, out var id))
        {
            return id;
        }

        id = _keys.Count;
        _ids.Add(key, id);
        _keys.Add(key);
        return id;
    }

    /// <summary>Forgets the keys defined after the first <paramref name="count"/> (undo of an encoding that was not written).</summary>
    public void TruncateTo(int count)
    {
        for (var i = _keys.Count - 1; i >= count; i--)
        {
            _ids.Remove(_keys[i]);
            _keys.RemoveAt(i);
        }
    }

    /// <summary>Forgets every key (a new segment starts).</summary>
    public void Clear()
    {
        _ids.Clear();
        _keys.Clear();
    }

    /// <summary>Defines <paramref name="key"/> as the next id (reader side).</summary>
    public void Add(string key)
    {
        _ids.TryAdd(key, _keys.Count);
        _keys.Add(key);
    }
}
