namespace LlmTrack.Configuration;

/// <summary>
/// What a tracking URI names, decided from the text alone: an MLflow server (<c>http(s)://</c>), a local SQLite store
/// (<c>sqlite:///relative/path.db</c>, <c>sqlite:////absolute/path.db</c>), and its redacted form for messages.
/// Lives with the options so configuration, stores and delivery can all read URIs without depending on each other.
/// </summary>
internal static class TrackingUri
{
    private const string SqlitePrefix = "sqlite:///";

    /// <summary>
    /// A tracking URI with its user-info part (credentials) replaced by <c>***</c>, for messages, logs and
    /// <c>ToString()</c>: <c>http://user:secret@host</c> → <c>http://***@host</c>. The user info ends at the last
    /// <c>@</c> of the authority, so a password containing <c>@</c> is hidden whole.
    /// </summary>
    /// <param name="trackingUri">The URI.</param>
    /// <returns>The URI without credentials.</returns>
    public static string Redact(string trackingUri)
    {
        var scheme = trackingUri.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return trackingUri;
        }

        var authorityStart = scheme + 3;
        var authorityEnd = trackingUri.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = trackingUri.AsSpan(authorityStart, (authorityEnd < 0 ? trackingUri.Length : authorityEnd) - authorityStart);
        var at = authority.LastIndexOf('@');
        return at < 0
            ? trackingUri
            : string.Concat(trackingUri.AsSpan(0, authorityStart), "***@", trackingUri.AsSpan(authorityStart + at + 1));
    }

    /// <summary>Whether a tracking URI names an HTTP(S) tracking server.</summary>
    /// <param name="trackingUri">The URI, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> for an absolute <c>http://</c> or <c>https://</c> URI.</returns>
    public static bool IsHttp(string? trackingUri) => TryGetHttpBaseAddress(trackingUri, out _);

    /// <summary>The base address for a tracking URI (<c>http(s)://host[:port][/prefix]/</c>), without credentials.</summary>
    /// <param name="trackingUri">The URI, or <see langword="null"/>.</param>
    /// <param name="baseAddress">The base address when the URI names an HTTP(S) server.</param>
    /// <returns>Whether the URI names an HTTP(S) server.</returns>
    public static bool TryGetHttpBaseAddress(string? trackingUri, out Uri baseAddress)
    {
        baseAddress = null!;
        if (string.IsNullOrWhiteSpace(trackingUri)
            || !Uri.TryCreate(trackingUri.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }

        baseAddress = NormalizeHttpBaseAddress(uri);
        return true;
    }

    /// <summary>Drops user info, query and fragment and makes the path end in <c>/</c>.</summary>
    /// <param name="uri">An HTTP(S) URI.</param>
    /// <returns>The base address.</returns>
    public static Uri NormalizeHttpBaseAddress(Uri uri)
    {
        var builder = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return builder.Uri;
    }

    /// <summary>
    /// The tracking URI of the in-process store (<c>memory:</c>): the local store's full semantics on a SQLite database
    /// that lives in memory for the life of one tracker, with artifacts in a temporary folder deleted with it. Meant for
    /// the tests of applications that use LlmTrack.
    /// </summary>
    public const string Memory = "memory:";

    /// <summary>Whether <paramref name="trackingUri"/> is <see cref="Memory"/>.</summary>
    /// <param name="trackingUri">The URI, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> for <c>memory:</c> (any case, surrounding blanks ignored).</returns>
    public static bool IsMemory(string? trackingUri) =>
        trackingUri is not null && trackingUri.Trim().Equals(Memory, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="trackingUri"/> names a SQLite database.</summary>
    /// <param name="trackingUri">The URI, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> for a <c>sqlite:</c> URI.</returns>
    public static bool IsSqlite(string? trackingUri) =>
        trackingUri is not null && trackingUri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Returns the absolute path of the database file named by a SQLite tracking URI: <c>sqlite:///relative/path.db</c>
    /// (relative to the current directory) or <c>sqlite:////absolute/path.db</c> (SQLAlchemy's form, also
    /// <c>sqlite:///C:/path.db</c> on Windows). A query string (<c>?timeout=20</c>) is ignored.
    /// </summary>
    /// <param name="trackingUri">The URI.</param>
    /// <returns>The database file's absolute path.</returns>
    /// <exception cref="MlflowException">The URI is not a file-backed SQLite URI.</exception>
    public static string GetSqliteDatabasePath(string trackingUri)
    {
        ArgumentNullException.ThrowIfNull(trackingUri);
        if (!trackingUri.StartsWith(SqlitePrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Invalid SQLite tracking URI '{trackingUri}': expected 'sqlite:///relative/path.db' or 'sqlite:////absolute/path.db'.");
        }

        var path = trackingUri[SqlitePrefix.Length..];
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
