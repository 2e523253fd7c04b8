using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Testing;

/// <summary><see cref="FakeMlflowServer"/> over real HTTP: Kestrel on 127.0.0.1, a free port; a reset aborts the connection.</summary>
internal sealed class FakeMlflowHttpFront : IDisposable, IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeMlflowHttpFront(FakeMlflowServer server)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        _app = builder.Build();
        _app.Run(context => HandleAsync(server, context));
    }

    public string Uri { get; private set; } = "";

    public static FakeMlflowHttpFront Start(FakeMlflowServer server)
    {
        var front = new FakeMlflowHttpFront(server);
        front._app.Start();
        front.ReadAddress();
        return front;
    }

    public static async Task<FakeMlflowHttpFront> StartAsync(FakeMlflowServer server)
    {
        var front = new FakeMlflowHttpFront(server);
        await front._app.StartAsync().ConfigureAwait(false);
        front.ReadAddress();
        return front;
    }

    private void ReadAddress()
    {
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Uri = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }

    private static async Task HandleAsync(FakeMlflowServer server, HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        FakeAnswer answer;
        try
        {
            answer = await server.HandleAsync(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client gave up during a delay
        }

        if (answer.Reset)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        if (answer.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
