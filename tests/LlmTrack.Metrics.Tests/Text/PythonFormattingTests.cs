using LlmTrack.Metrics.Text;

namespace LlmTrack.Metrics.Tests.Text;

/// <summary>Expected strings are Python 3's <c>f"{value:.{decimals}f}"</c>.</summary>
public class PythonFormattingTests
{
    [Theory]
    [InlineData(28.305785123966942, 2, "28.31")]
    [InlineData(0.125, 2, "0.12")] // exact tie: half to even
    [InlineData(0.375, 2, "0.38")]
    [InlineData(2.675, 2, "2.67")] // binary value is below the tie
    [InlineData(12.25, 1, "12.2")]
    [InlineData(12.35, 1, "12.3")] // 12.35 is below the tie in binary
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(12.5, 0, "12")]
    [InlineData(13.5, 0, "14")]
    [InlineData(99.96, 1, "100.0")]
    [InlineData(100.0, 2, "100.00")]
    [InlineData(1.0, 2, "1.00")]
    [InlineData(0.0, 2, "0.00")]
    [InlineData(0.0, 3, "0.000")]
    [InlineData(-0.0, 2, "-0.00")]
    [InlineData(-0.001, 2, "-0.00")]
    [InlineData(-2.5, 0, "-2")]
    [InlineData(46.59687859655541, 2, "46.60")]
    [InlineData(5e-324, 2, "0.00")]
    [InlineData(1e22, 1, "10000000000000000000000.0")]
    [InlineData(0.5000000000000001, 0, "1")] // just above the tie
    [InlineData(1.4999999999999998, 0, "1")] // just below a tie
    [InlineData(double.NaN, 2, "nan")]
    [InlineData(double.PositiveInfinity, 2, "inf")]
    [InlineData(double.NegativeInfinity, 1, "-inf")]
    public void FormatsLikePython(double value, int decimals, string expected) =>
        Assert.Equal(expected, PythonFormatting.FormatFixed(value, decimals));

    [Fact]
    public void RefusesNegativeDecimals() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonFormatting.FormatFixed(1.0, -1));
}
