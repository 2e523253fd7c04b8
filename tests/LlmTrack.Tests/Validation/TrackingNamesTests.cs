using LlmTrack.Tests.Fakes;
using LlmTrack.Validation;

namespace LlmTrack.Tests.Validation;

public class TrackingNamesTests
{
    [Theory]
    [InlineData("loss")]
    [InlineData("eval/accuracy")]
    [InlineData("a.b-c d:e_f")]
    [InlineData("ünïcödé")]
    [InlineData("准确率")]
    [InlineData("x²")]
    [InlineData("a..")]
    [InlineData("a/..b")]
    public void AcceptsValidKeys(string key) => Assert.Null(TrackingNames.DescribeKeyProblem(key));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("../x", "resolve")]
    [InlineData("/x", "resolve")]
    [InlineData("x/", "resolve")]
    [InlineData("a//b", "resolve")]
    [InlineData(".", "resolve")]
    [InlineData("./x", "resolve")]
    [InlineData("a/./b", "resolve")]
    [InlineData("a/../b", "resolve")]
    [InlineData("..", "resolve")]
    [InlineData("..a", "resolve")] // MLflow refuses any name starting with ".."
    [InlineData("loss\n", "alphanumerics")]
    [InlineData("a+b", "alphanumerics")]
    [InlineData("a\tb", "alphanumerics")]
    [InlineData("e\u0301", "alphanumerics")] // a combining mark is not alphanumeric for Python
    [InlineData("price$", "alphanumerics")]
    public void RefusesInvalidKeys(string key, string ruleWord)
    {
        var problem = TrackingNames.DescribeKeyProblem(key);
        Assert.NotNull(problem);
        Assert.Contains(ruleWord, problem, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void KeyLengthCountsCodePoints()
    {
        Assert.Null(TrackingNames.DescribeKeyProblem(new string('a', 250)));
        Assert.Contains("250", TrackingNames.DescribeKeyProblem(new string('a', 251)));

        // U+1D7D8 MATHEMATICAL DOUBLE-STRUCK DIGIT ZERO is a decimal digit outside the BMP: two UTF-16 units, one character.
        var digit = char.ConvertFromUtf32(0x1D7D8);
        Assert.Null(TrackingNames.DescribeKeyProblem(string.Concat(Enumerable.Repeat(digit, 250))));
        Assert.NotNull(TrackingNames.DescribeKeyProblem(string.Concat(Enumerable.Repeat(digit, 251))));
    }

    [Theory]
    [InlineData("", ".")]
    [InlineData("a//b", "a/b")]
    [InlineData("//a", "//a")]
    [InlineData("///a", "/a")]
    [InlineData("a/../..", "..")]
    [InlineData("../x", "../x")]
    [InlineData("/..", "/")]
    [InlineData("a/./b/", "a/b")]
    [InlineData("../../a/../b", "../../b")]
    public void NormalizesLikePythonPosixpath(string path, string expected) =>
        Assert.Equal(expected, TrackingNames.NormalizePosixPath(path));

    [Fact]
    public void ValidationExceptionNamesKeyAndRule()
    {
        var ex = Assert.Throws<MlflowValidationException>(() => TrackingNames.ValidateKey("a//b", KeyKind.Metric));
        Assert.Equal("key", ex.ParamName);
        Assert.Equal("a//b", ex.Key);
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.Contains("metric key 'a//b'", ex.Message);
        Assert.IsAssignableFrom<ArgumentException>(ex);
    }

    [Fact]
    public void ValueLengthLimits()
    {
        TrackingNames.ValidateParamValue("p", new string('v', 6000));
        var param = Assert.Throws<MlflowValidationException>(() => TrackingNames.ValidateParamValue("p", new string('v', 6001)));
        Assert.Equal("value", param.ParamName);
        Assert.Contains("6000", param.Message);

        TrackingNames.ValidateTagValue("t", new string('v', 8000));
        var tag = Assert.Throws<MlflowValidationException>(() => TrackingNames.ValidateTagValue("t", new string('v', 8001)));
        Assert.Contains("8000", tag.Message);

        Assert.Throws<ArgumentNullException>(() => TrackingNames.ValidateTagValue("t", null!));
    }

    [Fact]
    public void RepeatedKeysAreCachedAndStillCorrect()
    {
        var key = "cached/" + Guid.NewGuid().ToString("N");
        TrackingNames.ValidateKey(key, KeyKind.Metric);
        Assert.True(ValidatedKeyCache.Contains(key));
        Assert.True(ValidatedKeyCache.Contains(new string(key.AsSpan()))); // an equal string built anew
        Assert.False(ValidatedKeyCache.Contains("never/validated/" + Guid.NewGuid().ToString("N")));
        Assert.Throws<MlflowValidationException>(() => TrackingNames.ValidateKey("../" + key, KeyKind.Metric));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../b")]
    [InlineData("/etc")]
    [InlineData("\\\\server\\share")]
    public void ArtifactPathsNeverEscapeTheRoot(string path)
    {
        Assert.ThrowsAny<ArgumentException>(() => ArtifactPaths.NormalizeFolder(path, "artifactPath"));
        Assert.ThrowsAny<ArgumentException>(() => ArtifactPaths.NormalizeFile(path + "/f.txt", "artifactFile"));
    }

    [Fact]
    public void ArtifactPathsAreNormalized()
    {
        Assert.Null(ArtifactPaths.NormalizeFolder(null, "p"));
        Assert.Null(ArtifactPaths.NormalizeFolder("./", "p"));
        Assert.Equal("plots/roc", ArtifactPaths.NormalizeFolder("plots\\roc/", "p"));
        Assert.Equal("a/b.txt", ArtifactPaths.NormalizeFile("./a//b.txt", "p"));
        Assert.Throws<ArgumentException>(() => ArtifactPaths.NormalizeFile("", "p"));
    }
}

public class CallSiteValidationTests
{
    [Fact]
    public void BadValuesThrowAtTheCallAndNeverCostTheOthers()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        run.LogMetric("good", 1);
        Assert.Throws<MlflowValidationException>(() => run.LogMetric("../bad", 2));
        Assert.Throws<MlflowValidationException>(() => run.LogMetric("", 2));
        Assert.Throws<MlflowValidationException>(() => run.LogParam("p", new string('x', 6001)));
        Assert.Throws<MlflowValidationException>(() => run.SetTag("t", new string('x', 8001)));
        Assert.Throws<MlflowValidationException>(() => run.SetTag("a//b", "v"));
        Assert.Throws<ArgumentNullException>(() => run.LogMetric(null!, 1));
        run.LogMetric("also/good", double.NaN);
        run.LogMetric("inf", double.PositiveInfinity, step: long.MaxValue);
        run.LogMetric("ninf", double.NegativeInfinity, step: long.MinValue);
        Assert.Equal(4, run.Counters.Logged);

        var report = run.Flush();
        Assert.True(report.IsSuccess);
        var stored = t.Store.SingleRun().History;
        Assert.Equal(["good", "also/good", "inf", "ninf"], stored.Select(m => m.Key));
        Assert.True(double.IsNaN(stored[1].Value));
        Assert.Equal(long.MaxValue, stored[2].Step);
    }

    [Fact]
    public void ChangingAParamIsRefusedAtTheCall()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        run.LogParam("lr", "0.01");
        run.LogParam("lr", "0.01"); // same value: a no-op, not sent twice
        var ex = Assert.Throws<MlflowValidationException>(() => run.LogParam("lr", "0.02"));
        Assert.Contains("Changing param values is not allowed", ex.Message);
        Assert.Equal("lr", ex.Key);
        run.Flush();
        Assert.Equal(1, t.Store.Batches.Sum(b => b.Params.Count));
        Assert.Equal("0.01", t.Store.SingleRun().Params["lr"]);
        Assert.Equal(1, run.Counters.Logged);
    }

    [Fact]
    public void PluralFormsValidateEverythingFirst()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        run.LogParam("a", "1");
        Assert.Throws<MlflowValidationException>(() => run.LogParams(new Dictionary<string, string> { ["b"] = "2", ["a"] = "changed" }));
        Assert.Throws<MlflowValidationException>(() => run.LogMetrics(new Dictionary<string, double> { ["m"] = 1, ["/bad"] = 2 }));
        Assert.Throws<MlflowValidationException>(() => run.SetTags(new Dictionary<string, string> { ["t"] = "1", ["x/"] = "2" }));
        Assert.Equal(1, run.Counters.Logged);

        run.LogParams(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        run.LogMetrics(new Dictionary<string, double> { ["m1"] = 1, ["m2"] = 2 }, step: 3);
        run.SetTags([new("t1", "x"), new("t2", "y")]);
        run.Flush();
        var stored = t.Store.SingleRun();
        Assert.Equal("2", stored.Params["b"]);
        Assert.All(stored.History, m => Assert.Equal(3, m.Step));
        Assert.Equal(stored.History[0].Timestamp, stored.History[1].Timestamp);
        Assert.Equal("y", stored.Tags["t2"]);
    }

    [Fact]
    public void TimestampIsTakenAtTheCall()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        var before = t.NowMs;
        run.LogMetric("m", 1);
        t.Time.Advance(TimeSpan.FromMilliseconds(1500));
        run.LogMetric("m", 2, step: 1);
        run.LogMetric("m", 3, step: 2, timestamp: TestTracker.Start.AddDays(-1));
        run.Flush();
        var history = t.Store.SingleRun().History;
        Assert.Equal(before, history[0].Timestamp);
        Assert.Equal(before + 1500, history[1].Timestamp);
        Assert.Equal(TestTracker.Start.AddDays(-1).ToUnixTimeMilliseconds(), history[2].Timestamp);
    }
}
