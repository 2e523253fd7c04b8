using System.Globalization;

namespace LlmTrack.Stores.Sqlite.Registry;

/// <summary>
/// The model registry's validation rules and error messages, as MLflow's server words them: required names,
/// reserved and well-formed aliases, canonical stages, the not-found messages.
/// </summary>
internal static class RegistryRules
{
    /// <summary>The stage MLflow gives a deleted version (the row stays; its number is never reused).</summary>
    public const string DeletedStage = "Deleted_Internal";

    /// <summary>The most registered models one search page may return.</summary>
    public const int MaxModelSearchResults = 1000;

    /// <summary>The most model versions one search page may return.</summary>
    public const int MaxVersionSearchResults = 200_000;

    /// <summary>The stages whose versions <c>archive_existing_versions</c> may archive.</summary>
    public static readonly string[] ActiveStages = [ModelStage.Staging, ModelStage.Production];

    public static void RequireName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid("Missing value for required parameter 'name'. See the API docs for more information about request parameters.");
        }
    }

    /// <summary>MLflow's <c>_validate_model_alias_name</c>.</summary>
    public static void ValidateAlias(string alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            throw Invalid("Missing value for required parameter 'alias'. See the API docs for more information about request parameters.");
        }

        if (!alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw Invalid($"Invalid alias name: '{alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
        }

        if (string.Equals(alias, "latest", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("'latest' alias name (case insensitive) is reserved.");
        }

        if (alias.Length > 1 && alias[0] is 'v' or 'V' && alias.Skip(1).All(char.IsAsciiDigit))
        {
            throw Invalid($"Version alias name '{alias}' is reserved.");
        }
    }

    /// <summary>The canonical stage, or MLflow's error for an unknown one.</summary>
    public static string CanonicalStage(string stage) =>
        ModelStage.Canonical(stage) ?? throw Invalid($"Invalid Model Version stage: {stage}. Value must be one of {string.Join(", ", ModelStage.All)}.");

    public static MlflowException ModelNotFound(string name) =>
        new(MlflowErrorCode.ResourceDoesNotExist, $"Registered Model with name={name} not found");

    public static MlflowException VersionNotFound(string name, int version) =>
        new(MlflowErrorCode.ResourceDoesNotExist, string.Create(CultureInfo.InvariantCulture, $"Model Version (name={name}, version={version}) not found"));

    public static MlflowException ModelExists(string name) =>
        new(MlflowErrorCode.ResourceAlreadyExists, $"Registered Model (name={name}) already exists.");

    public static MlflowException AliasNotFound(string alias) =>
        Invalid($"Registered model alias {alias} not found.");

    public static MlflowException Invalid(string message) => new(MlflowErrorCode.InvalidParameterValue, message);
}
