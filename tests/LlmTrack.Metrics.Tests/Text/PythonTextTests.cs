using LlmTrack.Metrics.Text;

namespace LlmTrack.Metrics.Tests.Text;

/// <summary>Expected values are the results of the same Python 3 <c>str</c> operations (CPython 3.11–3.13).</summary>
public class PythonTextTests
{
    [Theory]
    [InlineData("ABC def", "abc def")]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("ÀÉÎ", "àéî")]
    [InlineData("ÄÖÜ ẞ", "äöü ß")]
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("𐐀", "𐐨")] // astral (Deseret)
    [InlineData("\U00010400BC", "\U00010428bc")]
    [InlineData("ẞ ǅ Ꭰ Ⅻ Ⓐ", "ß ǆ ꭰ ⅻ ⓐ")]
    public void LowerLikePython(string text, string expected) => Assert.Equal(expected, PythonText.Lower(text));

    [Theory]
    [InlineData("ΟΔΟΣ", "οδος")]
    [InlineData("ΟΔΟΣ ΟΔΟΣ.", "οδο\u03c2 οδο\u03c2.")]
    [InlineData("ΣΑ", "σα")]
    [InlineData("Σ", "σ")]
    [InlineData("ΑΣΑ", "ασα")]
    [InlineData("ΑΣ.", "ας.")]
    [InlineData("ΑΣ'Α", "ασ'α")] // case-ignorable apostrophe, cased letter follows
    [InlineData("ΣΑΣ \U00010400Σ", "σα\u03c2 \U00010428\u03c2")]
    [InlineData("\u0391\u00b7\u03a3", "\u03b1\u00b7\u03c2")] // MIDDLE DOT is case-ignorable (MidLetter)
    [InlineData("\u0391\u0387\u03a3", "\u03b1\u0387\u03c2")] // GREEK ANO TELEIA (MidLetter)
    [InlineData("\u0391\u055f\u03a3", "\u03b1\u055f\u03c2")] // ARMENIAN ABBREVIATION MARK (MidLetter)
    [InlineData("\u0391\u05f4\u03a3", "\u03b1\u05f4\u03c2")] // HEBREW PUNCTUATION GERSHAYIM (MidLetter)
    [InlineData("\u0391\u03a3\u0387\u0391", "\u03b1\u03c3\u0387\u03b1")]
    [InlineData("\u0391\u02b0\u03a3", "\u03b1\u02b0\u03c2")] // modifier letter: cased but case-ignorable, skipped
    [InlineData("\u02b0\u03a3", "\u02b0\u03c3")]
    [InlineData("\u00aa\u03a3", "\u00aa\u03c2")] // ordinal indicators are cased (Other_Lowercase)
    [InlineData("\u00ba\u03a3 \u0391\u03a3\u00ba", "\u00ba\u03c2 \u03b1\u03c3\u00ba")]
    [InlineData("\u216b\u03a3", "\u217b\u03c2")] // Roman numerals (Other_Uppercase/Other_Lowercase)
    [InlineData("\u2170\u03a3", "\u2170\u03c2")]
    [InlineData("\u24b6\u03a3", "\u24d0\u03c2")] // circled letters
    [InlineData("\u24e9\u03a3", "\u24e9\u03c2")]
    [InlineData("\U0001f130\u03a3", "\U0001f130\u03c2")] // squared Latin capitals: cased, no case mapping
    [InlineData("\U0001f189\u03a3", "\U0001f189\u03c2")]
    [InlineData("\u0391\u03a3\U0001f150", "\u03b1\u03c3\U0001f150")]
    public void LowerAppliesFinalSigmaLikePython(string text, string expected) => Assert.Equal(expected, PythonText.Lower(text));

    [Fact]
    public void FinalSigma()
    {
        Assert.Equal('\u03c2', PythonText.Lower("ΟΔΟΣ")[3]);
        Assert.Equal('\u03c3', PythonText.Lower("ΑΣΑ")[1]);
        Assert.Equal("σ", PythonText.Lower("Σ"));
    }

    [Fact]
    public void LoneSurrogatesAreKept()
    {
        Assert.Equal("a\uD800b", PythonText.Lower("A\uD800B"));
        Assert.Equal("ας\uDC00", PythonText.Lower("ΑΣ\uDC00"));
    }

    [Fact]
    public void WhitespaceIncludesInformationSeparators()
    {
        Assert.True(PythonText.IsWhitespace('\u001c'));
        Assert.True(PythonText.IsWhitespace('\u001f'));
        Assert.True(PythonText.IsWhitespace('\u0085'));
        Assert.True(PythonText.IsWhitespace('\u00a0'));
        Assert.True(PythonText.IsWhitespace('\u2028'));
        Assert.True(PythonText.IsWhitespace('\u3000'));
        Assert.False(PythonText.IsWhitespace('\u200b'));
        Assert.False(PythonText.IsWhitespace('\u180e'));
        Assert.Equal("a", PythonText.RStrip("a \u001f\u2028"));
        Assert.Equal("a", PythonText.RStrip("a \u001f\u2028".AsSpan()).ToString());
        Assert.Equal("a b", PythonText.RStrip("a b \u001F\t"));
        Assert.Equal("a b", PythonText.Strip("\u3000 a b \u001F\t".AsSpan()).ToString());
        Assert.Equal(string.Empty, PythonText.Strip(" \t ".AsSpan()).ToString());
    }

    [Fact]
    public void RStripReturnsTheSameStringWhenNothingIsStripped()
    {
        const string text = "a b";
        Assert.Same(text, PythonText.RStrip(text));
    }

    [Fact]
    public void SplitsOnPythonWhitespace()
    {
        Assert.Equal(["a", "b", "c", "d", "e"], PythonText.Split(" a\u001Cb\u00A0c\u3000d\u2003 e\n"));
        Assert.Empty(PythonText.Split(" \t "));
        Assert.Empty(PythonText.Split(string.Empty));
        Assert.Equal("a\u200Bb", PythonText.CollapseWhitespace("a\u200Bb")); // zero-width space is not whitespace
        Assert.Equal("a b c", PythonText.CollapseWhitespace("\ta \u001e b\nc "));
        Assert.Equal("a b", PythonText.CollapseWhitespace("a\tb")); // same length, different text
    }

    [Fact]
    public void EnumeratesWordsWithTheirPositions()
    {
        var starts = new List<int>();
        var words = new List<string>();
        PythonWordEnumerator enumerator = PythonText.EnumerateWords("  ab\u00a0c \u2029 def ");
        while (enumerator.MoveNext())
        {
            starts.Add(enumerator.Start);
            words.Add(enumerator.Current.ToString());
        }

        Assert.Equal(["ab", "c", "def"], words);
        Assert.Equal([2, 5, 9], starts);
    }

    [Fact]
    public void CodePointsLikePython()
    {
        // Lone surrogates are built in code: xUnit's test-case serialization would replace them.
        Assert.Equal(0x1F600, PythonText.CodePointAt("a\U0001F600b", 1, out int length));
        Assert.Equal(2, length);
        Assert.Equal(0xD800, PythonText.CodePointAt("a\uD800b", 1, out length)); // lone high surrogate
        Assert.Equal(1, length);
        Assert.Equal(0xDC00, PythonText.CodePointAt("\uDC00", 0, out length)); // lone low surrogate
        Assert.Equal(1, length);
        Assert.Equal(0xD800, PythonText.CodePointAt("\uD800", 0, out length)); // high surrogate at the end
        Assert.Equal(1, length);
    }

    [Theory]
    [InlineData('a', true)]
    [InlineData('_', true)]
    [InlineData('7', true)]
    [InlineData('\u00b2', true)] // SUPERSCRIPT TWO (No): isdigit
    [InlineData('\u2170', true)] // SMALL ROMAN NUMERAL ONE (Nl): isnumeric
    [InlineData('\u02b0', true)] // MODIFIER LETTER SMALL H (Lm)
    [InlineData('\u4e00', true)] // CJK ideograph (Lo)
    [InlineData('\u0301', false)] // COMBINING ACUTE ACCENT (Mn)
    [InlineData('-', false)]
    [InlineData('\u00a0', false)]
    [InlineData('\u200b', false)] // ZERO WIDTH SPACE (Cf)
    public void WordCharactersLikePythonRe(char c, bool expected) => Assert.Equal(expected, PythonText.IsWordCharacter(c));

    [Fact]
    public void AstralAndSurrogateWordCharactersLikePythonRe()
    {
        Assert.True(PythonText.IsWordCharacter(0x10400)); // DESERET CAPITAL LONG I (Lu)
        Assert.True(PythonText.IsWordCharacter(0x1D7CE)); // MATHEMATICAL BOLD DIGIT ZERO (Nd)
        Assert.False(PythonText.IsWordCharacter(0x1F600)); // emoji (So)
        Assert.False(PythonText.IsWordCharacter(0xD800)); // lone surrogate (Cs)
    }
}
