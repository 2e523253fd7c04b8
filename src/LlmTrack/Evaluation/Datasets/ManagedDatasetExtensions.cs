using System.Globalization;
using System.Text.Json.Nodes;

namespace LlmTrack.Evaluation.Datasets;

/// <summary>Turns an <see cref="EvaluationDataset"/> into an MLflow 3 managed evaluation data set.</summary>
public static class ManagedDatasetExtensions
{
    /// <summary>
    /// Creates a managed data set named after <paramref name="dataset"/> (or <paramref name="name"/>) and upserts its
    /// rows as records: the <paramref name="expectationColumns"/> become each record's expectations, the other
    /// columns its inputs. Running it again with a new data set of the same name creates another managed data set;
    /// use <see cref="UpsertFromAsync"/> to update an existing one.
    /// </summary>
    /// <param name="client">The tracker's data set client.</param>
    /// <param name="dataset">The rows.</param>
    /// <param name="expectationColumns">Columns holding ground truth (e.g. <c>expected_response</c>).</param>
    /// <param name="experimentIds">Experiments to associate it with.</param>
    /// <param name="name">Its name; the data set's own by default.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The managed data set as stored after the upsert (schema, profile, digest).</returns>
    public static async Task<ManagedEvaluationDataset> CreateFromAsync(this EvaluationDatasetClient client, EvaluationDataset dataset, IReadOnlyList<string> expectationColumns, IReadOnlyList<string>? experimentIds = null, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(dataset);
        var tags = new Dictionary<string, string> { ["llmtrack.dataset.digest"] = dataset.Digest };
        var created = await client.CreateAsync(name ?? dataset.Name, experimentIds, tags, cancellationToken).ConfigureAwait(false);
        return await client.UpsertFromAsync(created.DatasetId, dataset, expectationColumns, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Upserts the rows of <paramref name="dataset"/> into an existing managed data set (same inputs → updated).</summary>
    /// <param name="client">The tracker's data set client.</param>
    /// <param name="datasetId">The managed data set.</param>
    /// <param name="dataset">The rows.</param>
    /// <param name="expectationColumns">Columns holding ground truth.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The managed data set as stored after the upsert.</returns>
    public static async Task<ManagedEvaluationDataset> UpsertFromAsync(this EvaluationDatasetClient client, string datasetId, EvaluationDataset dataset, IReadOnlyList<string> expectationColumns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(expectationColumns);
        var missing = expectationColumns.Where(c => !dataset.Columns.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"The data set '{dataset.Name}' has no column {string.Join(", ", missing.Select(m => "'" + m + "'"))}.", nameof(expectationColumns));
        }

        var records = ToRecords(dataset, expectationColumns);
        await client.UpsertRecordsAsync(datasetId, records, cancellationToken).ConfigureAwait(false);
        return await client.GetAsync(datasetId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The records of <paramref name="dataset"/>: expectation columns apart, the rest as inputs.</summary>
    internal static List<ManagedDatasetRecord> ToRecords(EvaluationDataset dataset, IReadOnlyList<string> expectationColumns)
    {
        var records = new List<ManagedDatasetRecord>(dataset.RowCount);
        foreach (var row in dataset.Rows)
        {
            var inputs = new JsonObject();
            var expectations = new JsonObject();
            for (var c = 0; c < dataset.Columns.Count; c++)
            {
                var column = dataset.Columns[c];
                (expectationColumns.Contains(column) ? expectations : inputs)[column] = ToNode(row[c]);
            }

            records.Add(new ManagedDatasetRecord { Inputs = inputs, Expectations = expectations });
        }

        return records;
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        long l => l,
        int i => i,
        double d => double.IsFinite(d) ? d : null,
        float f => float.IsFinite(f) ? f : null,
        decimal m => m,
        JsonNode n => n.DeepClone(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
