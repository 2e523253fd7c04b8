using System.Text;
using System.Text.Json;
using LlmTrack.Evaluation;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Model;

namespace LlmTrack.Comparison;

/// <summary>A run's per-example tables (the <c>mlflow.loggedArtifacts</c> tables, pandas "split" JSON), read for paired tests.</summary>
internal sealed class PerExampleTable
{
    private static readonly Dictionary<string, string> s_builtInColumns = new(StringComparer.Ordinal)
    {
        [EvaluationMetricKeys.Classification.Accuracy] = EvaluationMetricKeys.Classification.CorrectColumn,
        [EvaluationMetricKeys.Latency.MeanMs] = EvaluationMetricKeys.Latency.Column,
    };

    private readonly List<List<PandasColumn>> _tables;

    private PerExampleTable(List<List<PandasColumn>> tables) => _tables = tables;

    /// <summary>The table paths a run lists in its <c>mlflow.loggedArtifacts</c> tag.</summary>
    public static List<string> TablePaths(RunSnapshot run)
    {
        var paths = new List<string>();
        var tag = run.Data.Tags.LastOrDefault(t => t.Key == MlflowTags.LoggedArtifacts).Value;
        if (string.IsNullOrEmpty(tag))
        {
            return paths;
        }

        try
        {
            using var document = JsonDocument.Parse(tag);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return paths;
            }

            foreach (var entry in document.RootElement.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object
                    && entry.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.String
                    && (!entry.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() == "table"))
                {
                    paths.Add(path.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // Not a list: the run has no tables we can find.
        }

        return paths;
    }

    /// <summary>Reads a run's tables; throws <see cref="FormatException"/> or the store's error when one cannot be read.</summary>
    public static async Task<PerExampleTable?> ReadAsync(Tracker tracker, RunSnapshot run, CancellationToken cancellationToken)
    {
        var paths = TablePaths(run);
        if (paths.Count == 0)
        {
            return null;
        }

        var repository = tracker.GetRunArtifacts(run.Info.ArtifactUri);
        var tables = new List<List<PandasColumn>>();
        foreach (var path in paths)
        {
            using var buffer = new MemoryStream();
            await repository.DownloadAsync(path, buffer, cancellationToken).ConfigureAwait(false);
            tables.Add(PandasReadJson.Read(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), out _));
        }

        return new PerExampleTable(tables);
    }

    /// <summary>Builds a table from columns (tests).</summary>
    internal static PerExampleTable FromColumns(params PandasColumn[] columns) => new([[.. columns]]);

    /// <summary>The per-example column of a metric (key without prefix), if it is in one of the tables.</summary>
    public (List<object?> Scores, List<object?>? Inputs, string Column)? FindScores(string metricKey, IReadOnlyDictionary<string, string>? extra)
    {
        var name = metricKey[(metricKey.LastIndexOf('/') + 1)..];
        var column = extra is not null && extra.TryGetValue(name, out var mapped) ? mapped
            : s_builtInColumns.TryGetValue(name, out var builtIn) ? builtIn
            : name;
        foreach (var table in _tables)
        {
            var scores = table.FirstOrDefault(c => c.Name == column);
            if (scores is not null && scores.Values.Any(IsNumber))
            {
                return (scores.Values, table.FirstOrDefault(c => c.Name == "inputs")?.Values, column);
            }
        }

        return null;
    }

    /// <summary>A table value as a score: numbers as they are, booleans as 1/0, anything else as none.</summary>
    public static double? AsScore(object? value) => value switch
    {
        double d when !double.IsNaN(d) => d,
        long l => l,
        bool b => b ? 1 : 0,
        _ => null,
    };

    private static bool IsNumber(object? value) => AsScore(value) is not null;
}
