namespace LlmTrack;

/// <summary>What kind of run a <see cref="RunReference"/> names.</summary>
public enum RunReferenceKind
{
    /// <summary>A run id (32 hexadecimal characters).</summary>
    RunId,

    /// <summary>A registered model version by alias, <c>models:/name@alias</c>: the version's source run.</summary>
    ModelAlias,

    /// <summary>The latest run (by start time) matching an MLflow search filter in the gate's experiments.</summary>
    Filter,
}

/// <summary>A run named on a gate's command line: a run id, <c>models:/name@alias</c>, or a search filter.</summary>
/// <param name="Kind">What kind of reference.</param>
/// <param name="Text">The reference as given (the run id, the filter, or the whole <c>models:/</c> URI).</param>
/// <param name="ModelName">For <see cref="RunReferenceKind.ModelAlias"/>: the registered model's name.</param>
/// <param name="Alias">For <see cref="RunReferenceKind.ModelAlias"/>: the alias, e.g. <c>champion</c>.</param>
public sealed record RunReference(RunReferenceKind Kind, string Text, string? ModelName = null, string? Alias = null)
{
    private const string ModelsScheme = "models:/";

    /// <summary>Parses a reference: 32 hex characters are a run id, <c>models:/name@alias</c> a model alias, anything else a filter.</summary>
    /// <param name="text">The reference.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="FormatException">For a blank text or a <c>models:/</c> URI that is not <c>models:/name@alias</c>.</exception>
    public static RunReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new FormatException("A run reference cannot be empty: give a run id, models:/name@alias, or a search filter.");
        }

        if (trimmed.StartsWith(ModelsScheme, StringComparison.Ordinal))
        {
            var body = trimmed[ModelsScheme.Length..];
            var at = body.LastIndexOf('@');
            if (at <= 0 || at == body.Length - 1 || body.Contains('/', StringComparison.Ordinal))
            {
                throw new FormatException($"Invalid model reference '{trimmed}': expected models:/NAME@ALIAS (e.g. models:/classifier@champion).");
            }

            return new RunReference(RunReferenceKind.ModelAlias, trimmed, body[..at], body[(at + 1)..]);
        }

        return trimmed.Length == 32 && trimmed.All(char.IsAsciiHexDigit)
            ? new RunReference(RunReferenceKind.RunId, trimmed)
            : new RunReference(RunReferenceKind.Filter, trimmed);
    }
}
