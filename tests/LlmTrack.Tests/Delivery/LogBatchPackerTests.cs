using LlmTrack.Delivery;

namespace LlmTrack.Tests.Delivery;

/// <summary>The packing rules of one <c>runs/log-batch</c> request, without a store.</summary>
public class LogBatchPackerTests
{
    [Fact]
    public void ParamsTagsAndPointsStopAtTheirLimits()
    {
        var packer = new LogBatchPacker(dropRepeatedNaNPoints: true);
        for (var i = 0; i < BatchLimits.MaxParams; i++)
        {
            Assert.True(packer.TryAdd(new Param($"p{i}", "v")));
        }

        Assert.False(packer.TryAdd(new Param("one-too-many", "v")));
        for (var i = 0; i < BatchLimits.MaxTags; i++)
        {
            Assert.True(packer.TryAdd(new Tag($"t{i}", "v")));
        }

        Assert.False(packer.TryAdd(new Tag("one-too-many", "v")));
        Assert.Equal(BatchLimits.MaxItems - 200, packer.MetricRoom);

        var points = Enumerable.Range(0, 1000).Select(i => new Metric("m", i, 1, i)).ToArray();
        Assert.Equal(800, packer.AddMetrics(points, out var dropped));
        Assert.Equal(0, dropped);
        Assert.Equal(0, packer.AddMetrics(points.AsSpan(800), out _));
        Assert.Equal(BatchLimits.MaxItems, packer.Count);
        Assert.Equal(points.Take(800), packer.Metrics);

        packer.Clear();
        Assert.Equal(0, packer.Count);
        Assert.Equal(BatchLimits.MaxMetrics, packer.MetricRoom);
    }

    [Fact]
    public void AFullBatchOfItemsRefusesParamsAndTagsToo()
    {
        var packer = new LogBatchPacker(dropRepeatedNaNPoints: true);
        var points = Enumerable.Range(0, 1000).Select(i => new Metric("m", i, 1, i)).ToArray();
        Assert.Equal(1000, packer.AddMetrics(points, out _));

        Assert.False(packer.TryAdd(new Param("p", "v")));
        Assert.False(packer.TryAdd(new Tag("t", "v")));
    }

    [Fact]
    public void ATagKeyAlreadyInTheBatchIsRefusedSoTheLaterValueGoesInTheNextOne()
    {
        var packer = new LogBatchPacker(dropRepeatedNaNPoints: true);
        Assert.True(packer.TryAdd(new Tag("stage", "a")));
        Assert.True(packer.TryAdd(new Tag("other", "x")));
        Assert.False(packer.TryAdd(new Tag("stage", "b")));

        packer.Clear();
        Assert.True(packer.TryAdd(new Tag("stage", "b")));
        Assert.Equal([new Tag("stage", "b")], packer.Tags);
    }

    [Fact]
    public void ARepeatedNaNPointIsDroppedWithinOneBatchOnly()
    {
        var packer = new LogBatchPacker(dropRepeatedNaNPoints: true);
        Metric[] points =
        [
            new("m", 1, 10, 0), new("m", double.NaN, 10, 1), new("m", double.NaN, 10, 1), new("m", 2, 10, 2),
            new("m", double.NaN, 11, 1), new("n", double.NaN, 10, 1), new("m", double.NaN, 10, 1),
        ];

        Assert.Equal(points.Length, packer.AddMetrics(points, out var dropped));

        Assert.Equal(2, dropped);
        Assert.Equal([points[0], points[1], points[3], points[4], points[5]], packer.Metrics);

        // The next batch may hold the same point again.
        packer.Clear();
        Assert.Equal(1, packer.AddMetrics(points.AsSpan(1, 1), out dropped));
        Assert.Equal(0, dropped);
        Assert.Single(packer.Metrics);
    }

    [Fact]
    public void WithoutTheNaNRuleEveryPointIsKept()
    {
        var packer = new LogBatchPacker(dropRepeatedNaNPoints: false);
        Metric[] points = [new("m", double.NaN, 10, 1), new("m", double.NaN, 10, 1)];

        Assert.Equal(2, packer.AddMetrics(points, out var dropped));

        Assert.Equal(0, dropped);
        Assert.Equal(points, packer.Metrics);
    }

    [Fact]
    public void ADroppedNaNPointTakesNoRoom()
    {
        var packer = new LogBatchPacker(dropRepeatedNaNPoints: true);
        var points = Enumerable.Range(0, 999).Select(i => new Metric("m", i, 1, i)).Append(new Metric("m", double.NaN, 1, -1)).ToArray();
        Assert.Equal(1000, packer.AddMetrics(points, out _));

        // Full: nothing more is consumed, not even a repeat that would be dropped.
        Assert.Equal(0, packer.AddMetrics([new Metric("m", double.NaN, 1, -1)], out var dropped));
        Assert.Equal(0, dropped);

        // With room for two, a NaN point, its repeat (dropped) and one more point all go in.
        packer.Clear();
        Assert.Equal(998, packer.AddMetrics(points.AsSpan(0, 998), out _));
        Assert.Equal(3, packer.AddMetrics([new Metric("m", double.NaN, 1, -1), new Metric("m", double.NaN, 1, -1), new Metric("m", 5, 1, -2)], out dropped));
        Assert.Equal(1, dropped);
        Assert.Equal(1000, packer.Count);
    }
}
