using LlmTrack.Metrics.Ter;

namespace LlmTrack.Metrics.Tests.Ter;

public class TerPythonCompatibilityTests
{
    [Fact]
    public void LoneSurrogatesAreKept() =>
        Assert.Equal(0, new TerScorer().SentenceScore("X\uD800 y", ["x\uD800 Y"]).NumEdits);

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
