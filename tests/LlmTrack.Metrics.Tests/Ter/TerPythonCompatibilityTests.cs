using LlmTrack.Metrics.Ter;

namespace LlmTrack.Metrics.Tests.Ter;

public class TerPythonCompatibilityTests
{
    [Theory]
    [InlineData(28.305785123966942, 2, "28.31")]
    [InlineData(0.125, 2, "0.12")] // exact tie: half to even
    [InlineData(0.375, 2, "0.38")]
    [InlineData(2.675, 2, "2.67")] // binary value is below the tie
    [InlineData(100.0, 2, "100.00")]
    [InlineData(0.0, 2, "0.00")]
    [InlineData(-0.0, 2, "-0.00")]
    [InlineData(12.5, 0, "12")]
    [InlineData(13.5, 0, "14")]
    [InlineData(5e-324, 2, "0.00")]
    [InlineData(1e22, 1, "10000000000000000000000.0")]
    [InlineData(double.NaN, 2, "nan")]
    [InlineData(double.PositiveInfinity, 2, "inf")]
    public void FormatsLikePython(double value, int decimals, string expected) =>
        Assert.Equal(expected, PythonFloatFormat.FormatFixed(value, decimals));

    [Theory]
    [InlineData("ΟΔΟΣ", "οδος")] // final sigma
    [InlineData("ΣΑ", "σα")]
    [InlineData("Σ", "σ")]
    [InlineData("ΑΣ.", "ας.")]
    [InlineData("ΑΣ'Α", "ασ'α")] // case-ignorable apostrophe, cased letter follows
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("ÄÖÜ ẞ", "äöü ß")]
    [InlineData("𐐀", "𐐨")] // astral (Deseret)
    [InlineData("plain ascii", "plain ascii")]
    public void LowercasesLikePython(string input, string expected) =>
        Assert.Equal(expected, PythonText.Lower(input));

    [Fact]
    public void LoneSurrogatesAreKept()
    {
        Assert.Equal("a\uD800b", PythonText.Lower("A\uD800B"));
        Assert.Equal("ας\uDC00", PythonText.Lower("ΑΣ\uDC00"));
        Assert.Equal(0, new TerMetric().SentenceScore("X\uD800 y", ["x\uD800 Y"]).NumEdits);
    }

    [Fact]
    public void SplitsOnPythonWhitespace()
    {
        Assert.Equal(["a", "b", "c", "d", "e"], PythonText.Split(" a\u001Cb\u00A0c\u3000d\u2003 e\n"));
        Assert.Empty(PythonText.Split(" \t "));
        Assert.Equal("a b", PythonText.RStrip("a b \u001F\t"));
        Assert.Equal("a\u200Bb", PythonText.CollapseWhitespace("a\u200Bb")); // zero-width space is not whitespace
    }

    [Theory]
    [InlineData(1, 2, 3, new[] { 0, 3, 4, 1, 2, 5 })] // target == start + length: Python's third slice case
    [InlineData(1, 2, 4, new[] { 0, 3, 1, 2, 4, 5 })]
    [InlineData(2, 2, 0, new[] { 2, 3, 0, 1, 4, 5 })]
    [InlineData(1, 2, 1, new[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(3, 2, 4, new[] { 0, 1, 2, 5, 3, 4 })] // slice past the end is clamped
    public void PerformsShiftsLikeSacreBleu(int start, int length, int target, int[] expected)
    {
        int[] words = [0, 1, 2, 3, 4, 5];
        var destination = new int[words.Length];

        TranslationEditRate.PerformShift(words, start, length, target, destination);

        Assert.Equal(expected, destination);
    }
}
