using LlmTrack.Tracking;

namespace LlmTrack.Tests.Tracking;

public sealed class GitCommitReaderTests : IDisposable
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "llmtrack-git-" + Guid.NewGuid().ToString("N"));

    public GitCommitReaderTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ReadsABranchRefFromAFolderBelowTheWorkTree()
    {
        var git = Directory.CreateDirectory(Path.Combine(_root, ".git")).FullName;
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        Directory.CreateDirectory(Path.Combine(git, "refs", "heads"));
        File.WriteAllText(Path.Combine(git, "refs", "heads", "main"), Commit + "\n");
        var deep = Directory.CreateDirectory(Path.Combine(_root, "src", "bin", "Debug")).FullName;
        Assert.Equal(Commit, GitCommitReader.FindCommit(deep));
    }

    [Fact]
    public void ReadsPackedRefsAndDetachedHeads()
    {
        var git = Directory.CreateDirectory(Path.Combine(_root, ".git")).FullName;
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/feature/x\n");
        File.WriteAllText(Path.Combine(git, "packed-refs"), $"# pack-refs with: peeled fully-peeled sorted\nffffffffffffffffffffffffffffffffffffffff refs/heads/main\n{Commit} refs/heads/feature/x\n^eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\n");
        Assert.Equal(Commit, GitCommitReader.FindCommit(_root));

        File.WriteAllText(Path.Combine(git, "HEAD"), new string('b', 40) + "\n");
        Assert.Equal(new string('b', 40), GitCommitReader.FindCommit(_root));
    }

    [Fact]
    public void FollowsAGitFileOfAWorktreeToItsCommonDir()
    {
        var main = Directory.CreateDirectory(Path.Combine(_root, "main", ".git")).FullName;
        Directory.CreateDirectory(Path.Combine(main, "refs", "heads"));
        File.WriteAllText(Path.Combine(main, "refs", "heads", "topic"), Commit);
        var worktreeGit = Directory.CreateDirectory(Path.Combine(main, "worktrees", "wt")).FullName;
        File.WriteAllText(Path.Combine(worktreeGit, "HEAD"), "ref: refs/heads/topic\n");
        File.WriteAllText(Path.Combine(worktreeGit, "commondir"), "../..\n");
        var worktree = Directory.CreateDirectory(Path.Combine(_root, "wt")).FullName;
        File.WriteAllText(Path.Combine(worktree, ".git"), $"gitdir: {worktreeGit}\n");
        Assert.Equal(Commit, GitCommitReader.FindCommit(worktree));
    }

    [Fact]
    public void NoWorkTreeMeansNoCommit()
    {
        Assert.Null(GitCommitReader.FindCommit(_root)); // the temp folder is in no work tree
        Directory.CreateDirectory(Path.Combine(_root, ".git"));
        Assert.Null(GitCommitReader.FindCommit(_root)); // no HEAD
        var tags = RunContextTags.Collect("ada", "/app/a.dll", [_root]);
        Assert.DoesNotContain(tags, t => t.Key == LlmTrack.Model.MlflowTags.GitCommit);
        Assert.Contains(new Tag("mlflow.source.type", "LOCAL"), tags);
    }
}
