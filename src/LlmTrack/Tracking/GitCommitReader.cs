namespace LlmTrack.Tracking;

/// <summary>
/// Finds the commit checked out in the git work tree that contains a folder, by reading the repository's files
/// (never by running git): <c>.git</c> (a folder, or a file <c>gitdir: …</c> for worktrees and submodules) found
/// upwards, then <c>HEAD</c> → the ref file (in the git dir or its <c>commondir</c>) → <c>packed-refs</c>.
/// </summary>
internal static class GitCommitReader
{
    /// <summary>The commit id, or <see langword="null"/> when the folder is in no work tree or HEAD cannot be read.</summary>
    public static string? FindCommit(string startDirectory)
    {
        try
        {
            var gitDir = FindGitDir(startDirectory);
            return gitDir is null ? null : ReadHead(gitDir);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? FindGitDir(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, ".git");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            if (File.Exists(candidate))
            {
                var content = File.ReadAllText(candidate).Trim();
                const string Prefix = "gitdir:";
                if (content.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    var target = content[Prefix.Length..].Trim();
                    return Path.GetFullPath(Path.Combine(directory.FullName, target));
                }

                return null;
            }
        }

        return null;
    }

    private static string? ReadHead(string gitDir)
    {
        var headFile = Path.Combine(gitDir, "HEAD");
        if (!File.Exists(headFile))
        {
            return null;
        }

        var head = File.ReadAllText(headFile).Trim();
        const string RefPrefix = "ref:";
        if (!head.StartsWith(RefPrefix, StringComparison.Ordinal))
        {
            return IsCommitId(head) ? head : null;
        }

        var refName = head[RefPrefix.Length..].Trim();
        var commonDir = gitDir;
        var commonDirFile = Path.Combine(gitDir, "commondir");
        if (File.Exists(commonDirFile))
        {
            commonDir = Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonDirFile).Trim()));
        }

        foreach (var directory in new[] { gitDir, commonDir })
        {
            var refFile = Path.Combine(directory, refName.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(refFile))
            {
                var id = File.ReadAllText(refFile).Trim();
                return IsCommitId(id) ? id : null;
            }
        }

        var packedRefs = Path.Combine(commonDir, "packed-refs");
        if (File.Exists(packedRefs))
        {
            foreach (var line in File.ReadLines(packedRefs))
            {
                if (line.Length == 0 || line[0] is '#' or '^')
                {
                    continue;
                }

                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && line.AsSpan(space + 1).Trim().SequenceEqual(refName) && IsCommitId(line[..space]))
                {
                    return line[..space];
                }
            }
        }

        return null;
    }

    private static bool IsCommitId(string value) =>
        value.Length is 40 or 64 && value.All(char.IsAsciiHexDigit);
}
