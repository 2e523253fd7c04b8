using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmTrack.Metrics.Classification;

/// <summary>
/// First-seen ids of string labels under ordinal equality (the default for <see cref="string"/>), without a
/// <see cref="Dictionary{TKey, TValue}"/>: an open-addressing table with a cheap non-randomized hash, and a
/// reference-equality shortcut for the common case of repeated label instances. Ids are dense (0, 1, 2, …) in
/// order of first appearance, exactly as <see cref="LabelEncoder.FirstSeenId{TLabel}"/> assigns them.
/// </summary>
internal sealed class StringLabelTable
{
    private string?[] _keys = new string?[64];
    private int[] _ids = new int[64];
    private uint[] _hashes = new uint[64];

    /// <summary>The labels in order of first appearance.</summary>
    public List<string> Seen { get; } = [];

    /// <summary>The id of <paramref name="label"/>, adding it if new; a null label is rejected as <c>{name}[{index}]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IdOf(string label, int index, string name)
    {
        if (label is null)
        {
            throw new ArgumentException($"{name}[{index}] is null; labels must not be null.", name);
        }

        uint hash = Hash(label);
        int mask = _keys.Length - 1;
        int slot = (int)(hash & (uint)mask);
        while (true)
        {
            string? key = _keys[slot];
            if (key is null)
            {
                return Add(label, hash, slot);
            }

            if (ReferenceEquals(key, label) || (_hashes[slot] == hash && string.Equals(key, label, StringComparison.Ordinal)))
            {
                return _ids[slot];
            }

            slot = (slot + 1) & mask;
        }
    }

    private int Add(string label, uint hash, int slot)
    {
        int id = Seen.Count;
        Seen.Add(label);
        _keys[slot] = label;
        _ids[slot] = id;
        _hashes[slot] = hash;
        if (Seen.Count * 2 > _keys.Length)
        {
            Grow();
        }

        return id;
    }

    private void Grow()
    {
        var keys = new string?[_keys.Length * 2];
        var ids = new int[keys.Length];
        var hashes = new uint[keys.Length];
        int mask = keys.Length - 1;
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] is string key)
            {
                int slot = (int)(_hashes[i] & (uint)mask);
                while (keys[slot] is not null)
                {
                    slot = (slot + 1) & mask;
                }

                keys[slot] = key;
                ids[slot] = _ids[i];
                hashes[slot] = _hashes[i];
            }
        }

        _keys = keys;
        _ids = ids;
        _hashes = hashes;
    }

    // Every code unit enters the hash: labels of 4 to 16 code units are read as (overlapping) 4-unit blocks from
    // both ends, longer ones block by block, shorter ones unit by unit; multiply-rotate mixing, then a final avalanche
    // (the multiplications carry bits upwards only, so the table's low bits need it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(string label)
    {
        ReadOnlySpan<char> chars = label.AsSpan();
        int length = chars.Length;
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)length;
        ref byte start = ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(chars));
        if (length >= 4 && length <= 16)
        {
            ref byte last = ref Unsafe.Add(ref start, (length - 4) * sizeof(char));
            h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref start));
            h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref last));
            if (length > 8)
            {
                h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, 4 * sizeof(char))));
                h = Mix(h, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Subtract(ref last, 4 * sizeof(char))));
            }
        }
        else
        {
            ReadOnlySpan<ulong> blocks = MemoryMarshal.Cast<char, ulong>(chars);
            foreach (ulong block in blocks)
            {
                h = Mix(h, block);
            }

            for (int i = blocks.Length * 4; i < length; i++)
            {
                h = Mix(h, chars[i]);
            }
        }

        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 29;
        return (uint)h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h, ulong value) => BitOperations.RotateLeft((h ^ value) * 0xC2B2AE3D27D4EB4FUL, 31);
}
