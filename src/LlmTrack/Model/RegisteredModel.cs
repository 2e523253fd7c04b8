namespace LlmTrack;

/// <summary>A registered model of MLflow's model registry: a named, versioned model.</summary>
public sealed record RegisteredModel
{
    /// <summary>The unique name.</summary>
    public required string Name { get; init; }

    /// <summary>When the model was created (Unix epoch milliseconds).</summary>
    public long CreationTime { get; init; }

    /// <summary>When the model or one of its versions last changed (Unix epoch milliseconds).</summary>
    public long LastUpdatedTime { get; init; }

    /// <summary>The description, when one was set.</summary>
    public string? Description { get; init; }

    /// <summary>The model's tags.</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];

    /// <summary>The aliases (e.g. <c>champion</c>) and the versions they point to.</summary>
    public IReadOnlyList<ModelAlias> Aliases { get; init; } = [];

    /// <summary>The newest version in each legacy stage (MLflow's <c>latest_versions</c>), not every version.</summary>
    public IReadOnlyList<ModelVersion> LatestVersions { get; init; } = [];
}

/// <summary>An alias of a registered model, e.g. <c>champion</c> → version 3.</summary>
/// <param name="Alias">The alias name.</param>
/// <param name="Version">The version it points to.</param>
public readonly record struct ModelAlias(string Alias, int Version);
