using System.Text;
using LlmTrack.Rest;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace LlmTrack.Tests.Rest;

/// <summary>Bearer, token provider, basic auth and custom headers; secrets never reach logs or messages.</summary>
public sealed class AuthAndSecretsTests
{
    private const string RunId = "4f637ae228d84558ac6c543429351775";
    private const string Token = "tok-SECRET-1a2b3c";
    private const string Password = "pw-SECRET-9z8y7x";
    private static readonly string RunGetBody = Recordings.Curl("basic.out", "runs/get?run_id=").ResponseBody;

    private static string Header(MlflowServerFixture mlflow, int index, string name) =>
        mlflow.Server.LogEntries[index].RequestMessage.Headers!.TryGetValue(name, out var values) ? values.Single() : "";

    [Fact]
    public async Task BearerTokenAndCustomHeadersAreSent()
    {
        using var mlflow = new MlflowServerFixture(o =>
        {
            o.Token = Token;
            o.Headers["X-Team"] = "ml";
            o.Headers["X-Request-Source"] = "llmtrack";
        });
        mlflow.Respond(mlflow.Get("runs/get"), 200, RunGetBody);

        await mlflow.Store.GetRunAsync(RunId, CancellationToken.None);

        Assert.Equal("Bearer " + Token, Header(mlflow, 0, "Authorization"));
        Assert.Equal("ml", Header(mlflow, 0, "X-Team"));
        Assert.Equal("llmtrack", Header(mlflow, 0, "X-Request-Source"));
        Assert.StartsWith("llmtrack-dotnet/", Header(mlflow, 0, "User-Agent"));
    }

    [Fact]
    public async Task TokenProviderIsCalledPerRequestIncludingRetriesAndWinsOverToken()
    {
        var calls = 0;
        using var mlflow = new MlflowServerFixture(o =>
        {
            o.Token = "static";
            o.TokenProvider = _ => ValueTask.FromResult<string?>("dyn-" + Interlocked.Increment(ref calls));
        });
        mlflow.Server.Given(mlflow.Get("runs/get")).InScenario("t").WillSetStateTo("ok").RespondWith(Response.Create().WithStatusCode(503));
        mlflow.Server.Given(mlflow.Get("runs/get")).InScenario("t").WhenStateIs("ok").RespondWith(Response.Create().WithBody(RunGetBody));
        mlflow.Respond(mlflow.Post("runs/set-tag"), 200, "{}");

        await mlflow.Store.GetRunAsync(RunId, CancellationToken.None);
        await mlflow.Store.SetTagAsync(RunId, "k", "v", CancellationToken.None);

        Assert.Equal(3, calls);
        Assert.Equal(["Bearer dyn-1", "Bearer dyn-2", "Bearer dyn-3"], mlflow.Server.LogEntries.Select(e => e.RequestMessage.Headers!["Authorization"].Single()));
    }

    [Fact]
    public async Task TokenProviderReturningNullFallsBackToToken()
    {
        using var mlflow = new MlflowServerFixture(o =>
        {
            o.Token = Token;
            o.TokenProvider = _ => ValueTask.FromResult<string?>(null);
        });
        mlflow.Respond(mlflow.Get("runs/get"), 200, RunGetBody);

        await mlflow.Store.GetRunAsync(RunId, CancellationToken.None);

        Assert.Equal("Bearer " + Token, Header(mlflow, 0, "Authorization"));
    }

    [Fact]
    public async Task BasicAuthFromUsernamePassword()
    {
        using var mlflow = new MlflowServerFixture(o =>
        {
            o.Username = "alice";
            o.Password = Password;
        });
        mlflow.Respond(mlflow.Get("runs/get"), 200, RunGetBody);

        await mlflow.Store.GetRunAsync(RunId, CancellationToken.None);

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Password)), Header(mlflow, 0, "Authorization"));
    }

    [Fact]
    public async Task BasicAuthFromTrackingUriUserInfoNotSentInUrl()
    {
        using var server = WireMock.Server.WireMockServer.Start();
        server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithBody(RunGetBody));
        var uri = new UriBuilder(server.Urls[0]) { UserName = "bob", Password = Password }.Uri.AbsoluteUri;
        var options = new LlmTrackOptions { TrackingUri = uri };
        using var store = MlflowRestStore.CreateStandalone(options);

        await store.GetRunAsync(RunId, CancellationToken.None);

        Assert.DoesNotContain(Password, store.BaseAddress.AbsoluteUri);
        var entry = Assert.Single(server.LogEntries);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:" + Password)), entry.RequestMessage.Headers!["Authorization"].Single());
        Assert.DoesNotContain(Password, entry.RequestMessage.Url);
    }

    [Fact]
    public async Task SecretsNeverInLogsExceptionMessagesOrToString()
    {
        using var mlflow = new MlflowServerFixture(o =>
        {
            o.Token = Token;
            o.Username = "alice";
            o.Password = Password;
            o.Http.MaxRetries = 1;
        });
        mlflow.Respond(mlflow.Get("runs/get"), 500, Recordings.Edge("log-metric value as array").ResponseBody);
        mlflow.Respond(mlflow.Post("runs/set-tag"), 404, Recordings.Edge("runs/get nonexistent run_id").ResponseBody);
        mlflow.Respond(mlflow.Get("experiments/get-by-name"), 401, "Unauthorized");
        var errors = new List<Exception>();
        errors.Add(await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.GetRunAsync(RunId, CancellationToken.None)));
        errors.Add(await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.SetTagAsync(RunId, "k", "v", CancellationToken.None)));
        errors.Add(await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.GetExperimentByNameAsync("e", CancellationToken.None)));

        // Also a transport failure with a token provider and basic credentials in the URI.
        var options = new LlmTrackOptions { TrackingUri = $"http://alice:{Password}@127.0.0.1:1", TokenProvider = _ => ValueTask.FromResult<string?>(Token) };
        options.Http.MaxRetries = 0;
        var logs = new CapturingLoggerProvider();
        using (var store = MlflowRestStore.CreateStandalone(options, new() { Logger = logs.CreateLogger("x") }))
        {
            errors.Add(await Assert.ThrowsAsync<MlflowException>(() => store.GetRunAsync(RunId, CancellationToken.None)));
        }

        var everything = string.Join("\n", mlflow.Logs.Messages.Concat(logs.Messages).Concat(errors.Select(e => e.ToString())))
            + mlflow.Options + options;
        Assert.NotEmpty(mlflow.Logs.Messages);
        Assert.Contains("/api/2.0/mlflow/runs/get", everything);
        var at = everything.IndexOf(Token, StringComparison.Ordinal);
        Assert.True(at < 0, at < 0 ? "" : everything.Substring(Math.Max(0, at - 300), 400));
        at = everything.IndexOf(Password, StringComparison.Ordinal);
        Assert.True(at < 0, at < 0 ? "" : everything.Substring(Math.Max(0, at - 300), 400));
        Assert.DoesNotContain(Password, everything);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Password)), everything);
    }

    [Fact]
    public async Task DebugLogHasMethodPathStatusNoQuery()
    {
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Get("experiments/get-by-name"), 404, """{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"x"}""");

        await mlflow.Store.GetExperimentByNameAsync("private-experiment-name", CancellationToken.None);

        var line = Assert.Single(mlflow.Logs.Messages);
        Assert.StartsWith("Debug MlflowRestStore: MLflow GET /api/2.0/mlflow/experiments/get-by-name -> 404", line);
        Assert.DoesNotContain("private-experiment-name", line);
    }
}
