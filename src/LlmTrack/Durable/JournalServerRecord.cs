using LlmTrack.Model;
using LlmTrack.Configuration;
using System.Buffers;
using System.Text.Json;
using LlmTrack.Journal;
using LlmTrack.Stores;

namespace LlmTrack.Durable;

/// <summary>
/// The <c>server.json</c> in each tracking server's journal folder (<see cref="JournalRoot.ServerRoot"/>): the
/// tracking URI without credentials, so <c>llmtrack sync</c> and <c>llmtrack status</c> without a tracking URI know where
/// the journals of every folder belong. Folders made by versions before this file existed have none.
/// </summary>
internal static class JournalServerRecord
{
    /// <summary>The file name inside a server's journal folder.</summary>
    public const string FileName = "server.json";

    /// <summary>
    /// <paramref name="trackingUri"/> without its user-info part (credentials): <c>http://user:secret@host:5000</c> →
    /// <c>http://host:5000</c>; it maps to the same <see cref="JournalRoot.ServerRoot"/>.
    /// </summary>
    /// <param name="trackingUri">The tracking URI.</param>
    /// <returns>The URI without credentials.</returns>
    public static string WithoutCredentials(string trackingUri)
    {
        ArgumentNullException.ThrowIfNull(trackingUri);
        var redacted = TrackingUri.Redact(trackingUri.Trim());
        var marker = redacted.IndexOf("://***@", StringComparison.Ordinal);
        return marker < 0 ? redacted : string.Concat(redacted.AsSpan(0, marker + 3), redacted.AsSpan(marker + 7));
    }

    /// <summary>
    /// Writes <c>server.json</c> into <paramref name="serverRoot"/> (created 0700 on Unix) unless it already records the same
    /// URI; replaced atomically (temporary file, then rename).
    /// </summary>
    /// <param name="serverRoot">The server's journal folder.</param>
    /// <param name="trackingUri">The tracking URI (its credentials are not written).</param>
    /// <exception cref="JournalException">The folder or the file could not be written.</exception>
    public static void Write(string serverRoot, string trackingUri)
    {
        ArgumentNullException.ThrowIfNull(serverRoot);
        var uri = WithoutCredentials(trackingUri);
        if (TryRead(serverRoot) == uri)
        {
            return;
        }

        JournalFiles.CreatePrivateFolder(serverRoot);
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", 1);
            writer.WriteString("tracking_uri", uri);
            writer.WriteEndObject();
        }

        JournalFiles.WriteAtomically(Path.Combine(serverRoot, FileName), output.WrittenSpan);
    }

    /// <summary>
    /// As <see cref="Write"/>, but a failure only goes to <paramref name="onWarning"/>: the journal itself reports a folder it
    /// cannot write, and a missing record only means <c>llmtrack sync</c> needs <c>--tracking-uri</c> for this folder.
    /// </summary>
    /// <param name="serverRoot">The server's journal folder.</param>
    /// <param name="trackingUri">The tracking URI (its credentials are not written).</param>
    /// <param name="onWarning">Receives the warning.</param>
    public static void TryWrite(string serverRoot, string trackingUri, Action<string> onWarning)
    {
        try
        {
            Write(serverRoot, trackingUri);
        }
        catch (JournalException ex)
        {
            onWarning($"LlmTrack journal: could not write '{Path.Combine(serverRoot, FileName)}': {ex.Message}");
        }
    }

    /// <summary>The tracking URI recorded in <paramref name="serverRoot"/>, or <see langword="null"/> when there is no readable record.</summary>
    /// <param name="serverRoot">The server's journal folder.</param>
    /// <returns>The URI (without credentials), or <see langword="null"/>.</returns>
    public static string? TryRead(string serverRoot)
    {
        ArgumentNullException.ThrowIfNull(serverRoot);
        byte[]? json;
        try
        {
            if (!JournalFiles.TryReadAll(Path.Combine(serverRoot, FileName), out json))
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("tracking_uri", out var uri)
                && uri.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(uri.GetString())
                ? uri.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
