using LlmTrack.Configuration;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// MLflow's SQLite tracking URIs; the parsing lives in <see cref="TrackingUri"/>. This name stays for
/// <c>Sync/StoreCopier.cs</c>, which still calls it.
/// </summary>
internal static class SqliteTrackingUri
{
    /// <summary>Whether <paramref name="trackingUri"/> names a SQLite database (<see cref="TrackingUri.IsSqlite"/>).</summary>
    /// <param name="trackingUri">The URI, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> for a <c>sqlite:</c> URI.</returns>
    public static bool IsSqliteUri(string? trackingUri) => TrackingUri.IsSqlite(trackingUri);

    /// <summary>Returns the absolute path of the database file (<see cref="TrackingUri.GetSqliteDatabasePath"/>).</summary>
    /// <param name="trackingUri">The URI.</param>
    /// <returns>The database file's absolute path.</returns>
    /// <exception cref="MlflowException">The URI is not a file-backed SQLite URI.</exception>
    public static string GetDatabasePath(string trackingUri) => TrackingUri.GetSqliteDatabasePath(trackingUri);
}
