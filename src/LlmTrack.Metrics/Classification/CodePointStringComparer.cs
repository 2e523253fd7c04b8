namespace LlmTrack.Metrics.Classification;

/// <summary>
/// Orders strings by Unicode code point, as NumPy sorts unicode arrays (UTF-32). Ordinal UTF-16 comparison differs
/// only for supplementary characters against U+E000..U+FFFF, which this comparer fixes up.
/// </summary>
internal sealed class CodePointStringComparer : IComparer<string>
{
    public static readonly CodePointStringComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a != b)
            {
                return Fix(a).CompareTo(Fix(b));
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    // Moves surrogates (D800..DFFF) above E000..FFFF so that code-unit order equals code-point order.
    private static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
