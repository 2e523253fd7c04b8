using LlmTrack.Metrics.Ter;

namespace LlmTrack.Metrics.Tests.Ter;

/// <summary>Cases of sacreBLEU's own test suite (test/test_ter.py, test/test_tokenizer_ter.py).</summary>
public class TerSacreBleuSuiteTests
{
    [Theory]
    [InlineData("aaaa bbbb cccc dddd", "aaaa bbbb cccc dddd", 0, 4)] // perfect match
    [InlineData("dddd eeee ffff", "aaaa bbbb cccc", 3, 3)] // no overlap
    [InlineData("", "a", 1, 1)] // empty hypothesis
    [InlineData("d e f g h a b c", "a b c d e f g h", 1, 8)] // a single shift fixes MT
    public void CorpusScoreOfSacreBleuCases(string hypothesis, string reference, int edits, double refLength)
    {
        var score = new TerScorer().CorpusScore([hypothesis], [[reference]]);

        Assert.Equal(edits, score.NumEdits);
        Assert.Equal(refLength, score.RefLength);
        Assert.Equal(100.0 * (edits / refLength), score.Score);
    }

    [Fact]
    public void RealisticWmtExampleScores13Point6()
    {
        string[] hypotheses =
        [
            "wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit das Bild ungefähr dieselbe Größe aufweist wie die andere Größe .",
            "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
            "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert \" und geben Sie Werte für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" ein .",
            "Sie können beispielsweise ein Dokument erstellen , das ein Auto über die Bühne enthält .",
            "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu . \"",
        ];
        string[] references =
        [
            "wählen Sie \" Bild neu berechnen , \" um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit die Darstellung des Bildes in einer anderen Größe beibehalten wird .",
            "wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option \" Alle Aufgaben aktualisieren . \"",
            "klicken Sie auf der Registerkarte \" Optionen \" auf die Schaltfläche \" Benutzerdefiniert \" und geben Sie für \" Fehlerkorrektur-Level \" und \" Y / X-Verhältnis \" niedrigere Werte ein .",
            "Sie können beispielsweise ein Dokument erstellen , das ein Auto enthalt , das sich über die Bühne bewegt .",
            "wählen Sie im Dialogfeld \" Neu aus Vorlage \" eine Vorlage aus und klicken Sie auf \" Neu . \"",
        ];

        var score = new TerScorer().CorpusScore(hypotheses, [references]);

        // sacreBLEU's test: |score - 13.6| < 1e-3; the reference length is 125 words.
        Assert.Equal(125.0, score.RefLength);
        Assert.Equal(17, score.NumEdits);
        Assert.True(Math.Abs(score.Score - 13.6) < 1e-3);
        Assert.Equal("TER = 13.60", score.Format());
    }

    [Theory]
    [InlineData("a b c d", "a b c d")]
    [InlineData("", "")]
    [InlineData("a b c d.", "a b c d.")]
    [InlineData("A B C D.", "a b c d.")]
    public void DefaultTokenizer(string input, string expected) =>
        Assert.Equal(expected, new TercomTokenizer(TerOptions.Default).Tokenize(input));

    [Theory]
    [InlineData("a b c d.", "a b c d")]
    [InlineData("A ; B ) C : D.", "a b c d")]
    public void NoPunctuationTokenizer(string input, string expected) =>
        Assert.Equal(expected, new TercomTokenizer(new TerOptions { NoPunctuation = true }).Tokenize(input));

    [Theory]
    [InlineData("a b (c) d.", "a b ( c ) d .")]
    [InlineData("Jim's car.", "jim 's car .")]
    [InlineData("4.2", "4.2")]
    public void NormalizedTokenizer(string input, string expected) =>
        Assert.Equal(expected, new TercomTokenizer(new TerOptions { Normalized = true }).Tokenize(input));

    [Theory]
    [InlineData("美众院公布对特", "美 众 院 公 布 对 特")] // Chinese
    [InlineData("りの拳銃を持", "りの 拳 銃 を 持")] // Japanese, first two characters are Hiragana
    public void AsianTokenizer(string input, string expected) =>
        Assert.Equal(expected, new TercomTokenizer(new TerOptions { Normalized = true, AsianSupport = true }).Tokenize(input));
}
