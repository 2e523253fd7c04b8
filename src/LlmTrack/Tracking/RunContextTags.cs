using System.Reflection;
using LlmTrack.Model;

namespace LlmTrack.Tracking;

/// <summary>
/// The tags MLflow's client sets on every new run: <c>mlflow.user</c>, <c>mlflow.source.name</c>,
/// <c>mlflow.source.type</c> = <c>LOCAL</c> and, inside a git work tree, <c>mlflow.source.git.commit</c>
/// (<c>mlflow.runName</c> is added per run).
/// </summary>
internal static class RunContextTags
{
    /// <summary>Collects the tags of this process.</summary>
    public static IReadOnlyList<Tag> CollectForProcess()
    {
        var source = Assembly.GetEntryAssembly()?.Location;
        if (string.IsNullOrEmpty(source))
        {
            source = Environment.ProcessPath;
        }

        var searchFrom = new List<string>();
        if (!string.IsNullOrEmpty(source) && Path.GetDirectoryName(source) is { Length: > 0 } sourceDirectory)
        {
            searchFrom.Add(sourceDirectory);
        }

        searchFrom.Add(Environment.CurrentDirectory);
        return Collect(Environment.UserName, source, searchFrom);
    }

    /// <summary>Collects the tags for the given user, source and folders to search for a git work tree (in order).</summary>
    public static IReadOnlyList<Tag> Collect(string? userName, string? sourceName, IEnumerable<string> gitSearchDirectories)
    {
        var tags = new List<Tag>();
        if (!string.IsNullOrEmpty(userName))
        {
            tags.Add(new Tag(MlflowTags.User, userName));
        }

        if (!string.IsNullOrEmpty(sourceName))
        {
            tags.Add(new Tag(MlflowTags.SourceName, sourceName));
        }

        tags.Add(new Tag(MlflowTags.SourceType, "LOCAL"));
        foreach (var directory in gitSearchDirectories)
        {
            if (GitCommitReader.FindCommit(directory) is { } commit)
            {
                tags.Add(new Tag(MlflowTags.GitCommit, commit));
                break;
            }
        }

        return tags;
    }
}
