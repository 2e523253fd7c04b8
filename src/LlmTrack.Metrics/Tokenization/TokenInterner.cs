namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// Maps token text to dense integer ids (1, 2, 3, …) without allocating a string per token:
/// an open-addressing table keyed on <see cref="ReadOnlySpan{T}"/> with the characters of all
/// distinct tokens kept in one growing arena. Works the same on net8.0 and net10.0.
/// </summary>
internal sealed class TokenInterner
{
    private char[] _arena = new char[4096];
    private int _arenaLength;
    private int[] _slots = new int[1024]; // 0 = empty, otherwise id
    private int[] _starts = new int[512]; // by id
    private int[] _lengths = new int[512];
    private int[] _hashes = new int[512];
    private int _count;

    /// <summary>The number of distinct tokens seen.</summary>
    public int Count => _count;

    /// <summary>The id of <paramref name="token"/> (≥ 1), adding it if new.</summary>
    public int GetOrAdd(ReadOnlySpan<char> token)
    {
        int hash = Hash(token);
        int mask = _slots.Length - 1;
        int slot = hash & mask;
        while (true)
        {
            int id = _slots[slot];
            if (id == 0)
            {
                break;
            }

            if (_hashes[id] == hash && _arena.AsSpan(_starts[id], _lengths[id]).SequenceEqual(token))
            {
                return id;
            }

            slot = (slot + 1) & mask;
        }

        return Add(token, hash, slot);
    }

    private int Add(ReadOnlySpan<char> token, int hash, int slot)
    {
        int id = ++_count;
        if (id >= _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
            Array.Resize(ref _hashes, _hashes.Length * 2);
        }

        if (_arenaLength + token.Length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaLength + token.Length));
        }

        token.CopyTo(_arena.AsSpan(_arenaLength));
        _starts[id] = _arenaLength;
        _lengths[id] = token.Length;
        _hashes[id] = hash;
        _arenaLength += token.Length;
        _slots[slot] = id;
        if (_count * 2 > _slots.Length)
        {
            Grow();
        }

        return id;
    }

    private void Grow()
    {
        var slots = new int[_slots.Length * 2];
        int mask = slots.Length - 1;
        for (int id = 1; id <= _count; id++)
        {
            int slot = _hashes[id] & mask;
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            slots[slot] = id;
        }

        _slots = slots;
    }

    private static int Hash(ReadOnlySpan<char> token)
    {
        // FNV-1a over UTF-16 code units, then a final avalanche so linear probing spreads well.
        uint h = 2166136261;
        foreach (char c in token)
        {
            h = (h ^ c) * 16777619;
        }

        h ^= h >> 15;
        h *= 0x2c1b3c6d;
        h ^= h >> 12;
        return (int)(h & 0x7fffffff);
    }
}
