namespace LlmTrack.Artifacts;

/// <summary>
/// The one rule for artifact paths that reach a repository (HTTP and local): relative to the run's artifact
/// root, <c>/</c>-separated, never absolute, never containing <c>..</c>, <c>.</c>, empty segments or NUL; plus
/// URL encoding for the HTTP repository.
/// </summary>
internal static class RelativeArtifactPath
{
    /// <summary>Splits a relative artifact path into its segments; throws <see cref="ArgumentException"/> when unsafe.</summary>
    /// <param name="relativePath">The path, e.g. <c>tables/eval.json</c>.</param>
    /// <param name="paramName">The argument name for the exception.</param>
    /// <returns>The segments.</returns>
    public static string[] Split(string relativePath, string paramName)
    {
        if (string.IsNullOrEmpty(relativePath))
        {
            throw new ArgumentException("An artifact path must not be empty.", paramName);
        }

        if (relativePath.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An artifact path must not contain NUL characters.", paramName);
        }

        if (relativePath[0] is '/' or '\\' || (relativePath.Length >= 2 && relativePath[1] == ':' && char.IsAsciiLetter(relativePath[0])))
        {
            throw new ArgumentException($"The artifact path '{relativePath}' is absolute; artifact paths are relative to the run's artifact root.", paramName);
        }

        if (relativePath.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The artifact path '{relativePath}' contains '\\'; use '/' to separate folders.", paramName);
        }

        var segments = relativePath.Split('/');
        foreach (var segment in segments)
        {
            if (segment == "..")
            {
                throw new ArgumentException($"The artifact path '{relativePath}' contains '..'; artifacts must stay under the run's artifact root.", paramName);
            }

            if (segment.Length == 0 || segment == ".")
            {
                throw new ArgumentException($"The artifact path '{relativePath}' contains an empty or '.' segment.", paramName);
            }
        }

        return segments;
    }

    /// <summary>Percent-encodes each segment for a URL path and joins them with <c>/</c>.</summary>
    public static string EscapeSegments(IEnumerable<string> segments) => string.Join('/', segments.Select(Uri.EscapeDataString));

    /// <summary>Validates and percent-encodes a relative path.</summary>
    public static string Escape(string relativePath, string paramName) => EscapeSegments(Split(relativePath, paramName));
}
