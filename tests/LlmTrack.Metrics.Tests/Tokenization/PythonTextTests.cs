using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Tests.Tokenization;

public class PythonTextTests
{
    [Theory]
    [InlineData(0.125, 2, "0.12")]
    [InlineData(0.375, 2, "0.38")]
    [InlineData(12.25, 1, "12.2")]
    [InlineData(12.35, 1, "12.3")] // 12.35 is below the tie in binary
    [InlineData(2.5, 0, "2")]
    [InlineData(3.5, 0, "4")]
    [InlineData(99.96, 1, "100.0")]
    [InlineData(0.0, 3, "0.000")]
    [InlineData(46.59687859655541, 2, "46.60")]
    [InlineData(1.0, 2, "1.00")]
    public void FixedFormattingRoundsLikePython(double value, int decimals, string expected) =>
        Assert.Equal(expected, PythonFormatting.Fixed(value, decimals));

    [Theory]
    [InlineData("ABC def", "abc def")]
    [InlineData("ÀÉÎ", "àéî")]
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("ΟΔΟΣ ΟΔΟΣ.", "οδο\u03c2 οδο\u03c2.")]
    [InlineData("Σ", "σ")]
    [InlineData("ΑΣΑ", "ασα")]
    [InlineData("ΑΣ'Α", "ασ'α")]
    [InlineData("\U00010400BC", "\U00010428bc")]
    [InlineData("ẞ ǅ Ꭰ Ⅻ Ⓐ", "ß ǆ ꭰ ⅻ ⓐ")]
    [InlineData("ΣΑΣ \U00010400Σ", "σα\u03c2 \U00010428\u03c2")]
    public void LowerLikePython(string text, string expected) => Assert.Equal(expected, PythonText.Lower(text));

    [Fact]
    public void FinalSigma()
    {
        Assert.Equal('\u03c2', PythonText.Lower("ΟΔΟΣ")[3]);
        Assert.Equal('\u03c3', PythonText.Lower("ΑΣΑ")[1]);
        Assert.Equal("σ", PythonText.Lower("Σ"));
    }

    [Fact]
    public void WhitespaceIncludesInformationSeparators()
    {
        Assert.True(PythonText.IsWhitespace('\u001c'));
        Assert.True(PythonText.IsWhitespace('\u00a0'));
        Assert.True(PythonText.IsWhitespace('\u3000'));
        Assert.False(PythonText.IsWhitespace('\u200b'));
        Assert.Equal("a", PythonText.RStrip("a \u001f\u2028").ToString());
    }
}
