using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmTrack.Tests.Rest;

/// <summary>One request/response pair from a recording of the real MLflow 3.6 server.</summary>
internal sealed record RecordedExchange(string Command, string? RequestBody, int Status, string ResponseBody)
{
    public JsonNode RequestJson => JsonNode.Parse(RequestBody ?? throw new InvalidOperationException("no request body"))!;
}

/// <summary>Reads exchanges from TestData/mlflow/*.out (see PROVENANCE.md there).</summary>
internal static partial class Recordings
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "TestData", "mlflow");

    public static string ReadAll(string file) => File.ReadAllText(Path.Combine(Directory, file));

    /// <summary>The <paramref name="occurrence"/>-th <c>$ curl</c> exchange of basic.out/artifacts.out whose command contains <paramref name="marker"/>.</summary>
    public static RecordedExchange Curl(string file, string marker, int occurrence = 0)
    {
        var lines = ReadAll(file).Split('\n');
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("$ curl", StringComparison.Ordinal) || !lines[i].Contains(marker, StringComparison.Ordinal) || seen++ != occurrence)
            {
                continue;
            }

            var command = lines[i];
            var body = new List<string>();
            var j = i + 1;
            for (; j < lines.Length && !lines[j].StartsWith("[HTTP ", StringComparison.Ordinal) && !lines[j].StartsWith("$ curl", StringComparison.Ordinal); j++)
            {
                body.Add(lines[j]);
            }

            int status;
            if (j < lines.Length && lines[j].StartsWith("[HTTP ", StringComparison.Ordinal))
            {
                status = int.Parse(lines[j][6..^1]);
            }
            else
            {
                // curl -i: the status line and headers come first, the body after the blank line.
                status = int.Parse(body[0].Split(' ')[1]);
                var blank = body.FindIndex(l => l.Trim().Length == 0);
                body = body.Skip(blank + 1).ToList();
            }

            return new RecordedExchange(command, RequestBodyOf(command), status, string.Join('\n', body).Trim());
        }

        throw new InvalidOperationException($"No curl exchange with '{marker}' in {file}.");
    }

    /// <summary>The exchange of the <c>### <paramref name="title"/></c> section of edge.out.</summary>
    public static RecordedExchange Edge(string title)
    {
        var lines = ReadAll("edge.out").Split('\n');
        var start = Array.IndexOf(lines, "### " + title);
        if (start < 0)
        {
            throw new InvalidOperationException($"No section '{title}' in edge.out.");
        }

        var command = lines[start + 1];
        var statusLine = lines[start + 2];
        var match = StatusLine().Match(statusLine);
        var status = int.Parse(match.Groups[1].Value);
        var rest = match.Groups[2].Value;
        var timing = Timing().Match(rest);
        string body;
        if (timing.Success)
        {
            body = rest[..timing.Index];
        }
        else
        {
            var collected = new List<string> { rest };
            for (var j = start + 3; j < lines.Length; j++)
            {
                if (Timing().IsMatch(lines[j]) && lines[j].TrimStart().StartsWith('('))
                {
                    break;
                }

                collected.Add(lines[j]);
            }

            body = string.Join('\n', collected);
        }

        return new RecordedExchange(command, RequestBodyOf(command), status, body);
    }

    /// <summary>The request body the official Python client sent: the line after the <paramref name="occurrence"/>-th matching <c>&gt;&gt;&gt;</c> line of wire.out.</summary>
    public static string WireRequest(string method, string marker, int occurrence = 0)
    {
        var lines = ReadAll("wire.out").Split('\n');
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(">>> " + method + " ", StringComparison.Ordinal) && lines[i].Contains(marker, StringComparison.Ordinal) && seen++ == occurrence)
            {
                return lines[i + 1].Trim();
            }
        }

        throw new InvalidOperationException($"No {method} request with '{marker}' in wire.out.");
    }

    /// <summary>
    /// The <paramref name="occurrence"/>-th exchange of a Python-client transcript (search.out format: <c>&gt;&gt;&gt; METHOD URL
    /// params={…}</c>, the request body line, then <c>&lt;&lt;&lt; STATUS [content type] body</c>, or <c>&lt;text N bytes&gt;</c>
    /// followed by <c>    | </c> lines) whose request line contains <paramref name="marker"/>.
    /// </summary>
    public static RecordedExchange Python(string file, string marker, int occurrence = 0)
    {
        var lines = ReadAll(file).Split('\n');
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith(">>> ", StringComparison.Ordinal) || !lines[i].Contains(marker, StringComparison.Ordinal) || seen++ != occurrence)
            {
                continue;
            }

            var requestBody = lines[i + 1].Trim();
            var answer = PythonAnswer().Match(lines[i + 2]);
            var status = int.Parse(answer.Groups[1].Value);
            var body = answer.Groups[2].Value;
            if (body.StartsWith("<text ", StringComparison.Ordinal))
            {
                body = string.Join('\n', lines.Skip(i + 3).TakeWhile(l => l.StartsWith("    |", StringComparison.Ordinal)).Select(l => l.Length > 6 ? l[6..] : ""));
            }

            return new RecordedExchange(lines[i], requestBody == "None" ? null : requestBody, status, body);
        }

        throw new InvalidOperationException($"No exchange with '{marker}' in {file}.");
    }

    [GeneratedRegex(@"^<<< (\d{3}) \[[^\]]*\] (.*)$")]
    private static partial Regex PythonAnswer();

    private static string? RequestBodyOf(string command)
    {
        var start = command.IndexOf("-d '", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = command.LastIndexOf('\'');
        return end > start + 4 ? command[(start + 4)..end] : null;
    }

    [GeneratedRegex(@"^HTTP (\d{3}) ?(.*)$")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"\s+\(\d+ ms\)\s*$")]
    private static partial Regex Timing();
}
