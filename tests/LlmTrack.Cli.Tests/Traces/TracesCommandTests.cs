using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace LlmTrack.Cli.Tests.Traces;

public sealed class TracesCommandTests : IDisposable
{
    private const string TraceId = "tr-c9d98760344a5bd0a6b2cc7b31720adc";
    private const string RunId = "6788c757aeaa40bc9e954ee1764d49ae";
    private readonly WireMockServer _server = WireMockServer.Start();

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }

    /// <summary>The answer the real server gave to the first exchange of traces.out whose request line has the marker and whose request or answer has the body marker.</summary>
    private static (int Status, string Body) Recorded(string marker, string bodyMarker)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "mlflow", "traces.out"));
        for (var i = 0; i + 2 < lines.Length; i++)
        {
            if (lines[i].StartsWith(">>> ", StringComparison.Ordinal) && lines[i].Contains(marker, StringComparison.Ordinal)
                && (lines[i] + lines[i + 1] + lines[i + 2]).Contains(bodyMarker, StringComparison.Ordinal) && lines[i + 2].StartsWith("<<< ", StringComparison.Ordinal))
            {
                var answer = lines[i + 2];
                var body = answer[(answer.IndexOf(']', StringComparison.Ordinal) + 2)..];
                return (int.Parse(answer.AsSpan(4, 3), provider: System.Globalization.CultureInfo.InvariantCulture), body);
            }
        }

        throw new InvalidOperationException($"No exchange '{marker}' / '{bodyMarker}' in traces.out.");
    }

    private void Respond(string path, string method, (int Status, string Body) answer) =>
        _server.Given(Request.Create().WithPath(path).UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(answer.Status).WithHeader("Content-Type", "application/json").WithBody(answer.Body));

    private Task<CliRun> RunAsync(params string[] args) =>
        CliRun.RunWithEnvironmentAsync(new Dictionary<string, string> { ["MLFLOW_TRACKING_URI"] = _server.Urls[0] }, args);

    [Fact]
    public async Task ListByRunPrintsATableOfTheRunsTraces()
    {
        Respond("/api/2.0/mlflow/runs/get", "GET", Recorded("runs/get", RunId));
        Respond("/api/3.0/mlflow/traces/search", "POST", Recorded("traces/search", "attribute.run_id"));

        var result = await RunAsync("traces", "ls", "--run", RunId);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TRACE_ID", lines[0], StringComparison.Ordinal);
        Assert.Contains(TraceId, lines[1], StringComparison.Ordinal);
        Assert.Contains("OK", lines[1], StringComparison.Ordinal);
        Assert.Contains("119 ms", lines[1], StringComparison.Ordinal);
        Assert.Contains("pipeline", lines[1], StringComparison.Ordinal);
        Assert.Contains("12/5", lines[1], StringComparison.Ordinal);
        var sent = JsonNode.Parse(_server.LogEntries.Single(e => e.RequestMessage.Path.EndsWith("traces/search", StringComparison.Ordinal)).RequestMessage.Body!)!;
        Assert.Equal($"attribute.run_id = '{RunId}'", (string?)sent["filter"]);
        Assert.Equal("1", (string?)sent["locations"]![0]!["mlflow_experiment"]!["experiment_id"]);
    }

    [Fact]
    public async Task ListAsJsonStopsAtMax()
    {
        Respond("/api/2.0/mlflow/experiments/get-by-name", "GET", Recorded("experiments/get-by-name", "traces-demo"));
        Respond("/api/3.0/mlflow/traces/search", "POST", Recorded("traces/search", "\"max_results\": 10}"));

        var result = await RunAsync("traces", "ls", "--experiment", "1", "--max", "2", "--format", "json");

        Assert.Equal(0, result.ExitCode);
        var traces = JsonNode.Parse(result.Stdout)!.AsArray();
        Assert.Equal(2, traces.Count);
        Assert.Equal("ERROR", (string?)traces[0]!["state"]);
    }

    [Fact]
    public async Task ShowPrintsTheSpanTreeWithTypesTokensAndAssessments()
    {
        Respond($"/api/3.0/mlflow/traces/{TraceId}", "GET", Recorded($"/api/3.0/mlflow/traces/{TraceId} {{}}", "a-44dc93e78d2b465caff54a6c695ace23"));
        Respond("/api/3.0/mlflow/traces/batchGet", "GET", Recorded("traces/batchGet", $"params={{\"trace_ids\": [\"{TraceId}\"]}}"));

        var result = await RunAsync("traces", "show", TraceId);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("tokens: 12 in, 5 out, 17 total", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("pipeline [CHAIN]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("├─ retrieve [RETRIEVER]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("└─ llm [CHAT_MODEL]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("tokens 12/5/17", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("relevance = 0.3  (feedback, CODE/default)  \"re-judged\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("relevance = 0.8  (feedback, HUMAN/alice, overridden)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowAsJsonHasHexSpanIdsAndDecodedAttributes()
    {
        Respond($"/api/3.0/mlflow/traces/{TraceId}", "GET", Recorded($"/api/3.0/mlflow/traces/{TraceId} {{}}", "traces/"));
        Respond("/api/3.0/mlflow/traces/batchGet", "GET", Recorded("traces/batchGet", $"params={{\"trace_ids\": [\"{TraceId}\"]}}"));

        var result = await RunAsync("traces", "show", TraceId, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        var spans = JsonNode.Parse(result.Stdout)!["spans"]!.AsArray();
        var llm = spans.Single(s => (string?)s!["name"] == "llm")!;
        Assert.Equal("31bfd51e468e87ec", (string?)llm["span_id"]);
        Assert.Equal("CHAT_MODEL", (string?)llm["span_type"]);
        Assert.Equal(12, (int)llm["attributes"]!["mlflow.chat.tokenUsage"]!["input_tokens"]!);
    }

    [Fact]
    public async Task AnUnknownTraceIsAnErrorWithMlflowsCode()
    {
        const string missing = "tr-00000000000000000000000000000000";
        Respond($"/api/3.0/mlflow/traces/{missing}", "GET", Recorded($"/api/3.0/mlflow/traces/{missing}", missing));

        var result = await RunAsync("traces", "show", missing);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("RESOURCE_DOES_NOT_EXIST", result.Stderr, StringComparison.Ordinal);
    }
}
