using LlmTrack.Delivery;

namespace LlmTrack.Tests.Delivery;

/// <summary>The one split-on-refusal, driven directly: which items end stored or refused, and at what cost.</summary>
public sealed class RefusalSplitTests
{
    private static RefusalKind Classify(Exception error) => error switch
    {
        MlflowException { ErrorCode: MlflowErrorCode.InvalidParameterValue } => RefusalKind.Value,
        MlflowException { ErrorCode: MlflowErrorCode.Unavailable } => RefusalKind.Propagate,
        _ => RefusalKind.Whole,
    };

    /// <summary>A store that refuses any request holding one of the bad items, naming the first one (as MLflow names the key).</summary>
    private sealed class Store(params int[] bad)
    {
        public List<int> Stored { get; } = [];

        public List<int> Refused { get; } = [];

        public int Requests { get; private set; }

        public Task SendAsync(int start, int count)
        {
            Requests++;
            var first = Enumerable.Range(start, count).FirstOrDefault(bad.Contains, -1);
            if (first >= 0)
            {
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid value for item '{first}'", 400);
            }

            Stored.AddRange(Enumerable.Range(start, count));
            return Task.CompletedTask;
        }

        public void Refuse(int start, int count, Exception error) => Refused.AddRange(Enumerable.Range(start, count));
    }

    [Fact]
    public async Task OneBadValueCostsOnlyItself()
    {
        var store = new Store(bad: 5);
        await new RefusalSplit().SendAsync(16, store.SendAsync, Classify, store.Refuse);
        Assert.Equal([5], store.Refused);
        Assert.Equal(Enumerable.Range(0, 16).Where(i => i != 5), store.Stored.Order());
    }

    [Fact]
    public async Task TwoBadValuesInDifferentHalvesStillLeaveEveryGoodValueStored()
    {
        var store = new Store(bad: [2, 12]);
        await new RefusalSplit().SendAsync(16, store.SendAsync, Classify, store.Refuse);
        Assert.Equal([2, 12], store.Refused.Order());
        Assert.Equal(14, store.Stored.Count);
        Assert.Equal(Enumerable.Range(0, 16).Where(i => i is not 2 and not 12), store.Stored.Order());
    }

    [Fact]
    public async Task ABatchWhoseHalvesRepeatItsErrorIsRefusedAsAWholeInThreeRequests()
    {
        var requests = 0;
        var refused = new List<int>();
        await new RefusalSplit().SendAsync(
            1000,
            (_, _) =>
            {
                requests++;
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "The run must be active", 400);
            },
            Classify,
            (start, count, _) => refused.AddRange(Enumerable.Range(start, count)));
        Assert.Equal(3, requests);
        Assert.Equal(Enumerable.Range(0, 1000), refused.Order());
    }

    [Fact]
    public async Task AnErrorThatIsNotARefusalPropagatesAndTheNextCallResumesWithoutResendingStoredParts()
    {
        var store = new Store(bad: 3);
        var split = new RefusalSplit();
        var outage = true;
        Task Send(int start, int count)
        {
            if (start >= 4 && outage)
            {
                outage = false;
                throw new MlflowException(MlflowErrorCode.Unavailable, "down", 503);
            }

            return store.SendAsync(start, count);
        }

        await Assert.ThrowsAsync<MlflowException>(() => split.SendAsync(8, Send, Classify, store.Refuse));
        await split.SendAsync(8, Send, Classify, store.Refuse);
        Assert.Equal([3], store.Refused);
        Assert.Equal([0, 1, 2, 4, 5, 6, 7], store.Stored.Order());
        Assert.Equal(store.Stored.Count, store.Stored.Distinct().Count());
    }

    [Fact]
    public async Task ARefusalForSomethingOtherThanAValueRefusesTheWholeRangeAtOnce()
    {
        var requests = 0;
        var refused = new List<int>();
        await new RefusalSplit().SendAsync(
            10,
            (_, _) =>
            {
                requests++;
                throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, "Run not found", 404);
            },
            Classify,
            (start, count, _) => refused.AddRange(Enumerable.Range(start, count)));
        Assert.Equal(1, requests);
        Assert.Equal(10, refused.Count);
    }
}
