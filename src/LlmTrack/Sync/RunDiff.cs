namespace LlmTrack.Sync;

/// <summary>
/// What a target run lacks of a source run (pure: two snapshots in, the difference out): params to send (a differing
/// value is a conflict, params being immutable), tags to send, data set inputs to send, metric points to send, and the
/// status, end time and run name to set.
/// </summary>
internal sealed class RunDiff
{
    private RunDiff()
    {
    }

    /// <summary>Params the target does not hold.</summary>
    public required IReadOnlyList<Param> ParamsToSend { get; init; }

    /// <summary>Params the target holds with the same value.</summary>
    public required int ParamsSkipped { get; init; }

    /// <summary>Params the target holds with another value.</summary>
    public required IReadOnlyList<ParamConflict> ParamConflicts { get; init; }

    /// <summary>Tags the target does not hold or holds with another value.</summary>
    public required IReadOnlyList<Tag> TagsToSend { get; init; }

    /// <summary>Data set inputs the target does not hold (one of each).</summary>
    public required IReadOnlyList<DatasetInput> InputsToSend { get; init; }

    /// <summary>The status, end time and run name to set on the target; <see langword="null"/> when they agree.</summary>
    public required RunUpdate? Update { get; init; }

    /// <summary>The difference between <paramref name="source"/> and <paramref name="target"/>.</summary>
    /// <param name="source">The source run.</param>
    /// <param name="target">Its copy on the target (as created, or as found).</param>
    /// <param name="tags">The tags the target should hold (the source's, translated: <see cref="RunLineage.TranslateTags"/>).</param>
    public static RunDiff Between(RunSnapshot source, RunSnapshot target, IReadOnlyList<Tag> tags)
    {
        var targetParams = ToDictionary(target.Data.Params.Select(p => new Tag(p.Key, p.Value)));
        var paramsToSend = new List<Param>();
        var conflicts = new List<ParamConflict>();
        var skipped = 0;
        foreach (var param in source.Data.Params)
        {
            if (!targetParams.TryGetValue(param.Key, out var value))
            {
                paramsToSend.Add(param);
            }
            else if (value == param.Value)
            {
                skipped++;
            }
            else
            {
                conflicts.Add(new ParamConflict(param.Key, param.Value, value));
            }
        }

        var targetTags = ToDictionary(target.Data.Tags);
        var presentInputs = new HashSet<string>(target.Inputs.Select(InputKey), StringComparer.Ordinal);
        return new RunDiff
        {
            ParamsToSend = paramsToSend,
            ParamsSkipped = skipped,
            ParamConflicts = conflicts,
            TagsToSend = [.. tags.Where(t => !targetTags.TryGetValue(t.Key, out var value) || value != t.Value)],
            InputsToSend = [.. source.Inputs.Where(i => presentInputs.Add(InputKey(i)))],
            Update = UpdateOf(source.Info, target.Info),
        };
    }

    /// <summary>
    /// The points of <paramref name="sourceHistory"/> (one key) that <paramref name="targetHistory"/> does not hold, in
    /// source order, each once (<see cref="MetricPointKey"/>); <paramref name="present"/>: how many were left out.
    /// </summary>
    public static List<Metric> MissingPoints(IEnumerable<Metric> sourceHistory, IEnumerable<Metric> targetHistory, out long present)
    {
        var seen = new HashSet<MetricPointKey>();
        foreach (var point in targetHistory)
        {
            seen.Add(MetricPointKey.Of(point));
        }

        var missing = new List<Metric>();
        present = 0;
        foreach (var point in sourceHistory)
        {
            if (seen.Add(MetricPointKey.Of(point)))
            {
                missing.Add(point);
            }
            else
            {
                present++;
            }
        }

        return missing;
    }

    /// <summary>What identifies a data set input: the data set's name and digest and the input's tags.</summary>
    public static string InputKey(DatasetInput input) =>
        string.Join(
            "\u0001",
            new[] { input.Dataset.Name, input.Dataset.Digest }.Concat(input.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "\u0002" + t.Value)));

    /// <summary>Tags by key (the last value of a key wins).</summary>
    public static Dictionary<string, string> ToDictionary(IEnumerable<Tag> tags)
    {
        var dictionary = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        return dictionary;
    }

    private static RunUpdate? UpdateOf(RunInfo source, RunInfo target)
    {
        var status = source.Status == target.Status ? (RunStatus?)null : source.Status;
        var endTime = source.EndTime is { } end && end != target.EndTime ? end : (long?)null;
        var runName = !string.IsNullOrEmpty(source.RunName) && source.RunName != target.RunName ? source.RunName : null;
        return status is not null || endTime is not null || runName is not null
            ? new RunUpdate(status ?? source.Status, endTime ?? source.EndTime, runName)
            : null;
    }
}

/// <summary>A param whose value differs between the source and the target.</summary>
/// <param name="Key">The param's key.</param>
/// <param name="SourceValue">Its value on the source.</param>
/// <param name="TargetValue">Its value on the target.</param>
internal readonly record struct ParamConflict(string Key, string SourceValue, string TargetValue);

/// <summary>The status, end time and run name to set on the target run (<see cref="RunName"/>: <see langword="null"/> to keep it).</summary>
/// <param name="Status">The status to set.</param>
/// <param name="EndTime">The end time to set.</param>
/// <param name="RunName">The run name to set, if it changes.</param>
internal readonly record struct RunUpdate(RunStatus Status, long? EndTime, string? RunName);
