using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmTrack.Tests.Tracking;

public class DependencyInjectionTests
{
    [Fact]
    public void RegistersOptionsTrackerTimeProviderAndTheNamedHttpClient()
    {
        var services = new ServiceCollection();
        services.AddLlmTrack(o =>
        {
            o.TrackingUri = "ftp://user:secret@example.invalid";
            o.ExperimentName = "di";
        });
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<LlmTrackOptions>>().Value;
        Assert.Equal("di", options.ExperimentName);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<IHttpClientFactory>().CreateClient("LlmTrack.Mlflow"));
        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(Tracker));
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);

        // No store knows ftp://: the error names the URI without its credentials.
        var ex = Assert.Throws<MlflowException>(() => provider.GetRequiredService<Tracker>());
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.DoesNotContain("secret", ex.Message);
    }

    [Fact]
    public void BindsOptionsFromConfigurationAndKeepsARegisteredTimeProvider()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmTrack:TrackingUri"] = "http://127.0.0.1:5000",
            ["LlmTrack:ExperimentId"] = "7",
            ["LlmTrack:Batching:FlushInterval"] = "00:00:05",
            ["LlmTrack:Batching:QueueFullPolicy"] = "DropNewest",
            ["LlmTrack:Headers:X-Team"] = "nlp",
        }).Build();
        var fake = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(fake);
        services.AddLlmTrack(configuration.GetSection("LlmTrack"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<LlmTrackOptions>>().Value;
        Assert.Equal("http://127.0.0.1:5000", options.TrackingUri);
        Assert.Equal("7", options.ExperimentId);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Batching.FlushInterval);
        Assert.Equal(QueueFullPolicy.DropNewest, options.Batching.QueueFullPolicy);
        Assert.Equal("nlp", options.Headers["X-Team"]);
        Assert.Same(fake, provider.GetRequiredService<TimeProvider>());
    }

    [Theory]
    [InlineData("http://user:pw@host:5000/path", "http://***@host:5000/path")]
    [InlineData("https://host:5000/a@b", "https://host:5000/a@b")]
    [InlineData("http://user:p@ss@host:5000", "http://***@host:5000")]
    [InlineData("http://user:pw@host?next=a@b", "http://***@host?next=a@b")]
    [InlineData("sqlite:///mlflow.db", "sqlite:///mlflow.db")]
    public void StoreErrorsNeverShowCredentials(string uri, string shown) =>
        Assert.Equal(shown, LlmTrack.Configuration.TrackingUri.Redact(uri));

    [Fact]
    public void InvalidBatchingOptionsAreRefusedWhenTheTrackerIsBuilt()
    {
        var options = new LlmTrackOptions();
        options.Batching.FlushInterval = TimeSpan.Zero;
        Assert.Throws<ArgumentException>(() => new Tracker(options));
        options.Batching.FlushInterval = TimeSpan.FromSeconds(1);
        options.Batching.MaxQueuedItems = 0;
        Assert.Throws<ArgumentException>(() => new Tracker(options));
    }
}
