using LlmTrack.Model;

namespace LlmTrack.Sync;

/// <summary>Parent and child runs in a copy: parents are copied first, and tags name the target's runs.</summary>
internal static class RunLineage
{
    /// <summary>
    /// Tags to write on the target: <c>mlflow.runName</c> goes through run_name, the source's own copy marker is replaced
    /// by ours, and parent run ids are translated (or dropped, with a note, when the parent has no copy).
    /// </summary>
    public static List<Tag> TranslateTags(RunSnapshot source, Dictionary<string, string> targetRunIds, SyncTally tally, string sourceKey)
    {
        var tags = new List<Tag>(source.Data.Tags.Count);
        foreach (var tag in source.Data.Tags)
        {
            switch (tag.Key)
            {
                case MlflowTags.RunName or StoreCopier.SourceRunIdTag:
                    break;
                case MlflowTags.ParentRunId:
                    if (targetRunIds.TryGetValue(tag.Value, out var parent))
                    {
                        tags.Add(new Tag(tag.Key, parent));
                    }
                    else
                    {
                        tally.Notes.Add(new SyncNote(source.Info.RunId, $"Parent run {tag.Value} has no copy on the target; {MlflowTags.ParentRunId} was left out ({sourceKey})."));
                    }

                    break;
                default:
                    tags.Add(tag);
                    break;
            }
        }

        return tags;
    }

    /// <summary>Runs whose parent is among the copied runs come after that parent; otherwise the source order is kept.</summary>
    /// <param name="runs">The runs, in source order.</param>
    /// <param name="snapshotOf">The source run of an item.</param>
    public static List<T> ParentsFirst<T>(List<T> runs, Func<T, RunSnapshot> snapshotOf)
        where T : class
    {
        var byId = runs.ToDictionary(r => snapshotOf(r).Info.RunId, StringComparer.Ordinal);
        var ordered = new List<T>(runs.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            // Walk up to the first ancestor not placed yet, then place the chain top-down (iterative, cycle-safe).
            var chain = new Stack<T>();
            T? current = run;
            while (current is not null && !placed.Contains(snapshotOf(current).Info.RunId) && visiting.Add(snapshotOf(current).Info.RunId))
            {
                chain.Push(current);
                current = ParentOf(snapshotOf(current)) is { } parentId && byId.TryGetValue(parentId, out var parent) ? parent : null;
            }

            while (chain.Count > 0)
            {
                var next = chain.Pop();
                placed.Add(snapshotOf(next).Info.RunId);
                ordered.Add(next);
            }

            visiting.Clear();
        }

        return ordered;
    }

    /// <summary>The parent run id of <paramref name="run"/> (its <c>mlflow.parentRunId</c> tag), if any.</summary>
    public static string? ParentOf(RunSnapshot run) =>
        run.Data.Tags.FirstOrDefault(t => t.Key == MlflowTags.ParentRunId).Value;
}
