namespace LlmTrack;

/// <summary>Values of one batch the store did not accept, and why.</summary>
/// <param name="Error">What the store threw (usually an <see cref="MlflowException"/> with MLflow's error code).</param>
/// <param name="Metrics">The metric points that were not stored.</param>
/// <param name="Params">The params that were not stored.</param>
/// <param name="Tags">The tags that were not stored.</param>
public sealed record DeliveryFailure(Exception Error, IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags)
{
    /// <summary>How many values the failure covers.</summary>
    public int Count => Metrics.Count + Params.Count + Tags.Count;
}
