namespace LlmTrack.Rest.Wire;

/// <summary>Converts between LlmTrack's model types and MLflow's wire types.</summary>
internal static class WireMapping
{
    public static List<WireKeyValue> ToWire(IReadOnlyList<Tag> tags)
    {
        var list = new List<WireKeyValue>(tags.Count);
        foreach (var tag in tags)
        {
            list.Add(new WireKeyValue { Key = tag.Key, Value = tag.Value });
        }

        return list;
    }

    public static List<WireKeyValue> ToWire(IReadOnlyList<Param> parameters)
    {
        var list = new List<WireKeyValue>(parameters.Count);
        foreach (var param in parameters)
        {
            list.Add(new WireKeyValue { Key = param.Key, Value = param.Value });
        }

        return list;
    }

    public static List<WireMetric> ToWire(IReadOnlyList<Metric> metrics)
    {
        var list = new List<WireMetric>(metrics.Count);
        foreach (var metric in metrics)
        {
            list.Add(new WireMetric { Key = metric.Key, Value = metric.Value, Timestamp = metric.Timestamp, Step = metric.Step });
        }

        return list;
    }

    public static WireDatasetInput ToWire(DatasetInput input) => new()
    {
        Tags = ToWire(input.Tags),
        Dataset = new WireDataset
        {
            Name = input.Dataset.Name,
            Digest = input.Dataset.Digest,
            SourceType = input.Dataset.SourceType,
            Source = input.Dataset.Source,
            Schema = input.Dataset.Schema,
            Profile = input.Dataset.Profile,
        },
    };

    public static Metric ToModel(WireMetric metric, string? fallbackKey = null) =>
        new(metric.Key ?? fallbackKey ?? string.Empty, metric.Value, metric.Timestamp, metric.Step);

    public static IReadOnlyList<Tag> ToTags(List<WireKeyValue>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return [];
        }

        var list = new Tag[tags.Count];
        for (var i = 0; i < tags.Count; i++)
        {
            list[i] = new Tag(tags[i].Key ?? string.Empty, tags[i].Value ?? string.Empty);
        }

        return list;
    }

    public static IReadOnlyList<Param> ToParams(List<WireKeyValue>? parameters)
    {
        if (parameters is null || parameters.Count == 0)
        {
            return [];
        }

        var list = new Param[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            list[i] = new Param(parameters[i].Key ?? string.Empty, parameters[i].Value ?? string.Empty);
        }

        return list;
    }

    public static IReadOnlyList<Metric> ToMetrics(List<WireMetric>? metrics)
    {
        if (metrics is null || metrics.Count == 0)
        {
            return [];
        }

        var list = new Metric[metrics.Count];
        for (var i = 0; i < metrics.Count; i++)
        {
            list[i] = ToModel(metrics[i]);
        }

        return list;
    }

    public static Experiment ToModel(WireExperiment experiment) => new()
    {
        ExperimentId = experiment.ExperimentId ?? throw MissingField("experiment_id"),
        Name = experiment.Name ?? string.Empty,
        ArtifactLocation = experiment.ArtifactLocation,
        LifecycleStage = experiment.LifecycleStage ?? "active",
        CreationTime = experiment.CreationTime,
        LastUpdateTime = experiment.LastUpdateTime,
        Tags = ToTags(experiment.Tags),
    };

    public static RunInfo ToModel(WireRunInfo info) => new()
    {
        RunId = info.RunId ?? info.RunUuid ?? throw MissingField("run_id"),
        ExperimentId = info.ExperimentId ?? throw MissingField("experiment_id"),
        RunName = info.RunName,
        UserId = info.UserId,
        Status = RunStatusNames.Parse(info.Status),
        StartTime = info.StartTime ?? 0,
        EndTime = info.EndTime,
        ArtifactUri = info.ArtifactUri ?? string.Empty,
        LifecycleStage = info.LifecycleStage ?? "active",
    };

    public static RunSnapshot ToModel(WireRun run) => new()
    {
        Info = ToModel(run.Info ?? throw MissingField("run.info")),
        Data = new RunData
        {
            Metrics = ToMetrics(run.Data?.Metrics),
            Params = ToParams(run.Data?.Params),
            Tags = ToTags(run.Data?.Tags),
        },
        Inputs = ToInputs(run.Inputs?.DatasetInputs),
    };

    private static List<DatasetInput> ToInputs(List<WireDatasetInput>? inputs)
    {
        var list = new List<DatasetInput>(inputs?.Count ?? 0);
        if (inputs is null)
        {
            return list;
        }

        foreach (var input in inputs)
        {
            if (input.Dataset is not { } dataset)
            {
                continue;
            }

            list.Add(new DatasetInput(
                new Dataset
                {
                    Name = dataset.Name ?? string.Empty,
                    Digest = dataset.Digest ?? string.Empty,
                    SourceType = dataset.SourceType ?? string.Empty,
                    Source = dataset.Source ?? string.Empty,
                    Schema = dataset.Schema,
                    Profile = dataset.Profile,
                },
                ToTags(input.Tags)));
        }

        return list;
    }

    private static MlflowException MissingField(string field) =>
        new(MlflowErrorCode.InternalError, $"The MLflow server's response has no '{field}'.");
}
