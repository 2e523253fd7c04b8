using LlmTrack.Sync;

namespace LlmTrack.Tests.Sync;

/// <summary>RunDiff without stores: what a target run lacks of a source run.</summary>
public sealed class RunDiffTests
{
    private const long Start = 1_700_000_000_000;

    [Fact]
    public void AnEmptyTargetLacksEverything()
    {
        var source = Run("s", RunStatus.Finished, Start + 10, "name") with
        {
            Data = new RunData { Params = [new Param("lr", "0.1"), new Param("bs", "8")], Tags = [new Tag("t", "1")] },
            Inputs = [Input("train", "d1")],
        };

        var diff = RunDiff.Between(source, Run("t", RunStatus.Running, null, "name"), [new Tag("t", "1")]);

        Assert.Equal([new Param("lr", "0.1"), new Param("bs", "8")], diff.ParamsToSend);
        Assert.Equal(0, diff.ParamsSkipped);
        Assert.Empty(diff.ParamConflicts);
        Assert.Equal([new Tag("t", "1")], diff.TagsToSend);
        Assert.Equal("train", Assert.Single(diff.InputsToSend).Dataset.Name);
        Assert.Equal(new RunUpdate(RunStatus.Finished, Start + 10, null), diff.Update);
    }

    [Fact]
    public void ParamsTheTargetHoldsAreSkippedOrConflictAndOnlyChangedTagsAreSent()
    {
        var source = Run("s", RunStatus.Running, null, null) with
        {
            Data = new RunData { Params = [new Param("same", "1"), new Param("other", "2"), new Param("new", "3")] },
        };
        var target = Run("t", RunStatus.Running, null, null) with
        {
            Data = new RunData { Params = [new Param("same", "1"), new Param("other", "9")], Tags = [new Tag("kept", "a"), new Tag("changed", "old")] },
        };

        var diff = RunDiff.Between(source, target, [new Tag("kept", "a"), new Tag("changed", "new"), new Tag("added", "x")]);

        Assert.Equal([new Param("new", "3")], diff.ParamsToSend);
        Assert.Equal(1, diff.ParamsSkipped);
        Assert.Equal(new ParamConflict("other", "2", "9"), Assert.Single(diff.ParamConflicts));
        Assert.Equal([new Tag("changed", "new"), new Tag("added", "x")], diff.TagsToSend);
        Assert.Null(diff.Update);
    }

    [Fact]
    public void InputsTheTargetHoldsAreLeftOutAndDuplicatesAreSentOnce()
    {
        var held = Input("train", "d1", new Tag("b", "2"), new Tag("a", "1"));
        var source = Run("s", RunStatus.Running, null, null) with
        {
            Inputs = [Input("train", "d1", new Tag("a", "1"), new Tag("b", "2")), Input("eval", "d2"), Input("eval", "d2"), Input("train", "d3")],
        };

        var diff = RunDiff.Between(source, Run("t", RunStatus.Running, null, null) with { Inputs = [held] }, []);

        Assert.Equal(["eval/d2", "train/d3"], diff.InputsToSend.Select(i => i.Dataset.Name + "/" + i.Dataset.Digest));
    }

    [Fact]
    public void AChangedNameOrEndTimeIsAnUpdateThatKeepsTheSourceStatus()
    {
        var diff = RunDiff.Between(Run("s", RunStatus.Failed, Start + 5, "renamed"), Run("t", RunStatus.Failed, Start + 5, "old"), []);
        Assert.Equal(new RunUpdate(RunStatus.Failed, Start + 5, "renamed"), diff.Update);

        diff = RunDiff.Between(Run("s", RunStatus.Failed, Start + 6, null), Run("t", RunStatus.Failed, Start + 5, "old"), []);
        Assert.Equal(new RunUpdate(RunStatus.Failed, Start + 6, null), diff.Update);
    }

    [Fact]
    public void MissingPointsLeaveOutStoredPointsAndRepeatsInSourceOrder()
    {
        var stored = new[] { new Metric("m", 1, Start, 0), new Metric("m", double.NaN, Start, 1) };
        var history = new[]
        {
            new Metric("m", 1, Start, 0),
            new Metric("m", double.NaN, Start, 1),
            new Metric("m", 3, Start, 2),
            new Metric("m", 2, Start, 1),
            new Metric("m", 3, Start, 2),
        };

        var missing = RunDiff.MissingPoints(history, stored, out var present);

        Assert.Equal([new Metric("m", 3, Start, 2), new Metric("m", 2, Start, 1)], missing);
        Assert.Equal(3, present);
    }

    private static RunSnapshot Run(string id, RunStatus status, long? endTime, string? name) => new()
    {
        Info = new RunInfo { RunId = id, ExperimentId = "1", Status = status, StartTime = Start, EndTime = endTime, RunName = name },
    };

    private static DatasetInput Input(string name, string digest, params Tag[] tags) =>
        new(new Dataset { Name = name, Digest = digest, SourceType = "local", Source = "{}" }, tags);
}
