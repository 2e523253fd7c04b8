using System.Globalization;

namespace LlmTrack;

/// <summary>
/// A model URI as MLflow writes them: <c>models:/name/3</c> (a version), <c>models:/name@champion</c> (an alias),
/// <c>models:/name/latest</c> (the newest version), <c>models:/name/Production</c> (the newest version in a legacy
/// stage), <c>models:/m-…</c> (an MLflow 3 logged model) or <c>runs:/run_id/path</c> (a run's artifact folder).
/// </summary>
public sealed record ModelUri
{
    private ModelUri()
    {
    }

    /// <summary>The registered model's name (<c>models:/</c> URIs of registered models).</summary>
    public string? Name { get; private init; }

    /// <summary>The version, for <c>models:/name/3</c>.</summary>
    public int? Version { get; private init; }

    /// <summary>The alias, for <c>models:/name@alias</c>.</summary>
    public string? Alias { get; private init; }

    /// <summary>The legacy stage, for <c>models:/name/Staging</c>.</summary>
    public string? Stage { get; private init; }

    /// <summary>Whether the URI names the newest version (<c>models:/name/latest</c>).</summary>
    public bool IsLatest { get; private init; }

    /// <summary>The logged model id, for <c>models:/m-…</c>.</summary>
    public string? LoggedModelId { get; private init; }

    /// <summary>The run, for <c>runs:/run_id/path</c>.</summary>
    public string? RunId { get; private init; }

    /// <summary>The artifact path inside the run, for <c>runs:/run_id/path</c> (empty for the run's root).</summary>
    public string? ArtifactPath { get; private init; }

    /// <summary>The URI as given.</summary>
    public string Uri { get; private init; } = "";

    /// <summary>Parses a model URI.</summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The parsed URI.</returns>
    /// <exception cref="MlflowException"><c>INVALID_PARAMETER_VALUE</c> when it is not a model URI.</exception>
    public static ModelUri Parse(string uri) =>
        TryParse(uri, out var parsed) ? parsed : throw new MlflowException(
            MlflowErrorCode.InvalidParameterValue,
            $"Not a model URI: '{uri}'. Expected models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest, models:/<name>/<stage>, models:/m-<id> or runs:/<run_id>/<path>.");

    /// <summary>Parses a model URI without throwing.</summary>
    /// <param name="uri">The URI.</param>
    /// <param name="parsed">The parsed URI, when it is one.</param>
    /// <returns>Whether <paramref name="uri"/> is a model URI.</returns>
    public static bool TryParse(string? uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelUri? parsed)
    {
        parsed = null;
        if (uri is null)
        {
            return false;
        }

        if (uri.StartsWith("runs:/", StringComparison.Ordinal))
        {
            var rest = uri["runs:/".Length..].TrimStart('/');
            var slash = rest.IndexOf('/');
            var runId = slash < 0 ? rest : rest[..slash];
            if (runId.Length == 0)
            {
                return false;
            }

            parsed = new ModelUri { Uri = uri, RunId = runId, ArtifactPath = slash < 0 ? "" : rest[(slash + 1)..].Trim('/') };
            return true;
        }

        if (!uri.StartsWith("models:/", StringComparison.Ordinal))
        {
            return false;
        }

        var path = uri["models:/".Length..].Trim('/');
        var at = path.LastIndexOf('@');
        if (at > 0 && !path[at..].Contains('/'))
        {
            parsed = at + 1 < path.Length ? new ModelUri { Uri = uri, Name = path[..at], Alias = path[(at + 1)..] } : null;
            return parsed is not null;
        }

        var last = path.LastIndexOf('/');
        if (last < 0)
        {
            parsed = path.StartsWith("m-", StringComparison.Ordinal) && path.Length > 2 ? new ModelUri { Uri = uri, LoggedModelId = path } : null;
            return parsed is not null;
        }

        var name = path[..last];
        var suffix = path[(last + 1)..];
        if (name.Length == 0 || suffix.Length == 0)
        {
            return false;
        }

        if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
        {
            parsed = new ModelUri { Uri = uri, Name = name, Version = version };
        }
        else if (string.Equals(suffix, "latest", StringComparison.OrdinalIgnoreCase))
        {
            parsed = new ModelUri { Uri = uri, Name = name, IsLatest = true };
        }
        else if (ModelStage.Canonical(suffix) is { } stage)
        {
            parsed = new ModelUri { Uri = uri, Name = name, Stage = stage };
        }

        return parsed is not null;
    }

    /// <inheritdoc />
    public override string ToString() => Uri;
}
