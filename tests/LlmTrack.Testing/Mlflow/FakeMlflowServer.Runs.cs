using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmTrack.Testing;

/// <summary>Experiments and runs: create, get, update, search, tags, params, inputs (callers hold the gate).</summary>
public sealed partial class FakeMlflowServer
{
    private readonly Dictionary<string, string> _experimentsByName = new(StringComparer.Ordinal) { ["Default"] = "0" };
    private readonly Dictionary<string, RunState> _runs = new(StringComparer.Ordinal);

    private FakeAnswer GetExperimentByName(string name) =>
        _experimentsByName.TryGetValue(name, out var id)
            ? Ok(new JsonObject { ["experiment"] = ExperimentJson(id, name) })
            : Error(404, "RESOURCE_DOES_NOT_EXIST", $"Could not find experiment with name '{name}'");

    private FakeAnswer GetExperiment(string id)
    {
        foreach (var (name, experimentId) in _experimentsByName)
        {
            if (experimentId == id)
            {
                return Ok(new JsonObject { ["experiment"] = ExperimentJson(id, name) });
            }
        }

        return Error(404, "RESOURCE_DOES_NOT_EXIST", $"No Experiment with id={id} exists");
    }

    private FakeAnswer CreateExperiment(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'.");
        }

        if (_experimentsByName.ContainsKey(name))
        {
            return Error(400, "RESOURCE_ALREADY_EXISTS", $"Experiment(name={name}) already exists.");
        }

        var id = _experimentsByName.Count.ToString(CultureInfo.InvariantCulture);
        _experimentsByName[name] = id;
        return Ok(new JsonObject { ["experiment_id"] = id });
    }

    private FakeAnswer CreateRun(JsonNode? json)
    {
        var experimentId = (string?)json?["experiment_id"] ?? "0";
        if (!_experimentsByName.ContainsValue(experimentId))
        {
            return Error(404, "RESOURCE_DOES_NOT_EXIST", $"No Experiment with id={experimentId} exists");
        }

        var id = Guid.NewGuid().ToString("N");
        var run = new RunState(new FakeRun
        {
            RunId = id,
            ExperimentId = experimentId,
            RunName = (string?)json?["run_name"] ?? "run-" + id[..6],
            StartTime = ReadLong(json?["start_time"]),
        });
        foreach (var tag in json?["tags"]?.AsArray() ?? [])
        {
            run.Run.Tags[(string)tag!["key"]!] = (string?)tag["value"] ?? "";
        }

        _runs[id] = run;
        return Ok(new JsonObject { ["run"] = RunJson(run) });
    }

    private FakeAnswer GetRun(string runId) =>
        _runs.TryGetValue(runId, out var run) ? Ok(new JsonObject { ["run"] = RunJson(run) }) : RunNotFound(runId);

    private FakeAnswer UpdateRun(JsonNode? json)
    {
        var runId = (string?)json?["run_id"] ?? "";
        if (!_runs.TryGetValue(runId, out var state))
        {
            return RunNotFound(runId);
        }

        var run = state.Run;
        run.Status = (string?)json?["status"] ?? run.Status;
        if (json?["end_time"] is { } end)
        {
            run.EndTime = ReadLong(end);
        }

        if ((string?)json?["run_name"] is { Length: > 0 } name)
        {
            run.RunName = name;
        }

        return Ok(new JsonObject { ["run_info"] = InfoJson(run) });
    }

    private FakeAnswer SearchRuns(JsonNode? json)
    {
        var experimentIds = json?["experiment_ids"]?.AsArray().Select(e => (string?)e).ToHashSet() ?? [];
        var filter = (string?)json?["filter"];
        if (!string.IsNullOrEmpty(filter) && !TagLike().IsMatch(filter) && !NameAndStart().IsMatch(filter))
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "The fake server does not support this filter: " + filter);
        }

        var runs = _runs.Values.Where(r => experimentIds.Contains(r.Run.ExperimentId) && Matches(r.Run, filter));
        var array = new JsonArray([.. runs.Select(r => (JsonNode)RunJson(r))]);
        return FakeAnswer.Json(200, array.Count == 0 ? "{}" : new JsonObject { ["runs"] = array }.ToJsonString());
    }

    // The two filters LlmTrack sends: the copier's source-id LIKE, and run name + start time (finding a created run).
    private static bool Matches(FakeRun run, string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return true;
        }

        if (TagLike().Match(filter) is { Success: true } like)
        {
            return run.Tags.TryGetValue(like.Groups[1].Value, out var value) && value.StartsWith(like.Groups[2].Value, StringComparison.Ordinal);
        }

        var name = NameAndStart().Match(filter);
        return run.RunName == name.Groups[2].Value && run.StartTime == long.Parse(name.Groups[3].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("^tags\\.`([^`]+)` LIKE '([^%']*)%'$")]
    private static partial Regex TagLike();

    [GeneratedRegex("^attributes\\.run_name = (['\"])(.*)\\1 and attributes\\.start_time = (-?\\d+)$")]
    private static partial Regex NameAndStart();

    private FakeAnswer SetTag(JsonNode? json)
    {
        var runId = (string?)json?["run_id"] ?? "";
        if (!_runs.TryGetValue(runId, out var run))
        {
            return RunNotFound(runId);
        }

        run.Run.Tags[(string?)json?["key"] ?? ""] = (string?)json?["value"] ?? "";
        return FakeAnswer.Json(200, "{}");
    }

    private FakeAnswer LogParam(JsonNode? json)
    {
        var runId = (string?)json?["run_id"] ?? "";
        if (!_runs.TryGetValue(runId, out var run))
        {
            return RunNotFound(runId);
        }

        var key = (string?)json?["key"] ?? "";
        var value = (string?)json?["value"] ?? "";
        if (ParamConflict(run.Run, runId, key, value) is { } conflict)
        {
            return conflict;
        }

        run.Run.Params[key] = value;
        return FakeAnswer.Json(200, "{}");
    }

    private static FakeAnswer? ParamConflict(FakeRun run, string runId, string key, string? value) =>
        run.Params.TryGetValue(key, out var old) && old != value
            ? Error(400, "INVALID_PARAMETER_VALUE", $"Changing param values is not allowed. Param with key='{key}' was already logged with value='{old}' for run ID='{runId}'.")
            : null;

    private FakeAnswer LogInputs(JsonNode? json)
    {
        var runId = (string?)json?["run_id"] ?? "";
        if (!_runs.TryGetValue(runId, out var run))
        {
            return RunNotFound(runId);
        }

        foreach (var input in json?["datasets"]?.AsArray() ?? [])
        {
            run.Run.Inputs.Add(input!.ToJsonString());
        }

        return FakeAnswer.Json(200, "{}");
    }

    private static FakeAnswer RunNotFound(string runId) => Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run with id={runId} not found");

    private static JsonObject ExperimentJson(string id, string name) => new()
    {
        ["experiment_id"] = id,
        ["name"] = name,
        ["artifact_location"] = "mlflow-artifacts:/" + id,
        ["lifecycle_stage"] = "active",
    };

    private static JsonObject RunJson(RunState state)
    {
        var run = state.Run;
        var latest = state.ByKey.Select(g => (JsonNode)MetricJson(g.Value.MaxBy(m => (m.Step, m.Timestamp, m.Value))!, null));
        var inputs = new JsonObject();
        if (run.Inputs.Count > 0)
        {
            inputs["dataset_inputs"] = new JsonArray([.. run.Inputs.Select(i => JsonNode.Parse(i))]);
        }

        return new JsonObject
        {
            ["info"] = InfoJson(run),
            ["data"] = new JsonObject
            {
                ["metrics"] = new JsonArray([.. latest]),
                ["params"] = new JsonArray([.. run.Params.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value })]),
                ["tags"] = new JsonArray([.. run.Tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value })]),
            },
            ["inputs"] = inputs,
        };
    }

    private static JsonObject InfoJson(FakeRun run)
    {
        var info = new JsonObject
        {
            ["run_id"] = run.RunId,
            ["run_uuid"] = run.RunId,
            ["run_name"] = run.RunName,
            ["experiment_id"] = run.ExperimentId,
            ["status"] = run.Status,
            ["start_time"] = run.StartTime,
            ["artifact_uri"] = $"mlflow-artifacts:/{run.ExperimentId}/{run.RunId}/artifacts",
            ["lifecycle_stage"] = "active",
        };
        if (run.EndTime is { } end)
        {
            info["end_time"] = end;
        }

        return info;
    }

    private static long ReadLong(JsonNode? node) => node is null
        ? 0
        : node.GetValueKind() == JsonValueKind.String ? long.Parse((string)node!, CultureInfo.InvariantCulture) : node.GetValue<long>();

    /// <summary>A run and its metric index: MLflow's metrics primary key (key, timestamp, step, value, is_nan).</summary>
    private sealed class RunState(FakeRun run)
    {
        public FakeRun Run { get; } = run;

        public Dictionary<string, List<FakeMetric>> ByKey { get; } = new(StringComparer.Ordinal);

        public HashSet<(string Key, long Step, long Timestamp, long Bits)> Index { get; } = [];

        public FakeRun Clone() => Run.Clone();
    }
}
