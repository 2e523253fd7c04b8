namespace LlmTrack;

/// <summary>Copies of <see cref="LlmTrackOptions"/> for another tracking URI (the caller's instance is never changed).</summary>
internal static class LlmTrackOptionsCopy
{
    /// <summary>
    /// A copy of <paramref name="options"/> (credentials, headers, TLS, retries, batching, durability) with
    /// <paramref name="trackingUri"/>; <paramref name="durable"/> set: durable mode on or off in the copy.
    /// </summary>
    /// <param name="options">The options to copy.</param>
    /// <param name="trackingUri">The copy's tracking URI.</param>
    /// <param name="durable">Durable mode of the copy; <see langword="null"/>: as in <paramref name="options"/>.</param>
    /// <returns>The copy.</returns>
    public static LlmTrackOptions WithTrackingUri(LlmTrackOptions options, string trackingUri, bool? durable = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var source = options.Durability ?? new DurabilityOptions();
        var copy = new LlmTrackOptions
        {
            TrackingUri = trackingUri,
            ExperimentName = options.ExperimentName,
            ExperimentId = options.ExperimentId,
            Token = options.Token,
            Username = options.Username,
            Password = options.Password,
            TokenProvider = options.TokenProvider,
            InsecureTls = options.InsecureTls,
            ServerCertPath = options.ServerCertPath,
            ClientCertPath = options.ClientCertPath,
            Http = options.Http,
            Batching = options.Batching,
            Durability = new DurabilityOptions
            {
                Enabled = durable ?? source.Enabled,
                JournalDirectory = source.JournalDirectory,
                DiskCapBytes = source.DiskCapBytes,
                FlushToDiskInterval = source.FlushToDiskInterval,
                StartTimeout = source.StartTimeout,
                DrainTimeout = source.DrainTimeout,
                MinRetryDelay = source.MinRetryDelay,
                MaxRetryDelay = source.MaxRetryDelay,
            },
        };
        foreach (var (name, value) in options.Headers)
        {
            copy.Headers[name] = value;
        }

        return copy;
    }
}
