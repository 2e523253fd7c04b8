using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LlmTrack.Journal;

/// <summary>
/// Items the server rejected for their content, in <c>&lt;run folder&gt;/dead-letters.jsonl</c> (0600): one JSON
/// object per line with the time, the kind (<c>metric</c>, <c>param</c>, <c>tag</c>, <c>dataset</c>, <c>artifact</c>), the item and
/// the server's error (<c>error_code</c>, <c>message</c>, <c>status</c>). The shipper writes an item here after
/// splitting a rejected batch down to it, then acknowledges it, so poison data never blocks the queue.
/// Metric values that JSON cannot hold (NaN, ±∞) are written as the strings <c>"NaN"</c>, <c>"Infinity"</c>,
/// <c>"-Infinity"</c>; every value also carries its exact bits in <c>value_bits</c> (hex).
/// </summary>
internal sealed class DeadLetterFile
{
    private readonly TimeProvider _timeProvider;
    private readonly object _gate = new();

    /// <summary>The dead-letter file of a run folder.</summary>
    public DeadLetterFile(string runFolder, TimeProvider timeProvider)
    {
        Path = System.IO.Path.Combine(runFolder, JournalFiles.DeadLetterFileName);
        _timeProvider = timeProvider;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Appends a rejected metric point.</summary>
    public void Append(Metric metric, MlflowException serverError) => Append("metric", serverError, w =>
    {
        w.WriteString("key", metric.Key);
        if (double.IsFinite(metric.Value))
        {
            w.WriteNumber("value", metric.Value);
        }
        else
        {
            w.WriteString("value", double.IsNaN(metric.Value) ? "NaN" : metric.Value > 0 ? "Infinity" : "-Infinity");
        }

        w.WriteString("value_bits", BitConverter.DoubleToInt64Bits(metric.Value).ToString("x16", CultureInfo.InvariantCulture));
        w.WriteNumber("timestamp", metric.Timestamp);
        w.WriteNumber("step", metric.Step);
    });

    /// <summary>Appends a rejected param.</summary>
    public void Append(Param parameter, MlflowException serverError) => Append("param", serverError, w =>
    {
        w.WriteString("key", parameter.Key);
        w.WriteString("value", parameter.Value);
    });

    /// <summary>Appends a rejected run tag.</summary>
    public void Append(Tag tag, MlflowException serverError) => Append("tag", serverError, w =>
    {
        w.WriteString("key", tag.Key);
        w.WriteString("value", tag.Value);
    });

    /// <summary>Appends a rejected data set input.</summary>
    public void Append(DatasetInput input, MlflowException serverError) => Append("dataset", serverError, w =>
    {
        w.WritePropertyName("input");
        DatasetInputJson.Write(w, input);
    });

    /// <summary>Appends a refused artifact; its content is kept at <paramref name="keptAt"/>.</summary>
    public void Append(ArtifactSpooledRecord artifact, string keptAt, MlflowException serverError) => Append("artifact", serverError, w =>
    {
        w.WriteString("path", artifact.RelativePath);
        w.WriteNumber("length", artifact.Length);
        w.WriteString("file", keptAt);
    });

    /// <summary>The number of dead letters (lines) in the file; 0 when there is none.</summary>
    public int Count()
    {
        if (!JournalFiles.TryReadAll(Path, out var content))
        {
            return 0;
        }

        return content.AsSpan().Count((byte)'\n');
    }

    /// <summary>The dead letters as JSON texts, oldest first.</summary>
    public IReadOnlyList<string> ReadAll()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        return [.. File.ReadLines(Path).Where(line => line.Length > 0)];
    }

    private void Append(string kind, MlflowException serverError, Action<Utf8JsonWriter> writeItem)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteNumber("time", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            writer.WriteString("kind", kind);
            writer.WriteStartObject("item");
            writeItem(writer);
            writer.WriteEndObject();
            writer.WriteStartObject("error");
            writer.WriteString("error_code", serverError.ErrorCode);
            writer.WriteString("message", serverError.Message);
            if (serverError.StatusCode is { } status)
            {
                writer.WriteNumber("status", status);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        output.Write("\n"u8);
        lock (_gate)
        {
            using var stream = JournalFiles.OpenPrivate(Path, FileMode.Append, FileAccess.Write, FileShare.Read, "append a dead letter to");
            try
            {
                stream.Write(output.WrittenSpan);
                stream.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                throw JournalException.From(ex, Path, "append a dead letter to");
            }
        }
    }
}
