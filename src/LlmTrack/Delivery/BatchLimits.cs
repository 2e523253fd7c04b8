namespace LlmTrack.Delivery;

/// <summary>The limits of one <c>runs/log-batch</c> request (mlflow/utils/validation.py).</summary>
internal static class BatchLimits
{
    /// <summary>At most this many metrics in one batch.</summary>
    public const int MaxMetrics = 1000;

    /// <summary>At most this many params in one batch.</summary>
    public const int MaxParams = 100;

    /// <summary>At most this many tags in one batch.</summary>
    public const int MaxTags = 100;

    /// <summary>At most this many items (metrics + params + tags) in one batch.</summary>
    public const int MaxItems = 1000;
}
