using LlmTrack.Delivery;
using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Delivery;

public class DeliveryTests
{
    [Fact]
    public async Task SendsAfterTheFlushIntervalNotBefore()
    {
        using var t = new TestTracker(o => o.Batching.FlushInterval = TimeSpan.FromSeconds(2));
        using var run = t.Tracker.StartRun();
        run.LogMetric("m", 1);
        t.Time.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Yield();
        Assert.Empty(t.Store.Batches);
        Assert.Equal(1, run.Counters.Pending);

        t.Time.Advance(TimeSpan.FromMilliseconds(1));
        await t.Store.WaitUntilAsync(s => s.Batches.Count == 1);
        await t.Store.WaitUntilAsync(_ => run.Counters.Delivered == 1);
        Assert.Equal(0, run.Counters.Pending);
    }

    [Fact]
    public async Task SendsWhenAFullBatchIsWaitingWithoutTheTimer()
    {
        using var t = new TestTracker(o => o.Batching.FlushInterval = TimeSpan.FromHours(1));
        using var run = t.Tracker.StartRun();
        for (var i = 0; i < BatchLimits.MaxItems; i++)
        {
            run.LogMetric("m", i, step: i);
        }

        await t.Store.WaitUntilAsync(s => s.Batches.Count == 1);
        Assert.Equal(1000, t.Store.Batches[0].Metrics.Count);
    }

    [Fact]
    public void SplitsIntoBatchesWithinEveryLimit()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        for (var i = 0; i < 2500; i++)
        {
            run.LogMetric("metric", i, step: i);
            if (i < 150)
            {
                run.LogParam($"p{i}", i.ToString());
            }

            if (i < 250)
            {
                run.SetTag($"t{i}", i.ToString());
            }
        }

        var report = run.Flush();
        Assert.True(report.IsSuccess);
        Assert.Equal(2900, report.Counters.Delivered);
        var batches = t.Store.Batches;
        Assert.All(batches, b =>
        {
            Assert.InRange(b.Metrics.Count, 0, BatchLimits.MaxMetrics);
            Assert.InRange(b.Params.Count, 0, BatchLimits.MaxParams);
            Assert.InRange(b.Tags.Count, 0, BatchLimits.MaxTags);
            Assert.InRange(b.Count, 1, BatchLimits.MaxItems);
        });
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (long)i), batches.SelectMany(b => b.Metrics).Select(m => m.Step));
        Assert.Equal(150, batches.SelectMany(b => b.Params).Select(p => p.Key).Distinct().Count());
        Assert.Equal(250, batches.SelectMany(b => b.Tags).Select(p => p.Key).Distinct().Count());
    }

    [Fact]
    public async Task FlushWaitsOnlyForValuesLoggedBeforeIt()
    {
        using var t = new TestTracker(o => o.Batching.FlushInterval = TimeSpan.FromHours(1));
        var secondBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batchesSeen = 0;
        t.Store.BeforeLogBatch = _ => Interlocked.Increment(ref batchesSeen) == 2 ? secondBatch.Task : Task.CompletedTask;
        await using var run = await t.Tracker.StartRunAsync();
        for (var i = 0; i < 1000; i++)
        {
            run.LogMetric("early", i, step: i);
        }

        var flush = run.FlushAsync();
        for (var i = 0; i < 500; i++)
        {
            run.LogMetric("late", i, step: i);
        }

        var report = await flush.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(report.IsSuccess);
        Assert.Contains(t.Store.SingleRun().History, m => m.Key == "early" && m.Step == 999);

        var second = run.FlushAsync();
        await Task.Yield();
        Assert.False(second.IsCompleted); // the late values are held by the store
        secondBatch.SetResult();
        await second;
        Assert.Equal(1500, t.Store.SingleRun().History.Count);
    }

    [Fact]
    public async Task FlushTimesOutWithTheTimeProvider()
    {
        using var t = new TestTracker();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.Store.BeforeLogBatch = _ => gate.Task;
        using var run = t.Tracker.StartRun();
        run.LogMetric("m", 1);
        var flush = run.FlushAsync(TimeSpan.FromSeconds(5));
        await t.Store.WaitUntilAsync(_ => !flush.IsCompleted); // started
        t.Time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<TimeoutException>(() => flush);
        gate.SetResult();
        Assert.True((await run.FlushAsync()).IsSuccess);
    }

    [Fact]
    public async Task BackgroundFailuresSurfaceFromFlushOnceAndNeverFromLogging()
    {
        using var t = new TestTracker();
        var fail = true;
        t.Store.BeforeLogBatch = _ => fail
            ? throw new MlflowException(MlflowErrorCode.Unavailable, "server down", 503)
            : Task.CompletedTask;
        using var run = t.Tracker.StartRun();
        for (var i = 0; i < 1500; i++)
        {
            run.LogMetric("m", i, step: i); // never throws although every send fails
        }

        var ex = await Assert.ThrowsAsync<DeliveryException>(() => run.FlushAsync());
        Assert.Equal(MlflowErrorCode.Unavailable, ex.ErrorCode);
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(1500, ex.Report.FailedCount);
        Assert.Equal(1500, ex.Report.Failures.Sum(f => f.Metrics.Count));
        Assert.Equal(1500, run.Counters.Failed);
        Assert.Equal(0, run.Counters.Retried); // transient errors are the store's to retry, not retried again
        Assert.True(run.Flush().IsSuccess); // each failure is reported once

        fail = false;
        run.LogMetric("m", 1, step: 5000);
        Assert.True(run.Flush().IsSuccess);
        Assert.Equal(1, run.Counters.Delivered);
    }

    [Fact]
    public async Task ARefusedValueIsIsolatedSoTheRestOfItsBatchIsStored()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        t.Store.Run(run.RunId).Params["lr"] = "0.1"; // set behind the client's back
        for (var i = 0; i < 10; i++)
        {
            run.LogMetric("m", i, step: i);
        }

        run.LogParam("lr", "0.2");
        run.SetTag("t", "v");
        var ex = await Assert.ThrowsAsync<DeliveryException>(() => run.FlushAsync());
        var failure = Assert.Single(ex.Report.Failures);
        Assert.Equal([new Param("lr", "0.2")], failure.Params);
        Assert.Empty(failure.Metrics);
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        var stored = t.Store.SingleRun();
        Assert.Equal(10, stored.History.Count);
        Assert.Equal("v", stored.Tags["t"]);
        Assert.Equal(new DeliveryCounters(12, 0, 11, run.Counters.Retried, 1, 0), run.Counters);
        Assert.True(run.Counters.Retried >= 12);
    }

    [Fact]
    public async Task TwoRefusedValuesInDifferentHalvesOfABatchCostOnlyThemselves()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        t.Store.Run(run.RunId).Params["p00"] = "old"; // set behind the client's back
        t.Store.Run(run.RunId).Params["p19"] = "old";
        for (var i = 0; i < 20; i++)
        {
            run.LogParam($"p{i:00}", "new");
        }

        var ex = await Assert.ThrowsAsync<DeliveryException>(() => run.FlushAsync());
        Assert.Equal(["p00", "p19"], ex.Report.Failures.SelectMany(f => f.Params).Select(p => p.Key).Order());
        var stored = t.Store.SingleRun();
        Assert.All(Enumerable.Range(1, 18), i => Assert.Equal("new", stored.Params[$"p{i:00}"]));
        Assert.Equal(2, run.Counters.Failed);
        Assert.Equal(18, run.Counters.Delivered);
    }

    [Fact]
    public void ABatchRefusedAsAWholeFailsWithoutEndlessSplitting()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        var calls = 0;
        t.Store.BeforeLogBatch = _ =>
        {
            Interlocked.Increment(ref calls);
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "run is deleted", 400);
        };
        for (var i = 0; i < 1000; i++)
        {
            run.LogMetric("m", i, step: i);
        }

        var ex = Assert.Throws<DeliveryException>(() => run.Flush());
        Assert.Equal(1000, ex.Report.FailedCount);
        Assert.Equal(3, calls);
    }

    [Fact]
    public void IdenticalNaNPointsInOneBatchAreSentOnce()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        run.LogMetric("loss", double.NaN);
        run.LogMetric("loss", double.NaN);
        run.LogMetric("loss", 1);
        run.LogMetric("loss", 1);
        var report = run.Flush();
        Assert.Equal(4, report.Counters.Delivered);
        var batch = Assert.Single(t.Store.Batches);
        Assert.Equal(3, batch.Metrics.Count);
        Assert.Equal(2, t.Store.SingleRun().History.Count); // the store keeps identical points once
    }

    [Fact]
    public void ATagSetTwiceKeepsTheLaterValue()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        run.SetTag("stage", "train");
        run.SetTag("stage", "eval");
        run.Flush();
        Assert.Equal(2, t.Store.Batches.Count);
        Assert.Equal("eval", t.Store.SingleRun().Tags["stage"]);
    }

    [Fact]
    public void ThrowPolicyRefusesAtTheCallWhenFull()
    {
        using var t = new TestTracker(o =>
        {
            o.Batching.MaxQueuedItems = 10;
            o.Batching.QueueFullPolicy = QueueFullPolicy.Throw;
        });
        using var run = t.Tracker.StartRun();
        for (var i = 0; i < 10; i++)
        {
            run.LogMetric("m", i, step: i);
        }

        Assert.Throws<InvalidOperationException>(() => run.LogMetric("m", 10, step: 10));
        Assert.Equal(10, run.Flush().Counters.Delivered);
        run.LogMetric("m", 10, step: 10); // room again
        Assert.Equal(11, run.Flush().Counters.Delivered);
    }

    [Fact]
    public void DropNewestPolicyCountsDroppedValues()
    {
        using var t = new TestTracker(o =>
        {
            o.Batching.MaxQueuedItems = 10;
            o.Batching.QueueFullPolicy = QueueFullPolicy.DropNewest;
        });
        using var run = t.Tracker.StartRun();
        for (var i = 0; i < 15; i++)
        {
            run.LogMetric("m", i, step: i);
        }

        run.LogParam("p", "dropped");
        var report = run.Flush();
        Assert.Equal(new DeliveryCounters(10, 0, 10, 0, 0, 6), report.Counters);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), t.Store.SingleRun().History.Select(m => m.Step));
        run.LogParam("p", "kept"); // a dropped param was never logged, so another value is fine
        run.Flush();
        Assert.Equal("kept", t.Store.SingleRun().Params["p"]);
    }

    [Fact]
    public async Task BlockPolicyWaitsForRoomAndLosesNothing()
    {
        using var t = new TestTracker(o =>
        {
            o.Batching.MaxQueuedItems = 10;
            o.Batching.QueueFullPolicy = QueueFullPolicy.Block;
        });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.Store.BeforeLogBatch = _ =>
        {
            entered.TrySetResult();
            return gate.Task;
        };
        using var run = t.Tracker.StartRun();
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 25; i++)
            {
                run.LogMetric("m", i, step: i);
            }
        });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var finishedEarly = await Task.WhenAny(writer, Task.Delay(100)) == writer;
        Assert.False(finishedEarly); // 10 values in flight, the queue is full: the writer waits
        Assert.InRange(run.Counters.Logged, 10, 20);
        gate.SetResult();
        await writer.WaitAsync(TimeSpan.FromSeconds(20));
        var report = await run.FlushAsync();
        Assert.Equal(new DeliveryCounters(25, 0, 25, 0, 0, 0), report.Counters);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), t.Store.SingleRun().History.Select(m => m.Step));
    }

    [Fact]
    public async Task EightThreadsTenThousandMetricsEachArriveOnceInOrder()
    {
        using var t = new TestTracker(o => o.Batching.MaxQueuedItems = 5000);
        await using var run = await t.Tracker.StartRunAsync();
        const int PerThread = 10_000;
        var threads = Enumerable.Range(0, 8).Select(thread => new Thread(() =>
        {
            var key = $"thread{thread}";
            for (var i = 0; i < PerThread; i++)
            {
                run.LogMetric(key, i, step: i);
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        var report = await run.FlushAsync();
        Assert.Equal(new DeliveryCounters(80_000, 0, 80_000, 0, 0, 0), report.Counters);
        var sent = t.Store.Batches.SelectMany(b => b.Metrics).ToList();
        Assert.Equal(80_000, sent.Count);
        foreach (var group in sent.GroupBy(m => m.Key))
        {
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => (long)i), group.Select(m => m.Step));
        }
    }

    [Fact]
    public async Task EndingWhileTheStoreIsUnreachableWaitsOutOneRequestNotOnePerBatchAndReportsEveryValueFailed()
    {
        using var t = new TestTracker();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        t.Store.BeforeLogBatch = async _ =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task;
            throw new MlflowException(MlflowErrorCode.Unavailable, "The MLflow tracking server could not be reached (simulated).");
        };
        var run = await t.Tracker.StartRunAsync();
        for (var i = 0; i < 5000; i++)
        {
            run.LogMetric("m", i, step: i);
        }

        // The sender holds the first batch at the gate; ending marks the run closing before it waits for the sender.
        await t.Store.WaitUntilAsync(_ => Volatile.Read(ref calls) == 1);
        var ending = run.EndAsync();
        gate.SetResult();
        var report = await ending;

        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(5000, report.Counters.Failed);
        Assert.Equal(0, report.Counters.Delivered);
        Assert.Equal(0, report.Counters.Pending);
        Assert.Equal(5000, report.FailedCount);
        Assert.False(report.IsFullyDelivered);
        Assert.All(report.Failures, f => Assert.Equal(MlflowErrorCode.Unavailable, Assert.IsType<MlflowException>(f.Error).ErrorCode));
    }
}
