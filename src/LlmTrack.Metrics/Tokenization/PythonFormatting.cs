using System.Globalization;

namespace LlmTrack.Metrics.Tokenization;

/// <summary>Number formatting identical to Python's format specifications.</summary>
internal static class PythonFormatting
{
    /// <summary>
    /// Python's <c>f"{value:.{decimals}f}"</c>: the exact binary value rounded to
    /// <paramref name="decimals"/> places, ties to even (.NET rounds exact ties away from zero).
    /// </summary>
    public static string Fixed(double value, int decimals)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // .NET Core 3.0+ prints the exact decimal expansion for large precisions; 40 extra digits
        // are enough to tell an exact tie from a near tie for every double this is used on.
        string exact = value.ToString("F" + (decimals + 40).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        bool negative = exact[0] == '-';
        string digits = negative ? exact[1..] : exact;
        int point = digits.IndexOf('.', StringComparison.Ordinal);
        string integerPart = digits[..point];
        string fraction = digits[(point + 1)..];
        string kept = integerPart + fraction[..decimals];
        char next = fraction[decimals];
        bool restNonZero = fraction.AsSpan(decimals + 1).IndexOfAnyExcept('0') >= 0;
        bool roundUp = next > '5' || (next == '5' && (restNonZero || (kept[^1] - '0') % 2 == 1));
        char[] buffer = kept.ToCharArray();
        if (roundUp)
        {
            int i = buffer.Length - 1;
            while (i >= 0)
            {
                if (buffer[i] == '9')
                {
                    buffer[i] = '0';
                    i--;
                }
                else
                {
                    buffer[i]++;
                    break;
                }
            }

            if (i < 0)
            {
                buffer = ['1', .. buffer];
            }
        }

        string all = new(buffer);
        int integerLength = all.Length - decimals;
        string result = decimals == 0 ? all : all[..integerLength] + "." + all[integerLength..];
        return negative ? "-" + result : result;
    }
}
