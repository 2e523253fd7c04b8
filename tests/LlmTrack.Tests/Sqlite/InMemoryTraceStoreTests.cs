using System.Text.Json.Nodes;

namespace LlmTrack.Tests.Sqlite;

public sealed class InMemoryTraceStoreTests
{
    [Fact]
    public async Task TracesWorkOnTheMemoryStore()
    {
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = "memory:", ExperimentName = "unit" });
        var traces = tracker.Traces;
        var none = await traces.SearchPageAsync(["0"], "trace.status = 'OK'");
        Assert.Empty(none.Items);
        Assert.Null(none.NextPageToken);
        var error = await Assert.ThrowsAsync<MlflowException>(() => traces.GetInfoAsync("tr-missing"));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
        error = await Assert.ThrowsAsync<MlflowException>(() => traces.LogFeedbackAsync("tr-missing", "relevance", JsonValue.Create(1)));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
        error = await Assert.ThrowsAsync<MlflowException>(() => traces.SearchPageAsync(["0"], "nope.x = 'y'"));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Empty(await traces.GetManyAsync(["tr-missing"]));
        Assert.Equal(0, await traces.DeleteAsync("0", ["tr-missing"]));
    }
}
