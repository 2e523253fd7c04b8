namespace LlmTrack.Cli.Tests.Sync;

/// <summary><c>llmtrack status</c> and <c>llmtrack sync</c> without a tracking URI: every server folder under the journal root.</summary>
public sealed class JournalRootCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llmtrack-cli-root-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // No MLFLOW_TRACKING_URI; no retries, so a server that does not answer fails at once.
    private static Dictionary<string, string> Environment => new() { ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0" };

    [Fact]
    public async Task StatusAndSyncWithoutATrackingUriCoverEveryServerFolder()
    {
        using var up = FakeMlflowServer.Listen();
        using var down = FakeMlflowServer.Listen();
        up.Fault = (_, _) => FakeFault.Unavailable;
        down.Fault = (_, _) => FakeFault.Unavailable;
        LeaveJournal(up.Uri, "to-up");
        LeaveJournal(down.Uri, "to-down");

        // A folder made before server.json existed: the same journal, in a folder that records no server.
        var upFolder = Assert.Single(Directory.GetDirectories(_root), f => File.ReadAllText(Path.Combine(f, "server.json")).Contains(up.Uri, StringComparison.Ordinal));
        var legacy = Path.Combine(_root, "legacy_5000-0123456789ab");
        CopyFolder(Assert.Single(Directory.GetDirectories(upFolder)), Path.Combine(legacy, "0123456789abcdef0123456789abcdef"));
        up.Fault = (_, _) => FakeFault.None;

        var status = await CliRun.RunWithEnvironmentAsync(Environment, "status", "--journal-dir", _root);
        Assert.Equal(CliApp.Success, status.ExitCode);
        Assert.Contains($"Tracking server: {up.Uri}", status.Stdout);
        Assert.Contains($"Tracking server: {down.Uri}", status.Stdout);
        Assert.Contains("unknown (the folder has no server.json", status.Stdout);
        Assert.Contains(legacy, status.Stdout);
        Assert.Contains("llmtrack sync --tracking-uri <uri>", status.Stdout);
        Assert.Equal(3, CountOf(status.Stdout, "1 run journals"));

        var sync = await CliRun.RunWithEnvironmentAsync(Environment, "sync", "--journal-dir", _root, "--quiet");
        Assert.Equal(CliApp.Incomplete, sync.ExitCode);
        Assert.Contains("Delivered 1 run journals; 2 remain on disk", sync.Stdout);
        Assert.Contains(down.Uri, sync.Stderr);
        Assert.Contains("--tracking-uri", sync.Stderr);
        var delivered = Assert.Single(up.Runs());
        Assert.Equal("to-up", delivered.RunName);
        Assert.Equal("FINISHED", delivered.Status);
        Assert.Equal(20, delivered.Metrics.Count);
        Assert.Empty(down.Runs());

        var after = await CliRun.RunWithEnvironmentAsync(Environment, "status", "--journal-dir", _root);
        Assert.Equal(CliApp.Success, after.ExitCode);
        Assert.Equal(2, CountOf(after.Stdout, "1 run journals"));
        Assert.Equal(1, CountOf(after.Stdout, "0 run journals"));

        // With the URI given, only that server is looked at (as before).
        down.Fault = (_, _) => FakeFault.None;
        var one = await CliRun.RunWithEnvironmentAsync(Environment, "sync", "--tracking-uri", down.Uri, "--journal-dir", _root, "--quiet");
        Assert.Equal(CliApp.Success, one.ExitCode);
        Assert.Contains("Delivered 1 run journals; 0 remain on disk", one.Stdout);
        Assert.Equal("to-down", Assert.Single(down.Runs()).RunName);
    }

    [Fact]
    public async Task StatusWithoutATrackingUriOfAnEmptyRootSucceeds()
    {
        var run = await CliRun.RunWithEnvironmentAsync(Environment, "status", "--journal-dir", _root);
        Assert.Equal(CliApp.Success, run.ExitCode);
        Assert.Contains("No journals of any tracking server.", run.Stdout);
    }

    [Fact]
    public async Task SyncWithoutATrackingUriOfAnEmptyRootSucceeds()
    {
        var run = await CliRun.RunWithEnvironmentAsync(Environment, "sync", "--journal-dir", _root, "--quiet");
        Assert.Equal(CliApp.Success, run.ExitCode);
        Assert.Contains("Delivered 0 run journals; 0 remain on disk", run.Stdout);
    }

    [Fact]
    public async Task StatusWithAnUnsupportedUriExitsNonZero()
    {
        var run = await CliRun.RunWithEnvironmentAsync(Environment, "status", "--tracking-uri", "ftp://nowhere", "--journal-dir", _root);
        Assert.Equal(CliApp.InputError, run.ExitCode);
        Assert.Contains("llmtrack: error:", run.Stderr);
    }

    // A durable run whose server refuses everything: it starts locally, ends, and its journal stays on disk.
    private void LeaveJournal(string trackingUri, string runName)
    {
        var options = new LlmTrackOptions { TrackingUri = trackingUri };
        options.Http.MaxRetries = 0;
        options.Durability.JournalDirectory = _root;
        options.Durability.DrainTimeout = TimeSpan.Zero;
        options.Durability.MinRetryDelay = TimeSpan.FromMinutes(10);
        options.Durability.MaxRetryDelay = TimeSpan.FromMinutes(10);
        using var tracker = new Tracker(options);
        using var run = tracker.StartRun("journaled", runName: runName);
        for (var step = 0; step < 20; step++)
        {
            run.LogMetric("loss", 1.0 / (step + 1), step);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            if (!file.EndsWith(".lock", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
