namespace LlmTrack.Metrics.Bootstrap;

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna), its state seeded from a 64-bit seed with SplitMix64. Pure integer arithmetic,
/// so a seed gives the same sequence on every platform and runtime. Bounded integers use Lemire's multiply-and-reject
/// method, which is unbiased.
/// </summary>
internal sealed class Xoshiro256StarStar
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Xoshiro256StarStar(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound)
    {
        var range = (uint)bound;
        var x = (uint)(NextUInt64() >> 32);
        var m = (ulong)x * range;
        var low = (uint)m;
        if (low < range)
        {
            var threshold = (0u - range) % range;
            while (low < threshold)
            {
                x = (uint)(NextUInt64() >> 32);
                m = (ulong)x * range;
                low = (uint)m;
            }
        }

        return (int)(m >> 32);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
