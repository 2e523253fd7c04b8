using System.Globalization;
using LlmTrack.Rest.Wire;

namespace LlmTrack.Rest.Registry;

/// <summary>Maps the registry's wire types to the public entities; missing keys read as empty.</summary>
internal static class RegistryWireMapping
{
    public static RegisteredModel ToModel(WireRegisteredModel wire) => new()
    {
        Name = wire.Name ?? "",
        CreationTime = wire.CreationTimestamp ?? 0,
        LastUpdatedTime = wire.LastUpdatedTimestamp ?? 0,
        Description = wire.Description,
        Tags = WireMapping.ToTags(wire.Tags),
        Aliases = wire.Aliases is null ? [] : [.. wire.Aliases.Select(a => new ModelAlias(a.Alias ?? "", ParseVersion(a.Version)))],
        LatestVersions = wire.LatestVersions is null ? [] : [.. wire.LatestVersions.Select(ToModel)],
    };

    public static ModelVersion ToModel(WireModelVersion wire) => new()
    {
        Name = wire.Name ?? "",
        Version = ParseVersion(wire.Version),
        CreationTime = wire.CreationTimestamp ?? 0,
        LastUpdatedTime = wire.LastUpdatedTimestamp ?? 0,
        Description = wire.Description,
        Stage = wire.CurrentStage ?? ModelStage.None,
        Status = wire.Status ?? "READY",
        Source = wire.Source,
        RunId = string.IsNullOrEmpty(wire.RunId) ? null : wire.RunId,
        ModelId = string.IsNullOrEmpty(wire.ModelId) ? null : wire.ModelId,
        Tags = WireMapping.ToTags(wire.Tags),
        Aliases = wire.Aliases ?? [],
    };

    public static string Version(int version) => version.ToString(CultureInfo.InvariantCulture);

    private static int ParseVersion(string? version) =>
        int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new MlflowException(MlflowErrorCode.InternalError, $"The MLflow server sent the model version '{version}', which is not a number.");
}
