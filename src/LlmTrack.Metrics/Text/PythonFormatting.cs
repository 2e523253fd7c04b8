using System.Globalization;
using System.Numerics;
using System.Text;

namespace LlmTrack.Metrics.Text;

/// <summary>Number formatting identical to Python's format specifications.</summary>
public static class PythonFormatting
{
    /// <summary>
    /// Python's <c>f"{value:.{decimals}f}"</c>: the exact binary value of the double rounded to
    /// <paramref name="decimals"/> places with round-half-to-even (ties only occur when the binary
    /// value is exactly halfway), as CPython's correctly rounded formatting does; .NET's own "F"
    /// format rounds exact ties away from zero.
    /// </summary>
    public static string FormatFixed(double value, int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        bool negative = double.IsNegative(value);
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponentBits = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        long mantissa;
        int exponent;
        if (exponentBits == 0)
        {
            mantissa = fraction;
            exponent = -1074;
        }
        else
        {
            mantissa = fraction | (1L << 52);
            exponent = exponentBits - 1075;
        }

        // value = mantissa * 2^exponent; scaled = value * 10^decimals, rounded half-even.
        BigInteger numerator = new BigInteger(mantissa) * BigInteger.Pow(10, decimals);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = numerator << exponent;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -exponent;
            BigInteger quotient = BigInteger.DivRem(numerator, denominator, out BigInteger remainder);
            int comparison = (remainder * 2).CompareTo(denominator);
            rounded = comparison > 0 || (comparison == 0 && !quotient.IsEven) ? quotient + 1 : quotient;
        }

        string digits = rounded.ToString(CultureInfo.InvariantCulture);
        if (digits.Length <= decimals)
        {
            digits = new string('0', decimals - digits.Length + 1) + digits;
        }

        var builder = new StringBuilder(digits.Length + 2);
        if (negative)
        {
            builder.Append('-');
        }

        builder.Append(digits, 0, digits.Length - decimals);
        if (decimals > 0)
        {
            builder.Append('.').Append(digits, digits.Length - decimals, decimals);
        }

        return builder.ToString();
    }
}
