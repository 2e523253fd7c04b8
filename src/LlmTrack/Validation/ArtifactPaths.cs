namespace LlmTrack.Validation;

/// <summary>Checks and normalises artifact paths: relative, <c>/</c>-separated, never escaping the run's root.</summary>
internal static class ArtifactPaths
{
    /// <summary>
    /// Normalises a folder under the artifact root (<see langword="null"/> or empty = the root): backslashes become
    /// <c>/</c>, empty and <c>.</c> segments are dropped. Throws <see cref="ArgumentException"/> for absolute paths
    /// and for any <c>..</c> segment.
    /// </summary>
    public static string? NormalizeFolder(string? path, string paramName)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var normalized = Normalize(path, paramName);
        return normalized.Length == 0 ? null : normalized;
    }

    /// <summary>Normalises a file path under the artifact root; it must name a file (not be empty).</summary>
    public static string NormalizeFile(string path, string paramName)
    {
        ArgumentNullException.ThrowIfNull(path, paramName);
        var normalized = Normalize(path, paramName);
        if (normalized.Length == 0)
        {
            throw new ArgumentException($"Artifact file path '{path}' names no file.", paramName);
        }

        return normalized;
    }

    /// <summary>Joins a folder (may be <see langword="null"/>) and a relative path.</summary>
    public static string Combine(string? folder, string relative) => folder is null ? relative : folder + "/" + relative;

    private static string Normalize(string path, string paramName)
    {
        if (path.StartsWith('/') || path.StartsWith('\\') || Path.IsPathRooted(path) || (path.Length >= 2 && path[1] == ':'))
        {
            throw new ArgumentException($"Artifact path '{path}' must be relative to the run's artifact root.", paramName);
        }

        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kept = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            if (segment == "..")
            {
                throw new ArgumentException($"Artifact path '{path}' must not contain '..'.", paramName);
            }

            if (segment != ".")
            {
                kept.Add(segment);
            }
        }

        return string.Join('/', kept);
    }
}
