using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using LlmTrack.Rest;
using LlmTrack.Stores;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Rest;

/// <summary>
/// Reconciling an ambiguous log-batch reads only the batch's steps (<c>metrics/get-history-bulk-interval</c>, never a
/// sampled window), whatever the size of the run's history; servers without the route fall back to get-history.
/// </summary>
public sealed class BulkIntervalReconciliationTests
{
    private const string RunId = "b8a2fb19aa45464f8b8145de7cbe6a0f";
    private const long Ts = 1700000000000;

    private static MlflowRestStore NewStore(HttpMessageHandler handler, out HttpClient client)
    {
        var options = new LlmTrackOptions { TrackingUri = "http://127.0.0.1:5000" };
        options.Http.MaxRetries = 25;
        options.Http.BackoffFactor = 0;
        options.Http.BackoffJitter = 0;
        client = new HttpClient(handler);
        return new MlflowRestStore(client, options);
    }

    private static FaultInjectingHandler LoseEveryLogBatch() => new()
    {
        Plan = (r, _) => r.RequestUri!.AbsolutePath.EndsWith("runs/log-batch", StringComparison.Ordinal) ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None,
    };

    private static string Point(string key, string value, long ts, long step) =>
        $$"""{"key":"{{key}}","value":{{value}},"timestamp":{{ts}},"step":{{step}},"run_id":"{{RunId}}"}""";

    [Fact]
    public async Task LostAnswerLongHistoryReadsOnlyTheBatchSteps()
    {
        // 10 keys × 5000 stored steps; the next batch (10 keys × 100 steps) is committed and its answer lost.
        var server = new FakeMlflowServer(false, new Random(1)) { NoFaults = true, LoseAnswers = 1 };
        for (var step = 0; step < 5000; step++)
        {
            for (var k = 0; k < 10; k++)
            {
                server.Stored.Add(new Metric("k" + k, step * 0.5, Ts + step, step));
            }
        }

        using var store = NewStore(server, out var client);
        using var _ = client;
        var batch = new List<Metric>();
        for (var step = 5000; step < 5100; step++)
        {
            for (var k = 0; k < 10; k++)
            {
                batch.Add(new Metric("k" + k, k == 3 && step == 5050 ? double.NaN : step * 0.5, Ts + step, step));
            }
        }

        await store.LogBatchAsync(RunId, batch, [], [], CancellationToken.None);

        Assert.Equal(1, server.LostResponses);
        Assert.Equal(0, server.FullHistoryReads);
        Assert.Equal(10, server.RangeReads.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(k => "k" + k).Order(), server.RangeReads.Select(r => r.Key).Order());
        Assert.All(server.RangeReads, r => Assert.Equal((5000L, 5099L), (r.Start, r.End)));
        Assert.Equal(1000, server.RangePointsServed); // what the batch committed, nothing of the older history
        Assert.Equal(51_000, server.Stored.Count);
        Assert.Equal(1, store.Counters.ReconciledBatches);
    }

    [Fact]
    public async Task ConnectionLostBeforeTheServerGotItOneReadOfTheFirstKeyShowsNothingWasStored()
    {
        var server = new FakeMlflowServer(false, new Random(1)) { NoFaults = true };
        using var lost = new LoseFirstLogBatchUnsent(server);
        using var store = NewStore(lost, out var client);
        using var _ = client;
        var batch = Enumerable.Range(0, 100).SelectMany(step => Enumerable.Range(0, 10).Select(k => new Metric("k" + k, step, Ts + step, step))).ToList();

        await store.LogBatchAsync(RunId, batch, [], [], CancellationToken.None);

        Assert.Equal(1, lost.Lost);
        var read = Assert.Single(server.RangeReads);
        Assert.Equal(("k0", 0L, 99L), read);
        Assert.Equal(1000, server.Stored.Count);
        Assert.Equal(1000, server.Stored.Distinct().Count());
    }

    [Fact]
    public async Task ConnectionLostThePointsOfTheFirstKeyWereLoggedBeforeEveryKeyIsReadAndOnlyTheMissingAreSent()
    {
        // The batch repeats points of "k0" stored by an earlier batch, so the first key alone cannot tell whether the
        // lost attempt was stored: every key is read, and the attempt (which stored nothing) is sent without "k0".
        var server = new FakeMlflowServer(false, new Random(1)) { NoFaults = true };
        for (var step = 0; step < 10; step++)
        {
            server.Stored.Add(new Metric("k0", step, Ts + step, step));
        }

        using var lost = new LoseFirstLogBatchUnsent(server);
        using var store = NewStore(lost, out var client);
        using var _ = client;
        var batch = Enumerable.Range(0, 10).SelectMany(step => Enumerable.Range(0, 3).Select(k => new Metric("k" + k, step, Ts + step, step))).ToList();

        await store.LogBatchAsync(RunId, batch, [], [], CancellationToken.None);

        Assert.Equal(3, server.RangeReads.Count);
        Assert.Equal(30, server.Stored.Count);
        Assert.Equal(30, server.Stored.Distinct().Count());
    }

    /// <summary>Drops the first log-batch on the way to the server (the client sees the connection reset after sending).</summary>
    private sealed class LoseFirstLogBatchUnsent(HttpMessageHandler server) : DelegatingHandler(server)
    {
        public int Lost { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Lost == 0 && request.RequestUri!.AbsolutePath.EndsWith("runs/log-batch", StringComparison.Ordinal))
            {
                Lost++;
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection was reset (simulated).", new IOException("reset"));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task LostAnswerWideSparseBatchOneWindowPerClusterOfSteps()
    {
        var server = new FakeMlflowServer(false, new Random(1)) { NoFaults = true, LoseAnswers = 1 };
        for (var step = 0; step < 3000; step++)
        {
            server.Stored.Add(new Metric("m", step, Ts + step, step));
        }

        using var store = NewStore(server, out var client);
        using var _ = client;
        long[] steps = [10_000, 10_100, 10_356, 15_000, 15_001, 900_000, 900_257, long.MaxValue];
        var batch = steps.Select((s, i) => new Metric("m", i, Ts + i, s)).ToList();

        await store.LogBatchAsync(RunId, batch, [], [], CancellationToken.None);

        Assert.Equal(
            [("m", 10_000L, 10_356L), ("m", 15_000L, 15_001L), ("m", 900_000L, 900_000L), ("m", 900_257L, 900_257L), ("m", long.MaxValue, long.MaxValue)],
            server.RangeReads);
        Assert.Equal(0, server.FullHistoryReads);
        Assert.Equal(8, server.RangePointsServed);
        Assert.Equal(3008, server.Stored.Count);
    }

    [Fact]
    public void PlanWindowsBoundsWidthAndGapsWithoutOverflow()
    {
        Assert.Equal(
            [new StepWindow(0, 2499), new StepWindow(2500, 2600)],
            MetricReconciler.PlanWindows(Enumerable.Range(0, 2601).Select(i => (long)i)));
        Assert.Equal([new StepWindow(5, 5 + MetricReconciler.MaxGap)], MetricReconciler.PlanWindows([5 + MetricReconciler.MaxGap, 5, 5]));
        Assert.Equal([new StepWindow(5, 5), new StepWindow(6 + MetricReconciler.MaxGap, 6 + MetricReconciler.MaxGap)], MetricReconciler.PlanWindows([5, 6 + MetricReconciler.MaxGap]));
        Assert.Equal([new StepWindow(long.MinValue, long.MinValue), new StepWindow(-1, 0), new StepWindow(long.MaxValue, long.MaxValue)], MetricReconciler.PlanWindows([long.MaxValue, 0, long.MinValue, -1]));
        Assert.Empty(MetricReconciler.PlanWindows([]));
    }

    [Fact]
    public void MetricPointKeyMatchesWhatTheSqlStoreKeeps()
    {
        var otherNaN = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234);
        Assert.True(double.IsNaN(otherNaN));
        Assert.Equal(MetricPointKey.Of(1, 2, double.NaN), MetricPointKey.Of(1, 2, otherNaN));
        Assert.Equal(MetricPointKey.Of(1, 2, double.NaN), MetricPointKey.Of(1, 2, -double.NaN));
        Assert.Equal(MetricPointKey.Of(1, 2, double.PositiveInfinity), MetricPointKey.Of(1, 2, double.MaxValue));
        Assert.Equal(MetricPointKey.Of(1, 2, double.NegativeInfinity), MetricPointKey.Of(1, 2, double.MinValue));
        Assert.Equal(MetricPointKey.Of(1, 2, -0.0), MetricPointKey.Of(1, 2, 0.0));
        Assert.NotEqual(MetricPointKey.Of(1, 2, double.PositiveInfinity), MetricPointKey.Of(1, 2, double.NegativeInfinity));
        Assert.NotEqual(MetricPointKey.Of(1, 2, double.NaN), MetricPointKey.Of(1, 2, 0.0));
        Assert.NotEqual(MetricPointKey.Of(1, 2, 1.0), MetricPointKey.Of(1, 3, 1.0));
        Assert.NotEqual(MetricPointKey.Of(1, 2, 1.0), MetricPointKey.Of(2, 2, 1.0));
        Assert.Equal(MetricPointKey.Of(new Metric("a", double.NaN, 2, 1)), MetricPointKey.Of(new Metric("b", otherNaN, 2, 1)));
    }

    [Fact]
    public async Task LostAnswerNaNInfinitiesAndNegativeZeroAsTheServerReturnsThemCountAsStored()
    {
        using var mlflow = new MlflowServerFixture(faults: LoseEveryLogBatch());
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 200, "{\"metrics\":[" + string.Join(',',
            Point("m", "\"NaN\"", Ts, 0),
            Point("m", "1.7976931348623157e308", Ts, 1),
            Point("m", "-1.7976931348623157e308", Ts, 2),
            Point("m", "0.0", Ts, 3)) + "]}");

        await mlflow.Store.LogBatchAsync(
            RunId,
            [new Metric("m", double.NaN, Ts, 0), new Metric("m", double.PositiveInfinity, Ts, 1), new Metric("m", double.NegativeInfinity, Ts, 2), new Metric("m", -0.0, Ts, 3)],
            [],
            [],
            CancellationToken.None);

        Assert.Single(mlflow.Requests("runs/log-batch"));
        Assert.Single(mlflow.Requests("metrics/get-history-bulk-interval"));
        Assert.Empty(mlflow.Requests("metrics/get-history"));
    }

    [Fact]
    public async Task LostAnswerSeveralPointsAtOneStepResendsOnlyTheMissingOne()
    {
        using var mlflow = new MlflowServerFixture(faults: new FaultInjectingHandler
        {
            Plan = (_, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None,
        });
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");
        // Two of the three points at step 5 are visible (same step, other timestamps and values).
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 200, "{\"metrics\":[" + string.Join(',',
            Point("m", "1.0", Ts, 5),
            Point("m", "2.0", Ts + 1, 5)) + "]}");

        await mlflow.Store.LogBatchAsync(RunId, [new Metric("m", 1.0, Ts, 5), new Metric("m", 2.0, Ts + 1, 5), new Metric("m", 2.0, Ts + 2, 5)], [], [], CancellationToken.None);

        var bodies = mlflow.Requests("runs/log-batch").Select(e => JsonNode.Parse(e.RequestMessage.Body!)!).ToList();
        Assert.Equal(2, bodies.Count);
        JsonAssert.Equal($$"""{"run_id":"{{RunId}}","metrics":[{"key":"m","value":2.0,"timestamp":{{Ts + 2}},"step":5}]}""", bodies[1]);
        var query = Assert.Single(mlflow.Requests("metrics/get-history-bulk-interval")).RequestMessage.Query!;
        Assert.Equal(("5", "5"), (query["start_step"].Single(), query["end_step"].Single()));
    }

    [Fact]
    public async Task RangeReadManyPointsPerStepSplitsAnAnswerThatMayBeCut()
    {
        var server = new FakeMlflowServer(false, new Random(1)) { NoFaults = true };
        for (var i = 0; i < 15_000; i++)
        {
            server.Stored.Add(new Metric("m", i, Ts + i, 7));
            server.Stored.Add(new Metric("m", i, Ts + i, 8));
        }

        using var store = NewStore(server, out var client);
        using var _ = client;

        var points = await store.GetMetricHistoryRangeAsync(RunId, "m", 7, 8, CancellationToken.None);

        Assert.Equal(30_000, points.Count);
        Assert.Equal([("m", 7L, 8L), ("m", 7L, 7L), ("m", 8L, 8L)], server.RangeReads);
        Assert.Equal(0, server.FullHistoryReads);
    }

    [Fact]
    public async Task RangeReadWiderThanMaxResultsIsReadInUnsampledWindows()
    {
        var server = new FakeMlflowServer(false, new Random(1)) { NoFaults = true };
        for (var step = 0; step < 6000; step++)
        {
            server.Stored.Add(new Metric("m", step, Ts + step, step));
        }

        using var store = NewStore(server, out var client);
        using var _ = client;

        var points = await store.GetMetricHistoryRangeAsync(RunId, "m", 0, 5999, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 6000).Select(s => (long)s), points.Select(p => p.Step));
        Assert.Equal([("m", 0L, 2499L), ("m", 2500L, 4999L), ("m", 5000L, 5999L)], server.RangeReads);
    }

    [Fact]
    public async Task RangeReadRecordedExactRangeIsParsed()
    {
        var recorded = Recordings.Python("search.out", "\"start_step\": 10, \"end_step\": 20");
        Assert.Equal(200, recorded.Status);
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 200, recorded.ResponseBody);

        var points = await mlflow.Store.GetMetricHistoryRangeAsync("ac0683216de944d9ab927897a6977bef", "loss", 10, 20, CancellationToken.None);

        Assert.Equal(Enumerable.Range(10, 11).Select(s => (long)s), points.Select(p => p.Step));
        Assert.All(points, p => Assert.Equal("loss", p.Key));
        Assert.Equal(1.0 / 11, points[0].Value, 15);
        Assert.Equal(1700000000010, points[0].Timestamp);
        var query = Assert.Single(mlflow.Requests("metrics/get-history-bulk-interval")).RequestMessage.Query!;
        Assert.Equal("ac0683216de944d9ab927897a6977bef", query["run_ids"].Single());
        Assert.Equal("loss", query["metric_key"].Single());
        Assert.Equal(("10", "20", "2500"), (query["start_step"].Single(), query["end_step"].Single(), query["max_results"].Single()));
    }

    [Fact]
    public async Task RangeReadRecordedUnknownRunIsAnErrorNotAFallback()
    {
        var recorded = Recordings.Python("search.out", "0123456789abcdef0123456789abcdef");
        Assert.Equal(404, recorded.Status);
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 404, recorded.ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.GetMetricHistoryRangeAsync("0123456789abcdef0123456789abcdef", "loss", 0, 5, CancellationToken.None));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.False(mlflow.Store.BulkIntervalUnsupported);
        Assert.Empty(mlflow.Requests("metrics/get-history"));
    }

    [Theory]
    [InlineData(404, "/api/2.0/mlflow/metrics/get-history-bulk params")]
    [InlineData(405, "POST http://127.0.0.1:5010/api/2.0/mlflow/metrics/get-history-bulk-interval")]
    public async Task LostAnswersServerWithoutTheRouteFallsBackToGetHistoryAndRemembers(int status, string recordedMarker)
    {
        var recorded = Recordings.Python("search.out", recordedMarker);
        Assert.Equal(status, recorded.Status);
        Assert.StartsWith("<!doctype html>", recorded.ResponseBody);
        using var mlflow = new MlflowServerFixture(faults: LoseEveryLogBatch());
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), status, recorded.ResponseBody);
        mlflow.Respond(mlflow.Get("metrics/get-history"), 200, "{\"metrics\":[" + string.Join(',', Point("m", "1.0", Ts, 0), Point("m", "2.0", Ts, 1)) + "]}");

        await mlflow.Store.LogBatchAsync(RunId, [new Metric("m", 1.0, Ts, 0)], [], [], CancellationToken.None);
        Assert.True(mlflow.Store.BulkIntervalUnsupported);
        await mlflow.Store.LogBatchAsync(RunId, [new Metric("m", 2.0, Ts, 1)], [], [], CancellationToken.None);

        Assert.Equal(2, mlflow.Requests("runs/log-batch").Count);
        Assert.Single(mlflow.Requests("metrics/get-history-bulk-interval"));
        var full = mlflow.Requests("metrics/get-history");
        Assert.Equal(2, full.Count);
        Assert.All(full, e => Assert.Equal("25000", e.RequestMessage.Query!["max_results"].Single()));
        Assert.Equal(0, mlflow.Counters.Failures);
    }

    [Theory]
    [InlineData(false, 5)]
    [InlineData(true, 6)]
    public async Task RandomFaultsServerWithoutTheRouteEveryPointStoredExactlyOnce(bool fileStoreSemantics, int seed)
    {
        var server = new FakeMlflowServer(fileStoreSemantics, new Random(seed)) { WithoutBulkInterval = true };
        using var store = NewStore(server, out var client);
        using var _ = client;
        var expected = new List<Metric>();
        var ts = Ts;
        for (var batch = 0; batch < 20; batch++)
        {
            var metrics = Enumerable.Range(0, 12).Select(i => new Metric("m" + (i % 3), i % 5 == 0 ? double.NaN : i, ts++, batch)).ToList();
            await store.LogBatchAsync("run1", metrics, [], [], CancellationToken.None);
            expected.AddRange(metrics);
        }

        Assert.True(server.LostResponses > 0);
        Assert.True(store.BulkIntervalUnsupported);
        Assert.Empty(server.RangeReads);
        Assert.Equal(
            expected.Select(m => (m.Key, m.Timestamp, m.Step, MetricPointKey.Normalize(m.Value))).OrderBy(x => x.Timestamp),
            server.Stored.Select(m => (m.Key, m.Timestamp, m.Step, MetricPointKey.Normalize(m.Value))).OrderBy(x => x.Timestamp));
    }

    [Fact]
    public async Task ReconcilerOverSqliteStoreReadsRangesAndFindsTheMissingPoints()
    {
        using var folder = new TempFolder();
        using var sqlite = LlmTrack.Stores.Sqlite.SqliteTrackingStore.Open(folder.TrackingUri, TimeProvider.System);
        var run = await sqlite.CreateRunAsync("0", "r", Ts, [], CancellationToken.None);
        var id = run.Info.RunId;
        var stored = Enumerable.Range(0, 50).Select(s => new Metric("m", s % 7 == 0 ? double.NaN : s, Ts + s, s)).ToList();
        stored.Add(new Metric("m", double.PositiveInfinity, Ts, 60));
        stored.Add(new Metric("m", -0.0, Ts, 61));
        stored.Add(new Metric("m", 3.0, Ts + 99, 10)); // a second point at step 10
        await sqlite.LogBatchAsync(id, stored, [], [], CancellationToken.None);

        var range = await sqlite.GetMetricHistoryRangeAsync(id, "m", 10, 12, CancellationToken.None);
        Assert.Equal([10L, 10L, 11L, 12L], range.Select(p => p.Step));

        var batch = stored.Skip(40).Append(new Metric("m", 1.5, Ts, 45)).Append(new Metric("m", 1.5, Ts, 5000)).ToList();
        var missing = await MetricReconciler.FindUnstoredAsync(sqlite, id, batch, CancellationToken.None);

        Assert.Equal([new Metric("m", 1.5, Ts, 45), new Metric("m", 1.5, Ts, 5000)], missing);
    }

    [Fact]
    public async Task ReconcilerOverInMemoryStoreReadsOnlyTheBatchWindows()
    {
        var memory = new LlmTrack.Tests.Fakes.InMemoryTrackingStore();
        var run = await memory.CreateRunAsync("0", "r", Ts, [], CancellationToken.None);
        var id = run.Info.RunId;
        await memory.LogBatchAsync(id, Enumerable.Range(0, 1000).Select(s => new Metric("m", s, Ts, s)).ToList(), [], [], CancellationToken.None);

        var missing = await MetricReconciler.FindUnstoredAsync(memory, id, [new Metric("m", 5, Ts, 5), new Metric("m", 1, Ts, 900), new Metric("n", 1, Ts, 900)], CancellationToken.None);

        Assert.Equal([new Metric("m", 1, Ts, 900), new Metric("n", 1, Ts, 900)], missing);
        Assert.Equal([(id, "m", 5L, 5L), (id, "m", 900L, 900L), (id, "n", 900L, 900L)], memory.RangeReads);
    }
}
