using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Benchmarks.Tracking;

/// <summary>
/// A minimal MLflow-compatible tracking server on 127.0.0.1 (Kestrel, in the benchmark's process): the
/// endpoints a run needs, with real JSON parsing of every log-batch body, answering like MLflow 3.6.
/// It counts the metric points it received so a benchmark can check that all arrived.
/// </summary>
internal sealed class InProcessMlflowServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _metricPoints;
    private int _runs;

    private InProcessMlflowServer(WebApplication app) => _app = app;

    public string Uri { get; private set; } = "";

    public long MetricPoints => Interlocked.Read(ref _metricPoints);

    public static async Task<InProcessMlflowServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new InProcessMlflowServer(app);
        const string api = "/api/2.0/mlflow/";
        app.MapGet(api + "experiments/get-by-name", (HttpContext c) => Json(c, 200,
            """{"experiment":{"experiment_id":"1","name":"bench","artifact_location":"mlflow-artifacts:/1","lifecycle_stage":"active"}}"""));
        app.MapPost(api + "runs/create", (HttpContext c) =>
        {
            var id = Interlocked.Increment(ref server._runs).ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
            return Json(c, 200, "{\"run\":{\"info\":{\"run_id\":\"" + id + "\",\"run_uuid\":\"" + id +
                "\",\"experiment_id\":\"1\",\"status\":\"RUNNING\",\"start_time\":1,\"artifact_uri\":\"mlflow-artifacts:/1/" + id +
                "/artifacts\",\"lifecycle_stage\":\"active\"},\"data\":{}}}");
        });
        app.MapPost(api + "runs/log-batch", async (HttpContext c) =>
        {
            using var body = await JsonDocument.ParseAsync(c.Request.Body);
            if (body.RootElement.TryGetProperty("metrics", out var metrics))
            {
                Interlocked.Add(ref server._metricPoints, metrics.GetArrayLength());
            }

            await Json(c, 200, "{}");
        });
        app.MapPost(api + "runs/update", (HttpContext c) => Json(c, 200,
            """{"run_info":{"run_id":"0","experiment_id":"1","status":"FINISHED","start_time":1,"end_time":2,"lifecycle_stage":"active"}}"""));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Uri = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return server;
    }

    private static Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
