using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Metrics.Tests.Rouge;

public class RougeTokenizerTests
{
    [Theory]
    [InlineData("The quick brown fox.", false, new[] { "the", "quick", "brown", "fox" })]
    [InlineData("l2encap.red - IPv6", false, new[] { "l2encap", "red", "ipv6" })]
    [InlineData("It's 3:45pm!", false, new[] { "it", "s", "3", "45pm" })]
    [InlineData("Café naïve", false, new[] { "caf", "na", "ve" })]        // non-ASCII letters separate tokens
    [InlineData("\u212Aelvin", false, new[] { "kelvin" })]                // Python lowercases KELVIN SIGN to 'k'
    [InlineData("\u0130stanbul", false, new[] { "i", "stanbul" })]        // U+0130 lowercases to 'i' + combining dot
    [InlineData("今天 天气", false, new string[0])]
    [InlineData("", false, new string[0])]
    [InlineData("running dogs ran", true, new[] { "run", "dog", "ran" })] // tokens of 3 characters are not stemmed
    [InlineData("dies flies", true, new[] { "die", "fli" })]
    [InlineData("line one\nline two", false, new[] { "line", "one", "line", "two" })]
    public void TokenizesAsRougeScore(string text, bool useStemmer, string[] expected) =>
        Assert.Equal(expected, RougeTokenizer.Tokenize(text, useStemmer));

    [Fact]
    public void LongTokensSpillOutOfTheStackBuffer()
    {
        var word = new string('a', 1000) + "b";
        Assert.Equal([word, "c"], RougeTokenizer.Tokenize(word.ToUpperInvariant() + " c", false));
    }
}
