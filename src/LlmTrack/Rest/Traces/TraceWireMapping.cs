using System.Globalization;
using System.Text;

namespace LlmTrack.Rest.Traces;

/// <summary>
/// Maps the v3 trace JSON to the public entities: RFC 3339 times, protobuf durations (<c>"0.131s"</c>), states,
/// and the base64 span ids of v3 span JSON to hex.
/// </summary>
internal static class TraceWireMapping
{
    /// <summary>Reads a trace info; a missing map or list reads as empty.</summary>
    public static TraceInfo ToTraceInfo(TraceInfoWire wire) => new()
    {
        TraceId = wire.TraceId ?? "",
        ExperimentId = wire.TraceLocation?.MlflowExperiment?.ExperimentId,
        RequestTime = ParseTime(wire.RequestTime),
        ExecutionDuration = ParseDuration(wire.ExecutionDuration),
        State = ParseState(wire.State),
        Metadata = wire.TraceMetadata ?? [],
        Tags = wire.Tags ?? [],
        RequestPreview = wire.RequestPreview,
        ResponsePreview = wire.ResponsePreview,
        ClientRequestId = wire.ClientRequestId,
        Assessments = (wire.Assessments ?? []).Select(AssessmentWireMapping.ToAssessment).ToList(),
    };

    /// <summary>Reads a trace with its spans.</summary>
    public static Trace ToTrace(TraceWire wire) =>
        new(ToTraceInfo(wire.TraceInfo ?? new TraceInfoWire()), (wire.Spans ?? []).Select(ToSpan).ToList());

    /// <summary>Reads one span of v3 span JSON.</summary>
    public static Span ToSpan(SpanWire wire) => new()
    {
        TraceId = IdToHex(wire.TraceId) ?? "",
        SpanId = IdToHex(wire.SpanId) ?? "",
        ParentSpanId = IdToHex(wire.ParentSpanId),
        Name = wire.Name ?? "",
        StartTimeUnixNano = wire.StartTimeUnixNano,
        EndTimeUnixNano = wire.EndTimeUnixNano,
        StatusCode = wire.Status?.Code switch
        {
            "STATUS_CODE_OK" => SpanStatusCode.Ok,
            "STATUS_CODE_ERROR" => SpanStatusCode.Error,
            _ => SpanStatusCode.Unset,
        },
        StatusMessage = wire.Status?.Message ?? "",
        Attributes = OtlpAnyValue.DecodeAttributes(wire.Attributes),
        Events = (wire.Events ?? []).Select(e => new SpanEvent(e.Name ?? "", e.TimeUnixNano, OtlpAnyValue.DecodeAttributes(e.Attributes))).ToList(),
    };

    /// <summary>MLflow's state name for a state.</summary>
    public static TraceState ParseState(string? state) => state switch
    {
        "OK" => TraceState.Ok,
        "ERROR" => TraceState.Error,
        "IN_PROGRESS" => TraceState.InProgress,
        _ => TraceState.Unspecified,
    };

    /// <summary>An RFC 3339 time as protobuf writes it: UTC, fraction only when non-zero (3, 6 or 9 digits).</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        var format = fraction == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'"
            : fraction % TimeSpan.TicksPerMillisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"
            : fraction % 10 == 0 ? "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"
            : "yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'";
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>Reads an RFC 3339 time; a missing one reads as the epoch.</summary>
    public static DateTimeOffset ParseTime(string? text) =>
        string.IsNullOrEmpty(text) ? DateTimeOffset.UnixEpoch : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Reads a protobuf JSON duration (<c>"0.119s"</c>, <c>"0s"</c>, <c>"-1.5s"</c>); <see langword="null"/> when missing or malformed.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.EndsWith('s')
            || !decimal.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }

        return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    /// <summary>A span or trace id of v3 span JSON (base64 of the raw bytes) as lowercase hex; hex input is kept.</summary>
    public static string? IdToHex(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        if ((id.Length == 16 || id.Length == 32) && id.All(char.IsAsciiHexDigitLower))
        {
            return id;
        }

        var buffer = new byte[(id.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(id, buffer, out var written)
            ? Convert.ToHexString(buffer.AsSpan(0, written)).ToLowerInvariant()
            : id;
    }

    /// <summary>Appends one <paramref name="name"/>=value query parameter per value, escaped.</summary>
    public static string Query(string path, string name, IEnumerable<string> values)
    {
        var sb = new StringBuilder(path);
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var value in values)
        {
            sb.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return sb.ToString();
    }
}
