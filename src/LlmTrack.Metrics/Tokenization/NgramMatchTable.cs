using System.Runtime.CompilerServices;

namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// A per-segment open-addressing table of n-grams packed into 128-bit keys (the caller packs ids or
/// code points so that different n-grams never share a key), counting how often each n-gram occurs
/// in the references (clipped to the maximum over references, as BLEU needs) and in the hypothesis.
/// <see cref="Reset"/> empties it in O(1) with a generation stamp.
/// </summary>
internal sealed class NgramMatchTable
{
    private Slot[] _slots = new Slot[1024];
    private int _mask = 1023;
    private int _generation = 1;

    /// <summary>
    /// Empties the table and makes room for at least <paramref name="entries"/> distinct keys. Only the first
    /// power of two of slots from four times that on is used (a load of at most 1/4 keeps linear probing short),
    /// so small segments stay within a few cache lines.
    /// </summary>
    public void Reset(int entries)
    {
        int needed = Math.Max(16, entries * 4);
        int size = 16;
        while (size < needed)
        {
            size *= 2;
        }

        _mask = size - 1;
        if (_slots.Length < size)
        {
            _slots = new Slot[size];
            _generation = 1;
            return;
        }

        if (++_generation == int.MaxValue)
        {
            Array.Clear(_slots);
            _generation = 1;
        }
    }

    /// <summary>
    /// Counts one occurrence of the key in reference number <paramref name="reference"/>; the key's
    /// reference count becomes the maximum over references of its count in one reference.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddReference(ulong low, ulong high, int reference)
    {
        ref Slot slot = ref Find(low, high);
        if (slot.ReferenceStamp != reference)
        {
            slot.ReferenceStamp = reference;
            slot.CurrentReferenceCount = 0;
        }

        int count = ++slot.CurrentReferenceCount;
        if (count > slot.ReferenceCount)
        {
            slot.ReferenceCount = count;
        }
    }

    /// <summary>Counts one hypothesis occurrence of the key; returns whether it is matched (clipped by the reference count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AddHypothesis(ulong low, ulong high)
    {
        ref Slot slot = ref Find(low, high);
        return ++slot.HypothesisCount <= slot.ReferenceCount;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot Find(ulong low, ulong high)
    {
        Slot[] slots = _slots;
        int mask = _mask;
        ulong h = (low * 0x9E3779B97F4A7C15UL) ^ ((high + 0x632BE59BD9B4E019UL) * 0xC2B2AE3D27D4EB4FUL);
        h ^= h >> 31;
        int index = (int)(h >> 20) & mask;
        int generation = _generation;
        while (true)
        {
            ref Slot slot = ref slots[index];
            if (slot.Generation != generation)
            {
                slot.Generation = generation;
                slot.Low = low;
                slot.High = high;
                slot.ReferenceCount = 0;
                slot.CurrentReferenceCount = 0;
                slot.ReferenceStamp = -1;
                slot.HypothesisCount = 0;
                return ref slot;
            }

            if (slot.Low == low && slot.High == high)
            {
                return ref slot;
            }

            index = (index + 1) & mask;
        }
    }

    private struct Slot
    {
        public ulong Low;
        public ulong High;
        public int Generation;
        public int ReferenceCount;
        public int CurrentReferenceCount;
        public int ReferenceStamp;
        public int HypothesisCount;
    }
}
