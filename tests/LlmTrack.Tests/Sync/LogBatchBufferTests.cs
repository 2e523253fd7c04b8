using LlmTrack.Delivery;
using LlmTrack.Sync;

namespace LlmTrack.Tests.Sync;

public sealed class LogBatchBufferTests
{
    [Fact]
    public void BatchesStayWithinTheLimitsAndKeepEverythingInOrder()
    {
        var parameters = Enumerable.Range(0, 250).Select(i => new Param($"p{i}", "v")).ToList();
        var tags = Enumerable.Range(0, 150).Select(i => new Tag($"t{i}", "v")).ToList();
        var metrics = Enumerable.Range(0, 2500).Select(i => new Metric("m", i, i, i)).ToList();
        var buffer = new LogBatchBuffer(parameters, tags);
        var batches = new List<LogBatch>();

        foreach (var metric in metrics)
        {
            buffer.Add(metric);
            while (buffer.Take(final: false) is { } batch)
            {
                batches.Add(batch);
            }
        }

        Assert.True(batches.Count > 0, "full batches go out before the end");
        while (buffer.Take(final: true) is { } batch)
        {
            batches.Add(batch);
        }

        Assert.Null(buffer.Take(final: true));
        Assert.All(batches, b =>
        {
            Assert.InRange(b.Params.Count, 0, BatchLimits.MaxParams);
            Assert.InRange(b.Tags.Count, 0, BatchLimits.MaxTags);
            Assert.InRange(b.Metrics.Count, 0, BatchLimits.MaxMetrics);
            Assert.InRange(b.Params.Count + b.Tags.Count + b.Metrics.Count, 1, BatchLimits.MaxItems);
        });
        Assert.Equal(parameters, batches.SelectMany(b => b.Params));
        Assert.Equal(tags, batches.SelectMany(b => b.Tags));
        Assert.Equal(metrics, batches.SelectMany(b => b.Metrics));
        Assert.Equal(100, batches[0].Params.Count);
        Assert.Equal(100, batches[0].Tags.Count);
        Assert.Equal(800, batches[0].Metrics.Count);
    }

    [Fact]
    public void NothingToSendGivesNoBatch()
    {
        var buffer = new LogBatchBuffer([], []);
        Assert.Null(buffer.Take(final: false));
        Assert.Null(buffer.Take(final: true));
        buffer.Add(new Metric("m", 1, 1, 1));
        Assert.Null(buffer.Take(final: false));
        Assert.Single(buffer.Take(final: true)!.Metrics);
    }
}
