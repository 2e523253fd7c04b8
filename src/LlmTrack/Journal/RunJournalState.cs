using System.Buffers;
using System.Text.Json;

namespace LlmTrack.Journal;

/// <summary>
/// A run journal's identity and lifecycle, kept in <c>run.json</c> (replaced atomically) so that it
/// survives after the segments holding <see cref="RunCreatedRecord"/>, <see cref="RunMappedRecord"/> and
/// <see cref="RunEndedRecord"/> were acknowledged and deleted. The writer updates it when it writes one of
/// those records (after the record is on disk) and when it rolls over to a new segment.
/// </summary>
internal sealed record RunJournalState
{
    /// <summary>The local run id (the folder name).</summary>
    public required string LocalRunId { get; init; }

    /// <summary>The experiment id the run named, if any.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>The experiment name the run named, if any.</summary>
    public string? ExperimentName { get; init; }

    /// <summary>The run's display name.</summary>
    public string? RunName { get; init; }

    /// <summary>Start time, Unix epoch milliseconds.</summary>
    public long StartTime { get; init; }

    /// <summary>The local run id of the parent run.</summary>
    public string? ParentLocalRunId { get; init; }

    /// <summary>The process that created the journal.</summary>
    public JournalOwner Owner { get; init; }

    /// <summary>The server's run id once the run was created there.</summary>
    public string? ServerRunId { get; init; }

    /// <summary>The run's artifact root on the server.</summary>
    public string? ArtifactUri { get; init; }

    /// <summary>The final status, once the run ended.</summary>
    public RunStatus? EndStatus { get; init; }

    /// <summary>The end time, once the run ended.</summary>
    public long? EndTime { get; init; }

    /// <summary>The latest activity written (heartbeat, metric timestamp, start or end), Unix epoch milliseconds.</summary>
    public long LastActivity { get; init; }

    /// <summary>The state of a new journal.</summary>
    public static RunJournalState From(RunCreatedRecord created) => new()
    {
        LocalRunId = created.LocalRunId,
        ExperimentId = created.ExperimentId,
        ExperimentName = created.ExperimentName,
        RunName = created.RunName,
        StartTime = created.StartTime,
        ParentLocalRunId = created.ParentLocalRunId,
        Owner = created.Owner,
        LastActivity = created.StartTime,
    };

    /// <summary>The state after <paramref name="record"/> was written.</summary>
    public RunJournalState Apply(JournalRecord record)
    {
        var state = record switch
        {
            RunMappedRecord m => this with { ServerRunId = m.ServerRunId, ArtifactUri = m.ArtifactUri },
            RunEndedRecord e => this with { EndStatus = e.Status, EndTime = e.EndTime },
            _ => this,
        };
        var time = JournalRecordCodec.ActivityTime(record);
        return time > state.LastActivity ? state with { LastActivity = time.Value } : state;
    }

    /// <summary>The JSON of the state (UTF-8).</summary>
    public byte[] ToJson()
    {
        var output = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", 1);
            writer.WriteString("local_run_id", LocalRunId);
            WriteOptional(writer, "experiment_id", ExperimentId);
            WriteOptional(writer, "experiment_name", ExperimentName);
            WriteOptional(writer, "run_name", RunName);
            writer.WriteNumber("start_time", StartTime);
            WriteOptional(writer, "parent_local_run_id", ParentLocalRunId);
            writer.WriteStartObject("owner");
            writer.WriteNumber("pid", Owner.ProcessId);
            writer.WriteNumber("process_start_time", Owner.ProcessStartTime);
            writer.WriteString("machine", Owner.MachineName);
            writer.WriteEndObject();
            WriteOptional(writer, "server_run_id", ServerRunId);
            WriteOptional(writer, "artifact_uri", ArtifactUri);
            if (EndStatus is { } status)
            {
                writer.WriteNumber("end_status", JournalRecordCodec.StatusCode(status));
            }

            if (EndTime is { } end)
            {
                writer.WriteNumber("end_time", end);
            }

            writer.WriteNumber("last_activity", LastActivity);
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Parses <c>run.json</c>; <see langword="null"/> when it is not a valid state.</summary>
    public static RunJournalState? FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var owner = root.GetProperty("owner");
            return new RunJournalState
            {
                LocalRunId = root.GetProperty("local_run_id").GetString()!,
                ExperimentId = Optional(root, "experiment_id"),
                ExperimentName = Optional(root, "experiment_name"),
                RunName = Optional(root, "run_name"),
                StartTime = root.GetProperty("start_time").GetInt64(),
                ParentLocalRunId = Optional(root, "parent_local_run_id"),
                Owner = new JournalOwner(owner.GetProperty("pid").GetInt32(), owner.GetProperty("process_start_time").GetInt64(), owner.GetProperty("machine").GetString()!),
                ServerRunId = Optional(root, "server_run_id"),
                ArtifactUri = Optional(root, "artifact_uri"),
                EndStatus = root.TryGetProperty("end_status", out var s) ? JournalRecordCodec.StatusFromCode(s.GetByte()) : null,
                EndTime = root.TryGetProperty("end_time", out var e) ? e.GetInt64() : null,
                LastActivity = root.GetProperty("last_activity").GetInt64(),
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or JournalFormatException)
        {
            return null;
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
