using System.Globalization;
using System.Numerics;
using System.Text;

namespace LlmTrack.Metrics.Ter;

/// <summary>
/// Python's <c>f"{value:.{decimals}f}"</c>: the exact binary value of the double rounded to
/// <c>decimals</c> places with round-half-to-even (ties only occur when the binary value is
/// exactly halfway), as CPython's correctly rounded formatting does.
/// </summary>
internal static class PythonFloatFormat
{
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

        var negative = double.IsNegative(value);
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xFFFFFFFFFFFFFL;
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
        var numerator = new BigInteger(mantissa) * BigInteger.Pow(10, decimals);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = numerator << exponent;
        }
        else
        {
            var denominator = BigInteger.One << -exponent;
            var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
            var comparison = (remainder * 2).CompareTo(denominator);
            rounded = comparison > 0 || (comparison == 0 && !quotient.IsEven) ? quotient + 1 : quotient;
        }

        var digits = rounded.ToString(CultureInfo.InvariantCulture);
        if (digits.Length <= decimals)
        {
            digits = new string('0', decimals - digits.Length + 1) + digits;
        }

        var sb = new StringBuilder(digits.Length + 2);
        if (negative)
        {
            sb.Append('-');
        }

        sb.Append(digits, 0, digits.Length - decimals);
        if (decimals > 0)
        {
            sb.Append('.').Append(digits, digits.Length - decimals, decimals);
        }

        return sb.ToString();
    }
}
