namespace LlmTrack.Journal;

/// <summary>
/// The journal's rule for artifact URIs: a journal never stores credentials, so an artifact URI carrying user info
/// is either left out (<see cref="ForJournal"/>) or refused (<see cref="RejectCredentials"/>).
/// </summary>
internal static class JournalArtifactUri
{
    /// <summary>An artifact URI safe to keep in the journal (none when it carries credentials).</summary>
    public static string? ForJournal(string? artifactUri) =>
        string.IsNullOrEmpty(artifactUri) || HasCredentials(artifactUri) ? null : artifactUri;

    /// <summary>Throws when <paramref name="uri"/> carries user info (credentials).</summary>
    /// <exception cref="ArgumentException">The URI carries credentials.</exception>
    public static void RejectCredentials(string? uri)
    {
        if (uri is not null && HasCredentials(uri))
        {
            throw new ArgumentException("The artifact URI contains user info (credentials); the journal never stores credentials.", nameof(uri));
        }
    }

    private static bool HasCredentials(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && !string.IsNullOrEmpty(parsed.UserInfo);
}
