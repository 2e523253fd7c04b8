namespace LlmTrack.Testing;

/// <summary>What <see cref="FakeMlflowServer"/> does with a request its <see cref="FakeMlflowServer.Fault"/> chooser picked.</summary>
public enum FakeFault
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>Answer 503 without handling the request (an overloaded server or a proxy in front of a dead one).</summary>
    Unavailable,

    /// <summary>Answer 429 with <see cref="FakeMlflowServer.RetryAfter"/> without handling the request.</summary>
    TooManyRequests,

    /// <summary>Reset the connection without handling the request (the server died).</summary>
    ResetBeforeHandling,

    /// <summary>Handle the request, then reset the connection before answering (the answer is lost).</summary>
    HandleThenReset,

    /// <summary>Wait <see cref="FakeMlflowServer.FaultDelay"/> (or until the client gives up), then answer normally.</summary>
    Delay,
}

/// <summary>Fault choosers for <see cref="FakeMlflowServer.Fault"/>.</summary>
public static class FakeFaults
{
    /// <summary>
    /// A chooser that fails a seeded share of requests evenly with the four answer-or-connection faults (503, 429, reset
    /// before handling, handle then reset).
    /// </summary>
    public static Func<int, string, FakeFault> Seeded(int seed, double rate)
    {
        var random = new Random(seed);
        var gate = new object();
        return (_, _) =>
        {
            lock (gate)
            {
                return random.NextDouble() < rate ? (FakeFault)(1 + random.Next(4)) : FakeFault.None;
            }
        };
    }
}
