using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LlmTrack.Configuration;
using LlmTrack.Journal;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// Where the journals of one tracking server live and how they are written: the server's sub-folder of the journal
/// root, the <see cref="JournalOptions"/> for it, and the <c>llmtrack sync</c> command that delivers what is left there.
/// </summary>
internal static class JournalRoot
{
    /// <summary>
    /// The journal root of one tracking server: <c>&lt;root&gt;/&lt;host&gt;_&lt;port&gt;-&lt;hash&gt;</c>, the hash taken over the
    /// tracking URI without credentials, so journals of different servers never mix and no credentials reach the disk.
    /// </summary>
    public static string ServerRoot(string baseRoot, string trackingUri)
    {
        var redacted = TrackingUri.Redact(trackingUri.Trim()).TrimEnd('/');
        string label;
        if (Uri.TryCreate(redacted, UriKind.Absolute, out var uri))
        {
            label = uri.Host + "_" + uri.Port.ToString(CultureInfo.InvariantCulture);
            redacted = uri.Scheme + "://" + uri.Host.ToLowerInvariant() + ":" + uri.Port.ToString(CultureInfo.InvariantCulture) + uri.AbsolutePath.TrimEnd('/');
        }
        else
        {
            label = "server";
        }

        var safe = new string([.. label.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(redacted)))[..12].ToLowerInvariant();
        return Path.Combine(baseRoot, safe + "-" + hash);
    }

    /// <summary>The journal settings for <paramref name="trackingUri"/>; <paramref name="recordServer"/>: also write the folder's <c>server.json</c> (<see cref="JournalServerRecord"/>).</summary>
    public static JournalOptions CreateJournalOptions(string trackingUri, DurabilityOptions durability, TimeProvider timeProvider, ILogger logger, bool recordServer = true)
    {
        ArgumentNullException.ThrowIfNull(durability);
        var root = ServerRoot(JournalOptions.ResolveRoot(durability.JournalDirectory), trackingUri);
        if (recordServer)
        {
            JournalServerRecord.TryWrite(root, trackingUri, message => logger.LogWarning("{Message}", message));
        }

        return new JournalOptions
        {
            Root = root,
            MaxTotalBytes = durability.DiskCapBytes,
            FlushInterval = durability.FlushToDiskInterval,
            TimeProvider = timeProvider,
            OnWarning = message => logger.LogWarning("{Message}", message),
        };
    }

    /// <summary>The command that delivers the journals of <paramref name="trackingUri"/> (credentials redacted).</summary>
    public static string SyncCommand(string trackingUri, DurabilityOptions durability)
    {
        var command = "llmtrack sync --tracking-uri " + TrackingUri.Redact(trackingUri.Trim());
        return durability.JournalDirectory is { Length: > 0 } folder ? command + " --journal-dir " + folder : command;
    }
}
