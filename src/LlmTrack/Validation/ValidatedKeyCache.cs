using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace LlmTrack.Validation;

/// <summary>
/// Keys already found valid, so that logging the same key again costs a lookup, not a validation.
/// Validity does not depend on the run, so the cache is process-wide. A small direct-mapped table of
/// key references answers the common case (the same string instance every call) without hashing the
/// text; a bounded concurrent set answers equal strings built anew. Neither allocates on a hit.
/// </summary>
internal static class ValidatedKeyCache
{
    private const int RecentSlots = 256;
    private const int MaxKnownKeys = 16_384;

    private static readonly string?[] s_recent = new string?[RecentSlots];
    private static readonly ConcurrentDictionary<string, byte> s_known = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="key"/> was validated before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Contains(string key)
    {
        var slot = RuntimeHelpers.GetHashCode(key) & (RecentSlots - 1);
        if (ReferenceEquals(Volatile.Read(ref s_recent[slot]), key))
        {
            return true;
        }

        if (s_known.ContainsKey(key))
        {
            Volatile.Write(ref s_recent[slot], key);
            return true;
        }

        return false;
    }

    /// <summary>Remembers a valid key.</summary>
    public static void Add(string key)
    {
        if (s_known.Count < MaxKnownKeys)
        {
            s_known.TryAdd(key, 0);
        }

        Volatile.Write(ref s_recent[RuntimeHelpers.GetHashCode(key) & (RecentSlots - 1)], key);
    }
}
