using System.Globalization;
using LlmTrack.Model.Tracing;

namespace LlmTrack.Rest.Tracing;

/// <summary>Maps a <see cref="TraceInfoRecord"/> to the start-trace JSON, with protobuf's JSON forms of time and duration.</summary>
internal static class TraceInfoWire
{
    /// <summary>The wire form.</summary>
    public static WireTraceInfoV3 From(TraceInfoRecord trace) => new()
    {
        TraceId = trace.TraceId,
        TraceLocation = new WireTraceLocation { MlflowExperiment = new WireMlflowExperimentLocation { ExperimentId = trace.ExperimentId } },
        RequestTime = Timestamp(trace.RequestTimeMs),
        ExecutionDuration = Duration(trace.ExecutionDurationNanos / 1_000_000),
        State = trace.State,
        TraceMetadata = trace.Metadata,
        Tags = trace.Tags,
        RequestPreview = trace.RequestPreview,
        ResponsePreview = trace.ResponsePreview,
    };

    /// <summary>Protobuf Timestamp JSON of a millisecond time: <c>2026-12-04T04:26:52.793Z</c> (no fraction when whole).</summary>
    public static string Timestamp(long unixMs)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;
        return time.ToString(unixMs % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Protobuf Duration JSON of milliseconds: <c>0s</c>, <c>0.225s</c>, <c>12.001s</c>.</summary>
    public static string Duration(long ms)
    {
        var seconds = ms / 1000;
        var fraction = ms % 1000;
        return fraction == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds}.{fraction:000}s");
    }
}
