using LlmTrack.Delivery;
using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Delivery;

/// <summary>
/// The per-thread metric lanes of the delivery queue: order per thread, link reuse, one thread on several runs, the
/// bound with several threads, ordered tags across threads, and ending a run while other threads log to it.
/// </summary>
public class MetricLaneTests
{
    [Fact]
    public async Task ManyLinksOfOneThreadArriveOnceInOrderWhileLinksAreReused()
    {
        // 300,000 points pass through about 300 links of 1024; emptied links come back to the writer.
        using var t = new TestTracker();
        await using var run = await t.Tracker.StartRunAsync();
        const int Points = 300_000;
        for (var i = 0; i < Points; i++)
        {
            run.LogMetric("m", i, step: i);
        }

        var report = await run.FlushAsync();
        Assert.Equal(new DeliveryCounters(Points, 0, Points, 0, 0, 0), report.Counters);
        var steps = t.Store.Batches.SelectMany(b => b.Metrics).Select(m => m.Step).ToList();
        Assert.Equal(Points, steps.Count);
        for (var i = 0; i < Points; i++)
        {
            Assert.Equal(i, steps[i]);
        }
    }

    [Fact]
    public async Task OneThreadAlternatingBetweenRunsKeepsEachRunsPointsApart()
    {
        using var t = new TestTracker();
        await using var first = await t.Tracker.StartRunAsync(runName: "first");
        await using var second = await t.Tracker.StartRunAsync(runName: "second");
        for (var i = 0; i < 5000; i++)
        {
            first.LogMetric("a", i, step: i);
            second.LogMetric("b", -i, step: i);
        }

        Assert.Equal(5000, (await first.FlushAsync()).Counters.Delivered);
        Assert.Equal(5000, (await second.FlushAsync()).Counters.Delivered);
        var a = t.Store.Run(first.RunId).History;
        var b = t.Store.Run(second.RunId).History;
        Assert.All(a, m => Assert.Equal("a", m.Key));
        Assert.All(b, m => Assert.Equal("b", m.Key));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), a.Select(m => m.Step));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)-i), b.Select(m => (long)m.Value));
    }

    [Fact]
    public async Task ATagSetOnAnotherThreadAfterwardsStillWins()
    {
        // Params and tags keep one order across threads: the value set later (after a join) is the one kept.
        using var t = new TestTracker();
        await using var run = await t.Tracker.StartRunAsync();
        for (var round = 0; round < 50; round++)
        {
            var first = new Thread(() => run.SetTag("stage", $"a{round}"));
            first.Start();
            first.Join();
            var second = new Thread(() => run.SetTag("stage", $"b{round}"));
            second.Start();
            second.Join();
        }

        await run.FlushAsync();
        Assert.Equal("b49", t.Store.SingleRun().Tags["stage"]);
    }

    [Fact]
    public async Task SeveralThreadsUnderATightBoundBlockButLoseNothing()
    {
        using var t = new TestTracker(o =>
        {
            o.Batching.MaxQueuedItems = 100;
            o.Batching.QueueFullPolicy = QueueFullPolicy.Block;
        });
        await using var run = await t.Tracker.StartRunAsync();
        const int PerThread = 3000;
        var threads = Enumerable.Range(0, 4).Select(thread => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                run.LogMetric($"t{thread}", i, step: i);
            }
        })).ToList();
        threads.ForEach(th => th.Start());

        // The writers wait for room; the fake clock's flush interval lets partial batches go out.
        while (threads.Exists(th => th.IsAlive))
        {
            t.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        var report = await run.FlushAsync();
        Assert.Equal(new DeliveryCounters(4 * PerThread, 0, 4 * PerThread, 0, 0, 0), report.Counters);
        foreach (var group in t.Store.SingleRun().History.GroupBy(m => m.Key))
        {
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => (long)i), group.Select(m => m.Step));
        }
    }

    [Fact]
    public async Task EndingARunWhileThreadsLogLosesNoAcceptedPoint()
    {
        // Every call either returns (and its point is delivered) or throws because the run ended: Logged == Sent.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var t = new TestTracker();
            var run = await t.Tracker.StartRunAsync();
            var accepted = new long[4];
            using var started = new CountdownEvent(4);
            var threads = Enumerable.Range(0, 4).Select(thread => new Thread(() =>
            {
                started.Signal();
                try
                {
                    for (var i = 0; ; i++)
                    {
                        run.LogMetric($"t{thread}", i, step: i);
                        accepted[thread]++;
                    }
                }
                catch (InvalidOperationException)
                {
                    // The run ended.
                }
            })).ToList();
            threads.ForEach(th => th.Start());
            started.Wait();
            await Task.Yield();
            var report = await run.EndAsync();
            threads.ForEach(th => th.Join());

            Assert.Equal(accepted.Sum(), report.Counters.Logged);
            Assert.Equal(report.Counters.Logged, report.Counters.Delivered);
            Assert.Equal(accepted.Sum(), t.Store.SingleRun().History.Count);
            await run.DisposeAsync();
        }
    }
}

/// <summary>The end-of-run handshake of a lane, driven step by step instead of by a race.</summary>
public class MetricLaneCloseTests
{
    [Fact]
    public async Task EndingWaitsForAWriterInsideACallAndDeliversWhatItPublishes()
    {
        var store = new InMemoryTrackingStore();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var snapshot = await store.CreateRunAsync("0", "r", 0, [], CancellationToken.None);
        var queue = new RunDeliveryQueue(store, snapshot.Info.RunId, new BatchingOptions(), time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.True(queue.EnqueueMetric(new Metric("m", 0, 1, 0)));
        var lane = Assert.Single(queue.Lanes);

        // The writer has raised Active and found the lane open, as a logging call does before it writes its point.
        Volatile.Write(ref lane.Active, 1);
        Assert.False(lane.Closed);
        var closing = Task.Run(queue.CloseAsync);

        // Wait (bounded) until the closer has marked the lane closed; a fixed window made this flaky on a busy machine.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!lane.Closed && !closing.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Yield();
        }

        Assert.True(lane.Closed);
        Assert.False(closing.IsCompleted); // the run cannot end while a writer is inside a call

        // The writer finishes its call: it writes and publishes its point, then leaves.
        lane.Tail.Points[lane.TailIndex++] = new Metric("m", 1, 2, 1);
        Volatile.Write(ref lane.Produced, lane.Produced + 1);
        Volatile.Write(ref lane.Active, 0);

        var report = await closing.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(new DeliveryCounters(2, 0, 2, 0, 0, 0), report.Counters);
        Assert.Equal([0L, 1L], store.SingleRun().History.Select(m => m.Step));
        Assert.Throws<InvalidOperationException>(() => queue.EnqueueMetric(new Metric("m", 2, 3, 2)));

        // The thread keeps this lane cached after the run: it holds neither the queue nor any points.
        Assert.Null(lane.Queue);
        Assert.Empty(lane.Tail.Points);
        Assert.Empty(lane.Head.Points);
    }

    [Fact]
    public async Task ABurstsLinksAreKeptWhileLoggingGoesOnAndTrimmedAfterThirtyIdleSeconds()
    {
        var store = new InMemoryTrackingStore();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var snapshot = await store.CreateRunAsync("0", "r", 0, [], CancellationToken.None);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeLogBatch = _ => gate.Task;
        var queue = new RunDeliveryQueue(store, snapshot.Info.RunId, new BatchingOptions(), time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        // The store holds the first batch, so 200,000 points pile up in about 200 links.
        for (var i = 0; i < 200_000; i++)
        {
            queue.EnqueueMetric(new Metric("m", i, 1, i));
        }

        gate.SetResult();
        var report = await queue.FlushAsync(null, CancellationToken.None);
        Assert.Equal(200_000, report.Counters.Delivered);
        Assert.True(queue.FreeSegmentCount > 150, $"{queue.FreeSegmentCount} links kept after the burst");

        for (var tick = 0; tick < 29; tick++)
        {
            time.Advance(new BatchingOptions().FlushInterval); // ticks with nothing waiting
        }

        Assert.True(queue.FreeSegmentCount > 150, "a short pause keeps the links");
        time.Advance(new BatchingOptions().FlushInterval); // 30 s idle
        Assert.InRange(queue.FreeSegmentCount, 0, 64);
        await queue.CloseAsync();
        Assert.Equal(0, queue.FreeSegmentCount);
    }
}
