using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;

namespace LlmTrack.Testing;

/// <summary>
/// log-batch with MLflow's limits and its SQL store's duplicate semantics (an identical point is kept once; an identical
/// NaN point fails the whole batch with an IntegrityError; ±∞ are clamped to ±max double), get-history (paged), and
/// get-history-bulk-interval (MLflow 3.6's distinct-step sampling). Callers hold the gate.
/// </summary>
public sealed partial class FakeMlflowServer
{
    private const string IntegrityError =
        "{\"error_code\": \"BAD_REQUEST\", \"message\": \"(sqlite3.IntegrityError) UNIQUE constraint failed: metrics.key, metrics.timestamp, metrics.step, metrics.run_uuid, metrics.value, metrics.is_nan\\n[SQL: INSERT INTO metrics (\\\"key\\\", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)]\"}";

    private FakeAnswer LogBatch(JsonNode? json)
    {
        var runId = (string?)json?["run_id"] ?? "";
        if (!_runs.TryGetValue(runId, out var run))
        {
            return RunNotFound(runId);
        }

        var metrics = json?["metrics"]?.AsArray() ?? [];
        var parameters = json?["params"]?.AsArray() ?? [];
        var tags = json?["tags"]?.AsArray() ?? [];
        if (metrics.Count > 1000 || parameters.Count > 100 || tags.Count > 100 || metrics.Count + parameters.Count + tags.Count > 1000)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 1000 metrics, 100 params and 100 tags.");
        }

        var incoming = new List<(FakeMetric Point, long Bits)>(metrics.Count);
        var seenNaN = new HashSet<(string, long, long)>();
        foreach (var metric in metrics)
        {
            var point = new FakeMetric((string)metric!["key"]!, ReadValue(metric["value"]), ReadLong(metric["timestamp"]), ReadLong(metric["step"]));
            var bits = double.IsNaN(point.Value) ? long.MinValue : BitConverter.DoubleToInt64Bits(point.Value == 0 ? 0d : point.Value);
            if (double.IsNaN(point.Value)
                && (run.Index.Contains((point.Key, point.Step, point.Timestamp, bits)) || !seenNaN.Add((point.Key, point.Step, point.Timestamp))))
            {
                // SQL stores compare NaN as unequal when skipping known points, then hit the primary key: the whole batch fails.
                return FakeAnswer.Json(400, IntegrityError);
            }

            incoming.Add((point, bits));
        }

        foreach (var parameter in parameters)
        {
            if (ParamConflict(run.Run, runId, (string)parameter!["key"]!, (string?)parameter["value"]) is { } conflict)
            {
                return conflict;
            }
        }

        foreach (var (point, bits) in incoming)
        {
            if (run.Index.Add((point.Key, point.Step, point.Timestamp, bits)))
            {
                if (!run.ByKey.TryGetValue(point.Key, out var list))
                {
                    run.ByKey[point.Key] = list = [];
                }

                list.Add(point);
                run.Run.Metrics.Add(point);
            }
        }

        foreach (var parameter in parameters)
        {
            run.Run.Params[(string)parameter!["key"]!] = (string?)parameter["value"] ?? "";
        }

        foreach (var tag in tags)
        {
            run.Run.Tags[(string)tag!["key"]!] = (string?)tag["value"] ?? "";
        }

        if (incoming.Count > 0)
        {
            run.Run.LastStored = Elapsed;
        }

        return FakeAnswer.Json(200, "{}");
    }

    private FakeAnswer GetHistory(Dictionary<string, StringValues> query)
    {
        var runId = query.GetValueOrDefault("run_id").ToString();
        if (!_runs.TryGetValue(runId, out var run))
        {
            return RunNotFound(runId);
        }

        var max = int.TryParse(query.GetValueOrDefault("max_results").ToString(), CultureInfo.InvariantCulture, out var m) ? m : 0;
        var offset = 0;
        if (query.GetValueOrDefault("page_token").ToString() is { Length: > 0 } token)
        {
            offset = JsonNode.Parse(Convert.FromBase64String(token))!["offset"]!.GetValue<int>();
        }

        if (max <= 0)
        {
            return FakeAnswer.Json(200, "{\"next_page_token\":\"" + Convert.ToBase64String("{\"offset\": 0}"u8) + "\"}");
        }

        var key = query.GetValueOrDefault("metric_key").ToString();
        var points = Sorted(run, key, byStep: false);
        var page = points.Skip(offset).Take(max).ToList();
        var result = new JsonObject();
        if (page.Count > 0)
        {
            result["metrics"] = new JsonArray([.. page.Select(p => (JsonNode)MetricJson(p, null))]);
        }

        if (offset + max < points.Count)
        {
            result["next_page_token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"offset\": " + (offset + max).ToString(CultureInfo.InvariantCulture) + "}"));
        }

        return Ok(result);
    }

    private FakeAnswer GetHistoryBulkInterval(Dictionary<string, StringValues> query)
    {
        var runIds = query.GetValueOrDefault("run_ids").Where(r => r is not null).Select(r => r!).ToList();
        var key = query.GetValueOrDefault("metric_key").ToString();
        if (runIds.Count == 0 || key.Length == 0)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter.");
        }

        var max = query.TryGetValue("max_results", out var maxResults) ? int.Parse(maxResults.ToString(), CultureInfo.InvariantCulture) : 2500;
        if (max is < 1 or > 2500)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "max_results must be between 1 and 2500.");
        }

        var hasStart = query.ContainsKey("start_step");
        if (hasStart != query.ContainsKey("end_step"))
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "If either start step or end step are specified, both must be specified.");
        }

        var runs = new List<RunState>();
        foreach (var id in runIds)
        {
            if (!_runs.TryGetValue(id, out var found))
            {
                return RunNotFound(id);
            }

            runs.Add(found);
        }

        // MLflow 3.6 (handlers.py): sample the sorted distinct steps of all requested runs, keep each run's first and
        // last step, then return every point at the chosen steps (step, timestamp, value order), at most 25000 per run.
        var perRun = runs.Select(r => r.ByKey.TryGetValue(key, out var list) ? list.Select(p => p.Step).ToList() : []).ToList();
        var allSteps = perRun.SelectMany(s => s).Distinct().Order().ToList();
        var start = hasStart ? long.Parse(query["start_step"].ToString(), CultureInfo.InvariantCulture) : 0;
        var end = hasStart ? long.Parse(query["end_step"].ToString(), CultureInfo.InvariantCulture) : (allSteps.Count > 0 ? allSteps[^1] : 0);
        if (start > end)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", $"end_step must be greater than start_step. Found start_step={start} and end_step={end}.");
        }

        var chosen = SampleSteps(allSteps, start, end, max);
        foreach (var steps in perRun.Where(s => s.Count > 0))
        {
            foreach (var edge in new[] { steps.Min(), steps.Max() })
            {
                if (edge >= start && edge <= end)
                {
                    chosen.Add(edge);
                }
            }
        }

        var array = new JsonArray();
        foreach (var run in runs)
        {
            foreach (var point in Sorted(run, key, byStep: true).Where(p => chosen.Contains(p.Step)).Take(25000))
            {
                array.Add(MetricJson(point, run.Run.RunId));
            }
        }

        return FakeAnswer.Json(200, array.Count == 0 ? "{}" : new JsonObject { ["metrics"] = array }.ToJsonString());
    }

    private static HashSet<long> SampleSteps(List<long> allSteps, long start, long end, int max)
    {
        var startIndex = LowerBound(allSteps, start);
        var endIndex = LowerBound(allSteps, end + 1);
        var chosen = new HashSet<long>();
        var count = endIndex - startIndex;
        if (count <= max)
        {
            for (var i = startIndex; i < endIndex; i++)
            {
                chosen.Add(allSteps[i]);
            }

            return chosen;
        }

        var interval = count / (double)max;
        for (var i = 0; i < max; i++)
        {
            var index = startIndex + (int)(i * interval);
            if (index < count)
            {
                chosen.Add(allSteps[index]);
            }
        }

        chosen.Add(allSteps[endIndex - 1]);
        return chosen;
    }

    private static int LowerBound(List<long> sorted, long value)
    {
        var index = sorted.BinarySearch(value);
        if (index < 0)
        {
            return ~index;
        }

        while (index > 0 && sorted[index - 1] == value)
        {
            index--;
        }

        return index;
    }

    // A metric's history as MLflow's SQL store returns it (ORDER BY timestamp, step, value), or by step for bulk reads.
    private static List<FakeMetric> Sorted(RunState run, string key, bool byStep)
    {
        if (!run.ByKey.TryGetValue(key, out var list))
        {
            return [];
        }

        return byStep
            ? [.. list.OrderBy(p => p.Step).ThenBy(p => p.Timestamp).ThenBy(p => p.Value)]
            : [.. list.OrderBy(p => p.Timestamp).ThenBy(p => p.Step).ThenBy(p => p.Value)];
    }

    private static JsonObject MetricJson(FakeMetric point, string? runId)
    {
        var node = new JsonObject
        {
            ["key"] = point.Key,
            ["value"] = double.IsNaN(point.Value) ? JsonValue.Create("NaN") : JsonValue.Create(point.Value),
            ["timestamp"] = point.Timestamp,
            ["step"] = point.Step,
        };
        if (runId is not null)
        {
            node["run_id"] = runId;
        }

        return node;
    }

    private static double ReadValue(JsonNode? node)
    {
        var value = node?.GetValueKind() == JsonValueKind.String
            ? (string)node! switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => 0d, // MLflow stores a bad value as 0
            }
            : node?.GetValue<double>() ?? 0d;
        return double.IsPositiveInfinity(value) ? double.MaxValue : double.IsNegativeInfinity(value) ? double.MinValue : value;
    }
}
