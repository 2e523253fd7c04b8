namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// Parses MLflow's SQLite tracking URIs: <c>sqlite:///relative/path.db</c> (relative to the current
/// directory) and <c>sqlite:////absolute/path.db</c> (SQLAlchemy's form, also
/// <c>sqlite:///C:/path.db</c> on Windows). A query string (<c>?timeout=20</c>) is ignored.
/// </summary>
internal static class SqliteTrackingUri
{
    private const string Prefix = "sqlite:///";

    /// <summary>Whether <paramref name="trackingUri"/> names a SQLite database.</summary>
    public static bool IsSqliteUri(string? trackingUri) =>
        trackingUri is not null && trackingUri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the absolute path of the database file named by <paramref name="trackingUri"/>.</summary>
    /// <exception cref="MlflowException">The URI is not a file-backed SQLite URI.</exception>
    public static string GetDatabasePath(string trackingUri)
    {
        ArgumentNullException.ThrowIfNull(trackingUri);
        if (!trackingUri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Invalid SQLite tracking URI '{trackingUri}': expected 'sqlite:///relative/path.db' or 'sqlite:////absolute/path.db'.");
        }

        var path = trackingUri[Prefix.Length..];
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            path = path[..query];
        }

        path = Uri.UnescapeDataString(path);
        if (path.Length == 0 || path == ":memory:")
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Invalid SQLite tracking URI '{trackingUri}': the local store needs a database file, e.g. 'sqlite:///mlflow.db'.");
        }

        return Path.GetFullPath(path);
    }
}
