namespace LlmTrack.Tests.Registry;

public sealed class ModelUriTests
{
    [Theory]
    [InlineData("models:/reg-demo-b/3", "reg-demo-b", 3, null, null, false)]
    [InlineData("models:/reg-demo-b@champion", "reg-demo-b", null, "champion", null, false)]
    [InlineData("models:/reg-demo-b/latest", "reg-demo-b", null, null, null, true)]
    [InlineData("models:/reg-demo-b/production", "reg-demo-b", null, null, "Production", false)]
    [InlineData("models:/team.model/12", "team.model", 12, null, null, false)]
    public void ParsesRegisteredModelUris(string text, string name, int? version, string? alias, string? stage, bool latest)
    {
        var uri = ModelUri.Parse(text);

        Assert.Equal((name, version, alias, stage, latest), (uri.Name, uri.Version, uri.Alias, uri.Stage, uri.IsLatest));
        Assert.Null(uri.RunId);
        Assert.Equal(text, uri.ToString());
    }

    [Fact]
    public void ParsesRunAndLoggedModelUris()
    {
        var run = ModelUri.Parse("runs:/131ac8666e5b49af8aeda009262f0395/model/sub");
        var logged = ModelUri.Parse("models:/m-0123456789abcdef0123456789abcdef");

        Assert.Equal(("131ac8666e5b49af8aeda009262f0395", "model/sub"), (run.RunId, run.ArtifactPath));
        Assert.Null(run.Name);
        Assert.Equal("m-0123456789abcdef0123456789abcdef", logged.LoggedModelId);
        Assert.Null(logged.Name);
    }

    [Theory]
    [InlineData("s3://bucket/model")]
    [InlineData("models:/")]
    [InlineData("models:/name/")]
    [InlineData("models:/name/0")]
    [InlineData("models:/name/Bogus")]
    [InlineData("models:/name@")]
    [InlineData("runs:/")]
    public void RefusesWhatIsNotAModelUri(string text)
    {
        Assert.False(ModelUri.TryParse(text, out _));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, Assert.Throws<MlflowException>(() => ModelUri.Parse(text)).ErrorCode);
    }
}
