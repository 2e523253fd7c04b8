using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Metrics.Tests.Rouge;

public class LongestCommonSubsequenceTests
{
    [Fact]
    public void BacktrackReadsOutTheSameLcsAsRougeScore() // testLcsTable
    {
        int[] reference = [1, 2, 3, 4, 5];
        var marks = new bool[reference.Length];
        LongestCommonSubsequence.MarkBacktrackedLcs(reference, [2, 5, 3, 4], marks, new LcsWorkspace());
        Assert.Equal([false, true, true, true, false], marks); // indices [1, 2, 3]
        Assert.Equal(3, LongestCommonSubsequence.Length(reference, [2, 5, 3, 4]));

        marks = new bool[reference.Length];
        LongestCommonSubsequence.MarkBacktrackedLcs(reference, [8, 9], marks, new LcsWorkspace());
        Assert.DoesNotContain(true, marks);
        Assert.Equal(0, LongestCommonSubsequence.Length(reference, [8, 9]));
    }

    [Fact]
    public void UnionOfLcsMarksAcrossCandidates() // testUnionLcs
    {
        int[] reference = [1, 2, 3, 4, 5];
        var marks = new bool[reference.Length];
        var workspace = new LcsWorkspace();
        LongestCommonSubsequence.MarkBacktrackedLcs(reference, [1, 2, 6, 7, 8], marks, workspace);
        LongestCommonSubsequence.MarkBacktrackedLcs(reference, [1, 3, 8, 9, 5], marks, workspace);
        Assert.Equal([true, true, true, false, true], marks); // tokens [1, 2, 3, 5]
    }

    [Fact]
    public void BacktrackPrefersUpOnTies()
    {
        // ref "a b", can "b a": table ties at (2,2); rouge-score moves up (i-1) and reads out "a".
        var marks = new bool[2];
        LongestCommonSubsequence.MarkBacktrackedLcs([1, 2], [2, 1], marks, new LcsWorkspace());
        Assert.Equal([true, false], marks);
    }

    [Fact]
    public void BitParallelLengthEqualsDynamicProgramming()
    {
        var random = new Random(12345);
        for (var trial = 0; trial < 400; trial++)
        {
            var alphabet = random.Next(1, 12);
            var a = Enumerable.Range(0, random.Next(0, 300)).Select(_ => random.Next(alphabet)).ToArray();
            var b = Enumerable.Range(0, random.Next(0, 300)).Select(_ => random.Next(alphabet)).ToArray();
            Assert.Equal(LongestCommonSubsequence.LengthByDynamicProgramming(a, b), LongestCommonSubsequence.Length(a, b));
        }
    }

    [Fact]
    public void LengthOfLongIdenticalAndDisjointSequences()
    {
        var a = Enumerable.Range(0, 5000).Select(i => i % 7).ToArray();
        Assert.Equal(5000, LongestCommonSubsequence.Length(a, a));
        Assert.Equal(0, LongestCommonSubsequence.Length(a, [.. a.Select(x => x + 100)]));
    }
}
