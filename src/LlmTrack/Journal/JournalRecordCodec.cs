using System.Buffers;
using System.Text.Json;

namespace LlmTrack.Journal;

/// <summary>
/// Encodes and decodes the payloads of journal records. Layouts (varint = LEB128, svarint = zig-zag):
/// <list type="bullet">
/// <item><c>Metrics</c>: newKeyCount varint, new key strings (next ids in order), count varint, then per point keyId varint,
/// value as 8 raw bytes (exact bits), timestamp svarint delta from the previous point (first from 0), step svarint.</item>
/// <item><c>Params</c>/<c>Tags</c>: count varint, then key and value strings.</item>
/// <item><c>DatasetInputs</c>: count varint, then one JSON document string per input.</item>
/// <item><c>RunCreated</c>: local run id, experiment id?, experiment name?, run name?, start svarint, parent?, tags, owner pid varint, owner start svarint, machine.</item>
/// <item><c>RunMapped</c>: server run id, artifact URI?. <c>RunEnded</c>: status byte, end svarint. <c>Activity</c>: time svarint.</item>
/// <item><c>ArtifactSpooled</c>: relative path string, length varint.</item>
/// </list>
/// </summary>
internal static class JournalRecordCodec
{
    /// <summary>Most items in one decoded list (guards against corrupt counts).</summary>
    private const int MaxItems = 1 << 20;

    /// <summary>Writes the payload of metrics <paramref name="metrics"/> (at most 1,000 points).</summary>
    public static void EncodeMetrics(JournalBuffer buffer, ReadOnlySpan<Metric> metrics, JournalKeyDictionary keys)
    {
        Span<int> ids = metrics.Length <= 1024 ? stackalloc int[metrics.Length] : new int[metrics.Length];
        var before = keys.Count;
        for (var i = 0; i < metrics.Length; i++)
        {
            ids[i] = keys.GetOrAdd(metrics[i].Key);
        }

        var defined = keys.Keys;
        buffer.WriteVarUInt((ulong)(defined.Count - before));
        for (var i = before; i < defined.Count; i++)
        {
            buffer.WriteString(defined[i]);
        }

        buffer.WriteVarUInt((ulong)metrics.Length);
        long previous = 0;
        for (var i = 0; i < metrics.Length; i++)
        {
            ref readonly var metric = ref metrics[i];
            buffer.WriteVarUInt((ulong)ids[i]);
            buffer.WriteDouble(metric.Value);
            buffer.WriteVarInt(metric.Timestamp - previous);
            previous = metric.Timestamp;
            buffer.WriteVarInt(metric.Step);
        }
    }

    /// <summary>Writes the payload of a params record.</summary>
    public static void EncodeParams(JournalBuffer buffer, ReadOnlySpan<Param> parameters)
    {
        buffer.WriteVarUInt((ulong)parameters.Length);
        foreach (var p in parameters)
        {
            buffer.WriteString(p.Key);
            buffer.WriteString(p.Value);
        }
    }

    /// <summary>Writes the payload of a tags record.</summary>
    public static void EncodeTags(JournalBuffer buffer, ReadOnlySpan<Tag> tags)
    {
        buffer.WriteVarUInt((ulong)tags.Length);
        foreach (var t in tags)
        {
            buffer.WriteString(t.Key);
            buffer.WriteString(t.Value);
        }
    }

    /// <summary>Writes the payload of any record.</summary>
    public static void EncodePayload(JournalBuffer buffer, JournalRecord record, JournalKeyDictionary keys)
    {
        switch (record)
        {
            case MetricsRecord m:
                EncodeMetrics(buffer, AsSpan(m.Metrics), keys);
                break;
            case ParamsRecord p:
                EncodeParams(buffer, AsSpan(p.Params));
                break;
            case TagsRecord t:
                EncodeTags(buffer, AsSpan(t.Tags));
                break;
            case DatasetInputsRecord d:
                buffer.WriteVarUInt((ulong)d.Inputs.Count);
                foreach (var input in d.Inputs)
                {
                    buffer.WriteString(DatasetInputJson.Serialize(input));
                }

                break;
            case RunCreatedRecord c:
                buffer.WriteString(c.LocalRunId);
                buffer.WriteNullableString(c.ExperimentId);
                buffer.WriteNullableString(c.ExperimentName);
                buffer.WriteNullableString(c.RunName);
                buffer.WriteVarInt(c.StartTime);
                buffer.WriteNullableString(c.ParentLocalRunId);
                EncodeTags(buffer, AsSpan(c.Tags));
                buffer.WriteVarUInt((ulong)(uint)c.Owner.ProcessId);
                buffer.WriteVarInt(c.Owner.ProcessStartTime);
                buffer.WriteString(c.Owner.MachineName);
                break;
            case RunMappedRecord r:
                buffer.WriteString(r.ServerRunId);
                buffer.WriteNullableString(r.ArtifactUri);
                break;
            case RunEndedRecord e:
                buffer.WriteByte(StatusCode(e.Status));
                buffer.WriteVarInt(e.EndTime);
                break;
            case ActivityRecord a:
                buffer.WriteVarInt(a.Time);
                break;
            case ArtifactSpooledRecord s:
                ArgumentOutOfRangeException.ThrowIfNegative(s.Length, nameof(record));
                buffer.WriteString(s.RelativePath);
                buffer.WriteVarUInt((ulong)s.Length);
                break;
            default:
                throw new ArgumentException($"Unknown journal record {record.GetType().Name}.", nameof(record));
        }
    }

    /// <summary>Decodes a payload; metric keys defined by it are added to <paramref name="keys"/>.</summary>
    public static JournalRecord Decode(JournalRecordType type, ReadOnlySpan<byte> payload, JournalKeyDictionary keys)
    {
        var reader = new JournalSpanReader(payload);
        JournalRecord record = type switch
        {
            JournalRecordType.Metrics => DecodeMetrics(ref reader, keys),
            JournalRecordType.Params => new ParamsRecord(DecodePairs(ref reader, static (k, v) => new Param(k, v))),
            JournalRecordType.Tags => new TagsRecord(DecodePairs(ref reader, static (k, v) => new Tag(k, v))),
            JournalRecordType.DatasetInputs => DecodeDatasets(ref reader),
            JournalRecordType.RunCreated => DecodeRunCreated(ref reader),
            JournalRecordType.RunMapped => new RunMappedRecord(reader.ReadString(), reader.ReadNullableString()),
            JournalRecordType.RunEnded => new RunEndedRecord(StatusFromCode(reader.ReadByte()), reader.ReadVarInt()),
            JournalRecordType.Activity => new ActivityRecord(reader.ReadVarInt()),
            JournalRecordType.ArtifactSpooled => DecodeArtifactSpooled(ref reader),
            _ => throw new JournalFormatException($"Unknown record type {(byte)type}."),
        };

        if (!reader.AtEnd)
        {
            throw new JournalFormatException($"Extra bytes after a {type} record.");
        }

        return record;
    }

    /// <summary>Adds the metric keys defined by a metrics payload without decoding its points (rebuilding a segment's dictionary).</summary>
    public static void ReadKeyDefinitions(ReadOnlySpan<byte> payload, JournalKeyDictionary keys)
    {
        var reader = new JournalSpanReader(payload);
        var count = reader.ReadCount(MaxItems);
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadString());
        }
    }

    /// <summary>The largest timestamp a record carries (for "last activity"), or <see langword="null"/>.</summary>
    public static long? ActivityTime(JournalRecord record) => record switch
    {
        ActivityRecord a => a.Time,
        RunCreatedRecord c => c.StartTime,
        RunEndedRecord e => e.EndTime,
        MetricsRecord m when m.Metrics.Count > 0 => m.Metrics.Max(x => x.Timestamp),
        _ => null,
    };

    private static MetricsRecord DecodeMetrics(ref JournalSpanReader reader, JournalKeyDictionary keys)
    {
        var newKeys = reader.ReadCount(MaxItems);
        for (var i = 0; i < newKeys; i++)
        {
            keys.Add(reader.ReadString());
        }

        var count = reader.ReadCount(MaxItems);
        var metrics = new Metric[count];
        long previous = 0;
        var defined = keys.Keys;
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadCount(int.MaxValue);
            if (id >= defined.Count)
            {
                throw new JournalFormatException($"Metric key id {id} is not defined in this segment.");
            }

            var value = reader.ReadDouble();
            previous += reader.ReadVarInt();
            metrics[i] = new Metric(defined[id], value, previous, reader.ReadVarInt());
        }

        return new MetricsRecord(metrics);
    }

    private static T[] DecodePairs<T>(ref JournalSpanReader reader, Func<string, string, T> create)
    {
        var count = reader.ReadCount(MaxItems);
        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            items[i] = create(key, reader.ReadString());
        }

        return items;
    }

    private static DatasetInputsRecord DecodeDatasets(ref JournalSpanReader reader)
    {
        var count = reader.ReadCount(MaxItems);
        var inputs = new DatasetInput[count];
        for (var i = 0; i < count; i++)
        {
            inputs[i] = DatasetInputJson.Deserialize(reader.ReadString());
        }

        return new DatasetInputsRecord(inputs);
    }

    private static ArtifactSpooledRecord DecodeArtifactSpooled(ref JournalSpanReader reader)
    {
        var path = reader.ReadString();
        var length = reader.ReadVarUInt();
        if (length > long.MaxValue || path.Length == 0)
        {
            throw new JournalFormatException("An ArtifactSpooled record has an empty path or an impossible length.");
        }

        return new ArtifactSpooledRecord(path, (long)length);
    }

    private static RunCreatedRecord DecodeRunCreated(ref JournalSpanReader reader)
    {
        var localRunId = reader.ReadString();
        var experimentId = reader.ReadNullableString();
        var experimentName = reader.ReadNullableString();
        var runName = reader.ReadNullableString();
        var startTime = reader.ReadVarInt();
        var parent = reader.ReadNullableString();
        var tags = DecodePairs(ref reader, static (k, v) => new Tag(k, v));
        var pid = (int)(uint)reader.ReadVarUInt();
        var processStart = reader.ReadVarInt();
        var machine = reader.ReadString();
        return new RunCreatedRecord(localRunId, experimentId, experimentName, runName, startTime, parent, tags, new JournalOwner(pid, processStart, machine));
    }

    private static ReadOnlySpan<T> AsSpan<T>(IReadOnlyList<T> list) => list switch
    {
        T[] array => array,
        List<T> l => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(l),
        _ => list.ToArray(),
    };

    internal static byte StatusCode(RunStatus status) => status switch
    {
        RunStatus.Running => 1,
        RunStatus.Scheduled => 2,
        RunStatus.Finished => 3,
        RunStatus.Failed => 4,
        RunStatus.Killed => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    internal static RunStatus StatusFromCode(byte code) => code switch
    {
        1 => RunStatus.Running,
        2 => RunStatus.Scheduled,
        3 => RunStatus.Finished,
        4 => RunStatus.Failed,
        5 => RunStatus.Killed,
        _ => throw new JournalFormatException($"Unknown run status code {code}."),
    };
}

/// <summary>A <see cref="DatasetInput"/> as JSON text, with MLflow's field names.</summary>
internal static class DatasetInputJson
{
    /// <summary>The JSON text of an input.</summary>
    public static string Serialize(DatasetInput input)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output))
        {
            Write(writer, input);
        }

        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Writes an input as a JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, DatasetInput input)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("dataset");
        writer.WriteString("name", input.Dataset.Name);
        writer.WriteString("digest", input.Dataset.Digest);
        writer.WriteString("source_type", input.Dataset.SourceType);
        writer.WriteString("source", input.Dataset.Source);
        if (input.Dataset.Schema is { } schema)
        {
            writer.WriteString("schema", schema);
        }

        if (input.Dataset.Profile is { } profile)
        {
            writer.WriteString("profile", profile);
        }

        writer.WriteEndObject();
        writer.WriteStartArray("tags");
        foreach (var tag in input.Tags)
        {
            writer.WriteStartObject();
            writer.WriteString("key", tag.Key);
            writer.WriteString("value", tag.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Parses the JSON text of an input.</summary>
    public static DatasetInput Deserialize(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var dataset = root.GetProperty("dataset");
            var tags = new List<Tag>();
            foreach (var tag in root.GetProperty("tags").EnumerateArray())
            {
                tags.Add(new Tag(tag.GetProperty("key").GetString()!, tag.GetProperty("value").GetString()!));
            }

            return new DatasetInput(
                new Dataset
                {
                    Name = dataset.GetProperty("name").GetString()!,
                    Digest = dataset.GetProperty("digest").GetString()!,
                    SourceType = dataset.GetProperty("source_type").GetString()!,
                    Source = dataset.GetProperty("source").GetString()!,
                    Schema = dataset.TryGetProperty("schema", out var s) ? s.GetString() : null,
                    Profile = dataset.TryGetProperty("profile", out var p) ? p.GetString() : null,
                },
                tags);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new JournalFormatException("A data set input is not valid JSON.", ex);
        }
    }
}
