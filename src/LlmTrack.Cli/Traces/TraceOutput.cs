using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmTrack.Cli.Common;

namespace LlmTrack.Cli.Traces;

/// <summary>Writes traces as a table, a span tree, or JSON.</summary>
internal static class TraceOutput
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly string[] TableHeader = ["TRACE_ID", "REQUEST_TIME (UTC)", "STATE", "DURATION", "NAME", "TOKENS (in/out)", "ASSESSMENTS"];

    /// <summary>One line per trace: id, start (UTC), state, duration, name, tokens, assessments.</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<TraceInfo> traces)
    {
        if (traces.Count == 0)
        {
            output.WriteLine("No traces.");
            return;
        }

        var rows = new List<string[]> { TableHeader };
        rows.AddRange(traces.Select(t => new[]
        {
            t.TraceId,
            t.RequestTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", C),
            StateName(t.State),
            Duration(t.ExecutionDuration),
            t.Name ?? "",
            t.TokenUsage is { } u ? string.Create(C, $"{u.PromptTokens}/{u.CompletionTokens}") : "",
            t.Assessments.Count.ToString(C),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>The trace's header, its span tree and its assessments.</summary>
    public static void WriteTree(TextWriter output, Trace trace)
    {
        var info = trace.Info;
        var header = string.Create(C, $"{info.TraceId}  {StateName(info.State)}  {Duration(info.ExecutionDuration)}  {info.RequestTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
        output.WriteLine(info.Name is null ? header : header + "  " + info.Name);
        if (info.TokenUsage is { } usage)
        {
            output.WriteLine(string.Create(C, $"tokens: {usage.PromptTokens} in, {usage.CompletionTokens} out, {usage.TotalTokens} total"));
        }

        if (info.SourceRunId is { } run)
        {
            output.WriteLine($"run: {run}");
        }

        output.WriteLine();
        if (trace.Spans.Count == 0)
        {
            output.WriteLine("(no spans)");
        }

        foreach (var root in trace.RootSpans.OrderBy(s => s.StartTimeUnixNano))
        {
            output.WriteLine(SpanLine(root));
            WriteChildren(output, trace, root, "");
        }

        if (info.Assessments.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Assessments:");
            foreach (var a in info.Assessments)
            {
                output.WriteLine("  " + AssessmentLine(a));
            }
        }
    }

    /// <summary>Trace infos as a JSON array.</summary>
    public static void WriteInfosJson(TextWriter output, IReadOnlyList<TraceInfo> traces) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteStartArray();
            foreach (var trace in traces)
            {
                WriteInfo(w, trace);
            }

            w.WriteEndArray();
        });

    /// <summary>A trace with its spans as one JSON object.</summary>
    public static void WriteTraceJson(TextWriter output, Trace trace) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("info");
            WriteInfo(w, trace.Info);
            w.WriteStartArray("spans");
            foreach (var span in trace.Spans)
            {
                w.WriteStartObject();
                w.WriteString("span_id", span.SpanId);
                w.WriteString("parent_span_id", span.ParentSpanId);
                w.WriteString("name", span.Name);
                w.WriteString("span_type", span.SpanType);
                w.WriteNumber("start_time_unix_nano", span.StartTimeUnixNano);
                if (span.EndTimeUnixNano is { } end)
                {
                    w.WriteNumber("end_time_unix_nano", end);
                }

                w.WriteString("status", span.StatusCode.ToString().ToUpperInvariant());
                w.WriteStartObject("attributes");
                foreach (var (key, value) in span.Attributes)
                {
                    w.WritePropertyName(key);
                    WriteNode(w, value);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static void WriteChildren(TextWriter output, Trace trace, Span parent, string indent)
    {
        var children = trace.ChildrenOf(parent).ToList();
        for (var i = 0; i < children.Count; i++)
        {
            var last = i == children.Count - 1;
            output.WriteLine(indent + (last ? "└─ " : "├─ ") + SpanLine(children[i]));
            WriteChildren(output, trace, children[i], indent + (last ? "   " : "│  "));
        }
    }

    private static string SpanLine(Span span)
    {
        var line = span.Name;
        if (span.SpanType is { } type)
        {
            line += " [" + type + "]";
        }

        line += "  " + Duration(span.Duration);
        if (span.TokenUsage is { } usage)
        {
            line += string.Create(C, $"  tokens {usage.PromptTokens}/{usage.CompletionTokens}/{usage.TotalTokens}");
        }

        if (span.StatusCode == SpanStatusCode.Error)
        {
            line += "  ERROR" + (span.StatusMessage.Length > 0 ? ": " + span.StatusMessage : "");
        }

        return line;
    }

    private static string AssessmentLine(Assessment a)
    {
        var kind = a.Expectation is not null ? "expectation" : "feedback";
        var value = a.Feedback?.Error is { } error ? "error " + error.Code + ": " + error.Message : a.Value?.ToJsonString() ?? "null";
        var line = $"{a.Name} = {value}  ({kind}, {a.Source.Type.ToString().ToUpperInvariant()}/{a.Source.Id}{(a.Valid ? "" : ", overridden")})";
        return a.Rationale is { Length: > 0 } rationale ? line + "  \"" + rationale + "\"" : line;
    }

    private static void WriteInfo(Utf8JsonWriter w, TraceInfo t)
    {
        w.WriteStartObject();
        w.WriteString("trace_id", t.TraceId);
        w.WriteString("experiment_id", t.ExperimentId);
        w.WriteString("request_time", t.RequestTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", C));
        if (t.ExecutionDuration is { } d)
        {
            w.WriteNumber("execution_time_ms", (long)d.TotalMilliseconds);
        }

        w.WriteString("state", StateName(t.State));
        w.WriteString("name", t.Name);
        w.WriteString("source_run", t.SourceRunId);
        if (t.TokenUsage is { } u)
        {
            w.WriteStartObject("token_usage");
            w.WriteNumber("input_tokens", u.PromptTokens);
            w.WriteNumber("output_tokens", u.CompletionTokens);
            w.WriteNumber("total_tokens", u.TotalTokens);
            w.WriteEndObject();
        }

        w.WriteStartObject("tags");
        foreach (var (key, value) in t.Tags)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        w.WriteStartArray("assessments");
        foreach (var a in t.Assessments)
        {
            w.WriteStartObject();
            w.WriteString("assessment_id", a.AssessmentId);
            w.WriteString("name", a.Name);
            w.WriteString("kind", a.Expectation is not null ? "expectation" : "feedback");
            w.WritePropertyName("value");
            WriteNode(w, a.Value);
            if (a.Feedback?.Error is { } error)
            {
                w.WriteString("error", error.Code + ": " + error.Message);
            }

            w.WriteString("rationale", a.Rationale);
            w.WriteString("source_type", a.Source.Type.ToString().ToUpperInvariant());
            w.WriteString("source_id", a.Source.Id);
            w.WriteBoolean("valid", a.Valid);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNode(Utf8JsonWriter w, JsonNode? node)
    {
        if (node is null)
        {
            w.WriteNullValue();
        }
        else
        {
            node.WriteTo(w);
        }
    }

    private static string StateName(TraceState state) => state switch
    {
        TraceState.Ok => "OK",
        TraceState.Error => "ERROR",
        TraceState.InProgress => "IN_PROGRESS",
        _ => "UNSPECIFIED",
    };

    private static string Duration(TimeSpan? duration) => duration is { } d ? string.Create(C, $"{d.TotalMilliseconds:0.###} ms") : "-";
}
