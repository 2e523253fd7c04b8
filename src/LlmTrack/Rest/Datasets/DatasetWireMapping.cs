using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Rest.Datasets;

/// <summary>Maps data sets and records to MLflow's JSON text fields (Python <c>json.dumps</c> form) and back.</summary>
internal static class DatasetWireMapping
{
    /// <summary>Reads a data set; its tags are a JSON object text.</summary>
    public static ManagedEvaluationDataset ToDataset(DatasetWire wire) => new()
    {
        DatasetId = wire.DatasetId ?? "",
        Name = wire.Name ?? "",
        Tags = ParseTags(wire.Tags),
        Schema = wire.Schema,
        Profile = wire.Profile,
        Digest = wire.Digest,
        CreatedTime = wire.CreatedTime,
        LastUpdateTime = wire.LastUpdateTime,
        CreatedBy = wire.CreatedBy,
        LastUpdatedBy = wire.LastUpdatedBy,
        ExperimentIds = wire.ExperimentIds ?? [],
    };

    /// <summary>Tags as Python's <c>json.dumps</c> of a dict.</summary>
    public static string TagsText(IReadOnlyDictionary<string, string> tags)
    {
        var sb = new StringBuilder("{");
        var first = true;
        foreach (var (key, value) in tags)
        {
            sb.Append(first ? "" : ", ");
            first = false;
            PythonJson.WriteString(sb, key);
            sb.Append(": ");
            PythonJson.WriteString(sb, value);
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Records as the Python client sends them: a JSON text of a list, each with its source (<c>HUMAN</c>) and tags.</summary>
    public static string RecordsText(IReadOnlyList<ManagedDatasetRecord> records)
    {
        var list = new JsonArray();
        foreach (var record in records)
        {
            var item = new JsonObject
            {
                ["inputs"] = record.Inputs.DeepClone(),
                ["expectations"] = record.Expectations.DeepClone(),
                ["source"] = new JsonObject { ["source_type"] = record.SourceType ?? "HUMAN", ["source_data"] = new JsonObject() },
            };
            if (record.Outputs.Count > 0)
            {
                item["outputs"] = record.Outputs.DeepClone();
            }

            if (record.Tags.Count > 0)
            {
                var tags = new JsonObject();
                foreach (var (key, value) in record.Tags)
                {
                    tags[key] = value;
                }

                item["tags"] = tags;
            }

            list.Add(item);
        }

        using var document = JsonDocument.Parse(list.ToJsonString());
        var sb = new StringBuilder();
        PythonJson.WriteElement(sb, document.RootElement);
        return sb.ToString();
    }

    /// <summary>Reads the records JSON text of a records page.</summary>
    public static List<ManagedDatasetRecord> ParseRecords(string? text)
    {
        var result = new List<ManagedDatasetRecord>();
        if (string.IsNullOrWhiteSpace(text) || JsonNode.Parse(text) is not JsonArray items)
        {
            return result;
        }

        foreach (var item in items.OfType<JsonObject>())
        {
            result.Add(new ManagedDatasetRecord
            {
                RecordId = (string?)item["dataset_record_id"] ?? "",
                Inputs = item["inputs"] as JsonObject is { } inputs ? (JsonObject)inputs.DeepClone() : [],
                Expectations = item["expectations"] as JsonObject is { } expectations ? (JsonObject)expectations.DeepClone() : [],
                Outputs = item["outputs"] as JsonObject is { } outputs ? (JsonObject)outputs.DeepClone() : [],
                Tags = item["tags"] is JsonObject tags ? tags.ToDictionary(p => p.Key, p => p.Value?.GetValueKind() == JsonValueKind.String ? (string)p.Value! : p.Value?.ToJsonString() ?? "") : new Dictionary<string, string>(),
                SourceType = (string?)item["source_type"] ?? (string?)item["source"]?["source_type"],
                CreatedTime = item["created_time"]?.GetValue<long>() ?? 0,
                LastUpdateTime = item["last_update_time"]?.GetValue<long>() ?? 0,
            });
        }

        return result;
    }

    private static Dictionary<string, string> ParseTags(string? text)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text) || JsonNode.Parse(text) is not JsonObject obj)
        {
            return tags;
        }

        foreach (var (key, value) in obj)
        {
            tags[key] = value?.GetValueKind() == JsonValueKind.String ? (string)value! : value?.ToJsonString() ?? "";
        }

        return tags;
    }
}
