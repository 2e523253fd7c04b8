using System.Diagnostics;
using System.Reflection;

namespace LlmTrack.Tests.Durable;

/// <summary>A real process logs in durable mode while the server is down and is killed (kill -9); the next tracker delivers its journal.</summary>
[Trait("Category", "Slow")]
public sealed class KilledProcessTests : IDisposable
{
    private readonly DurableFixture _fixture = new();

    private static string ChildPath =>
        typeof(KilledProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LlmTrack.TestChild.Path").Value!;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task KilledWhileServerDownNextTrackerDeliversEverythingFlushedAndEndsRunFailed()
    {
        // A port nobody listens on: the child's server is unreachable.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var uri = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { ChildPath, "durable-log", uri, _fixture.BaseRoot, "2000" })
        {
            start.ArgumentList.Add(argument);
        }

        string localRunId;
        using (var child = Process.Start(start)!)
        {
            string? line;
            try
            {
                line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            finally
            {
                child.Kill();
                await child.WaitForExitAsync();
            }

            Assert.True(line is not null && line.StartsWith("ready ", StringComparison.Ordinal), $"child said '{line}': {await child.StandardError.ReadToEndAsync()}");
            localRunId = line["ready ".Length..];
        }

        var server = new SwitchableServer();
        var (tracker, store) = _fixture.NewTracker(server, trackingUri: uri);
        using (tracker)
        {
            await store.Recovery;
            await server.Server.WaitUntilAsync(s => s.AllRuns().Any(r => r.Info.Status == RunStatus.Failed));
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal("killed", stored.Info.RunName);
        // In the order MLflow's get-history returns points (timestamp, step, value): metric batches are delivered
        // concurrently, so the order they arrived in is not the order they were logged in, and MLflow never shows it.
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (long)i), stored.History.OrderBy(m => m.Timestamp).ThenBy(m => m.Step).Select(m => m.Step));
        Assert.NotNull(stored.Info.EndTime);
        Assert.True(stored.Info.EndTime >= stored.History.Max(m => m.Timestamp));
        Assert.Matches("^[0-9a-f]{32}$", localRunId);
    }
}
