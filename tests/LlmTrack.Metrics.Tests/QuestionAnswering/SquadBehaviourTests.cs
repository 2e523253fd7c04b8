using LlmTrack.Metrics.QuestionAnswering;

namespace LlmTrack.Metrics.Tests.QuestionAnswering;

public class SquadBehaviourTests
{
    [Theory]
    [InlineData("The Cat!", "cat")]
    [InlineData("  an   apple,  a pear ", "apple pear")]
    [InlineData("theater anthem", "theater anthem")]
    [InlineData("the_cat", "thecat")]
    [InlineData("“had”", "“had”")]
    [InlineData("ΟΔΟΣ", "οδος")]
    [InlineData("İ", "i\u0307")]
    [InlineData("a\u00A0b\u3000the\u2003c", "b c")]
    [InlineData("x\u001Cy", "x y")]
    [InlineData("thé", "thé")]
    [InlineData("the\u0301", "\u0301")]
    [InlineData("ΣΑΣ.", "σας")]
    [InlineData("aΣ'b", "aσb")]
    [InlineData("\u2160\u03a3", "\u2170\u03c2")] // ROMAN NUMERAL ONE is Cased (Other_Uppercase): final sigma
    [InlineData("\u0391\u055f\u03a3", "\u03b1\u055f\u03c2")] // ARMENIAN ABBREVIATION MARK is case-ignorable
    [InlineData("the\u00b2 a\u2170", "the\u00b2 a\u2170")] // numbers of category No and Nl are word characters
    public void NormalizesLikePython(string input, string expected)
    {
        Assert.Equal(expected, SquadText.NormalizeAnswer(input));
    }

    [Fact]
    public void KeepsLoneSurrogatesLikePython()
    {
        // Built in code: xUnit's test-case serialization would replace lone surrogates.
        Assert.Equal("\uD800", SquadText.NormalizeAnswer("A\uD800 the"));
        Assert.Equal("x\uDC00y \u03b1\u03c2\uDC00", SquadText.NormalizeAnswer("X\uDC00Y \u0391\u03a3\uDC00"));
    }

    [Fact]
    public void V1AndV2DifferOnEmptyAnswers()
    {
        Assert.Equal(0.0, SquadMetrics.F1("the", "a"));
        Assert.Equal(1.0, SquadMetrics.F1V2("the", "a"));
        Assert.Equal(0.0, SquadMetrics.F1V2("", "cat"));
        Assert.True(SquadMetrics.ExactMatch("The cat.", "cat"));
    }

    [Fact]
    public void TokenF1CountsCommonTokensWithMultiplicity()
    {
        var f1 = SquadMetrics.F1("x x y z", "x y y");
        var precision = 2.0 / 4;
        var recall = 2.0 / 3;
        Assert.Equal(2 * precision * recall / (precision + recall), f1);
    }

    [Fact]
    public void V2HandlesUnanswerableQuestionsAndThreshold()
    {
        var examples = new[]
        {
            new SquadExample("", [], 0.9),
            new SquadExample("Paris", ["Paris", "the city of Paris"], 0.2),
            new SquadExample("Rome", [], 0.1),
            new SquadExample("London", ["Berlin"], 0.95),
            new SquadExample("", ["the"], 0.0),
        };
        var raw = SquadMetrics.EvaluateV2(examples);
        Assert.Equal(5, raw.Total);
        Assert.Equal(100.0 * 3 / 5, raw.Exact);
        Assert.Equal(3, raw.HasAnswer!.Total);
        Assert.Equal(2, raw.NoAnswer!.Total);
        Assert.Equal(100.0 * 2 / 3, raw.HasAnswer.Exact);
        Assert.Equal(100.0 * 1 / 2, raw.NoAnswer.Exact);

        var thresholded = SquadMetrics.EvaluateV2(examples, noAnswerThreshold: 0.5);
        Assert.Equal(new SquadExampleScore(1, 1), thresholded.Examples[0]);
        Assert.Equal(new SquadExampleScore(0, 0), thresholded.Examples[3]);
        Assert.Equal(100.0 * 3 / 5, thresholded.Exact);

        // find_best_thresh by hand: order by probability q4(0.0) q2(0.1) q1(0.2) q0(0.9) q3(0.95); start at the 2
        // unanswerable questions; q4 counts as answerable (its gold list is not empty) and scores 1 -> 3 (best, at 0.0);
        // q2 is unanswerable but answered -> 2; q1 +1 -> 3 (not better); q0 empty prediction +0; q3 +0. Best 3/5.
        Assert.Equal(new SquadV2BestThresholds(60.0, 0.0, 60.0, 0.0), raw.BestThresholds);
        var improving = SquadMetrics.EvaluateV2([new("Paris", ["Paris"], 0.3), new("x", [], 0.8)]);
        Assert.Equal(new SquadV2BestThresholds(100.0, 0.3, 100.0, 0.3), improving.BestThresholds);
    }

    [Fact]
    public void RejectsEmptyCorpusAndMissingGold()
    {
        var ex = Assert.Throws<ArgumentException>(() => SquadMetrics.EvaluateV1([]));
        Assert.Equal("examples", ex.ParamName);
        Assert.Throws<ArgumentException>(() => SquadMetrics.ScoreV1("x", []));
    }
}
