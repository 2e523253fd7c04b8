using System.Diagnostics;
using System.Reflection;

namespace LlmTrack.Tests.Sqlite;

[Trait("Category", "Slow")]
public sealed class MultiProcessTests
{
    private static string ChildPath =>
        typeof(MultiProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LlmTrack.TestChild.Path").Value!;

    [Fact]
    public async Task TwoProcessesLogIntoOneDatabaseWithoutErrorsOrLostWrites()
    {
        using var folder = new TempFolder();
        const int perProcess = 50_000;

        // Both children race to create the database, then log concurrently.
        var children = Enumerable.Range(0, 2).Select(_ => StartChild(folder.TrackingUri, perProcess)).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var results = await Task.WhenAll(children.Select(async child =>
        {
            var output = child.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = child.StandardError.ReadToEndAsync(timeout.Token);
            await child.WaitForExitAsync(timeout.Token);
            return (child.ExitCode, Output: (await output).Trim(), Error: await error);
        }));

        foreach (var (exitCode, _, error) in results)
        {
            Assert.True(exitCode == 0, error);
        }

        using var connection = folder.OpenConnection();
        Assert.Equal(2L * perProcess, connection.Scalar("SELECT COUNT(*) FROM metrics"));
        Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM experiments"));
        Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM alembic_version"));
        foreach (var (_, runId, _) in results)
        {
            Assert.Equal((long)perProcess, connection.Scalar($"SELECT COUNT(*) FROM metrics WHERE run_uuid = '{runId}'"));
            Assert.Equal(
                new object?[] { (long)(perProcess - 1), "FINISHED" },
                connection.Rows($"SELECT l.step, r.status FROM latest_metrics l JOIN runs r ON r.run_uuid = l.run_uuid WHERE l.run_uuid = '{runId}'").Single());
        }

        Assert.Equal("wal", connection.Scalar("PRAGMA journal_mode"));
    }

    private static Process StartChild(string trackingUri, int count)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { ChildPath, "log-metrics", trackingUri, count.ToString(System.Globalization.CultureInfo.InvariantCulture), "1000" })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
    }
}
