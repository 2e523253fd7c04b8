namespace LlmTrack;

/// <summary>
/// A version of a registered model. <see cref="Version"/> is an <see cref="int"/>: MLflow stores an integer
/// (the wire's <c>"1"</c> is protobuf's string encoding), versions are numbered 1, 2, 3 … and compared as numbers.
/// </summary>
public sealed record ModelVersion
{
    /// <summary>The registered model's name.</summary>
    public required string Name { get; init; }

    /// <summary>The version number (1, 2, …).</summary>
    public required int Version { get; init; }

    /// <summary>When the version was created (Unix epoch milliseconds).</summary>
    public long CreationTime { get; init; }

    /// <summary>When the version last changed (Unix epoch milliseconds).</summary>
    public long LastUpdatedTime { get; init; }

    /// <summary>The description, when one was set.</summary>
    public string? Description { get; init; }

    /// <summary>The legacy stage: one of <see cref="ModelStage"/>'s values.</summary>
    public string Stage { get; init; } = ModelStage.None;

    /// <summary>The status (<c>READY</c> once created; MLflow has no pending state for its own stores).</summary>
    public string Status { get; init; } = "READY";

    /// <summary>Where the model's files are, as registered: <c>runs:/id/path</c>, <c>mlflow-artifacts:/…</c>, <c>models:/m-…</c>.</summary>
    public string? Source { get; init; }

    /// <summary>The run that produced the model, if known.</summary>
    public string? RunId { get; init; }

    /// <summary>The MLflow 3 logged model (<c>m-…</c>) the version was promoted from, if any.</summary>
    public string? ModelId { get; init; }

    /// <summary>The version's tags.</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];

    /// <summary>The aliases pointing to this version.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}

/// <summary>MLflow's legacy model version stages (superseded by aliases, still shown by the UI).</summary>
public static class ModelStage
{
    /// <summary>No stage.</summary>
    public const string None = "None";

    /// <summary>Staging.</summary>
    public const string Staging = "Staging";

    /// <summary>Production.</summary>
    public const string Production = "Production";

    /// <summary>Archived.</summary>
    public const string Archived = "Archived";

    /// <summary>Every stage, in MLflow's order.</summary>
    public static IReadOnlyList<string> All { get; } = [None, Staging, Production, Archived];

    /// <summary>The canonical spelling of <paramref name="stage"/> (case-insensitive), or null when it is not a stage.</summary>
    /// <param name="stage">A stage name in any case.</param>
    /// <returns>The canonical name, or null.</returns>
    public static string? Canonical(string? stage) =>
        stage is null ? null : All.FirstOrDefault(s => string.Equals(s, stage, StringComparison.OrdinalIgnoreCase));
}
