using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    private Slot[] _slots = new Slot[1024]; // Id 0 = empty
    private Entry[] _entries = new Entry[512]; // by id
    private int _count;
    private const int ShortBits = 12;
    private readonly ShortEntry[] _short = new ShortEntry[1 << ShortBits];

    /// <summary>The number of distinct tokens seen.</summary>
    public int Count => _count;

    /// <summary>The id of <paramref name="token"/> (≥ 1), adding it if new.</summary>
    public int GetOrAdd(ReadOnlySpan<char> token)
    {
        // Tokens of 1 to 4 code units (most words and all punctuation) go through a direct-mapped cache keyed by
        // their packed code units and length, which decide equality on their own (a miss falls back to the table).
        int length = token.Length;
        if ((uint)(length - 1) < 4u)
        {
            ulong packed = Packed(token);
            ref ShortEntry entry = ref _short[(int)(((packed ^ (ulong)length) * 0x9E3779B97F4A7C15UL) >> (64 - ShortBits))];
            if (entry.Id != 0 && entry.Packed == packed && entry.Length == length)
            {
                return entry.Id;
            }

            int id = GetOrAddSlow(token);
            entry.Packed = packed;
            entry.Length = length;
            entry.Id = id;
            return id;
        }

        return GetOrAddSlow(token);
    }

    // The code units of a token of 1 to 4 code units, 16 bits each; with the length they identify the token.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Packed(ReadOnlySpan<char> token)
    {
        ulong packed = 0;
        for (int i = 0; i < token.Length; i++)
        {
            packed |= (ulong)token[i] << (16 * i);
        }

        return packed;
    }

    private int GetOrAddSlow(ReadOnlySpan<char> token)
    {
        int hash = Hash(token);
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        int index = hash & mask;
        while (true)
        {
            Slot slot = slots[index];
            if (slot.Id == 0)
            {
                break;
            }

            if (slot.Hash == hash)
            {
                Entry entry = _entries[slot.Id];
                if (_arena.AsSpan(entry.Start, entry.Length).SequenceEqual(token))
                {
                    return slot.Id;
                }
            }

            index = (index + 1) & mask;
        }

        return Add(token, hash, index);
    }

    private int Add(ReadOnlySpan<char> token, int hash, int index)
    {
        int id = ++_count;
        if (id >= _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        if (_arenaLength + token.Length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaLength + token.Length));
        }

        token.CopyTo(_arena.AsSpan(_arenaLength));
        _entries[id] = new Entry(_arenaLength, token.Length);
        _arenaLength += token.Length;
        _slots[index] = new Slot(id, hash);
        if (_count * 2 > _slots.Length)
        {
            Grow();
        }

        return id;
    }

    private void Grow()
    {
        var slots = new Slot[_slots.Length * 2];
        int mask = slots.Length - 1;
        foreach (Slot slot in _slots)
        {
            if (slot.Id == 0)
            {
                continue;
            }

            int index = slot.Hash & mask;
            while (slots[index].Id != 0)
            {
                index = (index + 1) & mask;
            }

            slots[index] = slot;
        }

        _slots = slots;
    }

    private static int Hash(ReadOnlySpan<char> token)
    {
        // Every code unit enters the hash: tokens of 4 to 16 code units are read as (overlapping) 4-unit
        // blocks from both ends, longer ones block by block, shorter ones unit by unit; multiply-rotate mixing
        // and a final avalanche (the multiplications carry bits upwards only; the table uses the low bits).
        int length = token.Length;
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)length;
        ref byte start = ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(token));
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
            ReadOnlySpan<ulong> blocks = MemoryMarshal.Cast<char, ulong>(token);
            foreach (ulong block in blocks)
            {
                h = Mix(h, block);
            }

            for (int i = blocks.Length * 4; i < length; i++)
            {
                h = Mix(h, token[i]);
            }
        }

        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 29;
        return (int)((uint)h & 0x7fffffff);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h, ulong value) => BitOperations.RotateLeft((h ^ value) * 0xC2B2AE3D27D4EB4FUL, 31);

    private readonly record struct Slot(int Id, int Hash);

    private readonly record struct Entry(int Start, int Length);

    private struct ShortEntry
    {
        public ulong Packed;
        public int Length;
        public int Id;
    }
}
