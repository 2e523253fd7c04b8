namespace LlmTrack;

/// <summary>
/// Settings of a <c>Tracker</c>. Unset values fall back to MLflow's environment variables
/// (see <see cref="FromEnvironment"/>), then to the defaults documented on each property.
/// Bind from configuration with <c>services.AddLlmTrack(configuration.GetSection("LlmTrack"))</c>.
/// </summary>
/// <remarks>Secrets (<see cref="Token"/>, <see cref="Password"/>) never appear in <see cref="ToString"/>, logs or exception messages.</remarks>
public sealed class LlmTrackOptions
{
    /// <summary>
    /// Where runs go: <c>http(s)://host:port</c> for an MLflow tracking server, <c>sqlite:///relative.db</c>
    /// or <c>sqlite:////absolute.db</c> for a local store, <c>memory:</c> for an in-process store that lives as long
    /// as the tracker (for the tests of code that uses LlmTrack: read back what it logged with the tracker's
    /// <c>GetRunAsync</c>, <c>SearchRunsAsync</c>, <c>GetMetricHistoryAsync</c>). Default (<see langword="null"/>):
    /// <c>MLFLOW_TRACKING_URI</c>, else <c>sqlite:///mlflow.db</c> in the working directory.
    /// </summary>
    public string? TrackingUri { get; set; }

    /// <summary>Experiment used when a run names none (default <c>MLFLOW_EXPERIMENT_NAME</c>, else Default).</summary>
    public string? ExperimentName { get; set; }

    /// <summary>Experiment id used when a run names none (default <c>MLFLOW_EXPERIMENT_ID</c>).</summary>
    public string? ExperimentId { get; set; }

    /// <summary>Bearer token (<c>MLFLOW_TRACKING_TOKEN</c>).</summary>
    public string? Token { get; set; }

    /// <summary>Basic-auth user (<c>MLFLOW_TRACKING_USERNAME</c>).</summary>
    public string? Username { get; set; }

    /// <summary>Basic-auth password (<c>MLFLOW_TRACKING_PASSWORD</c>).</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Called before each request for a bearer token (e.g. a short-lived one); overrides <see cref="Token"/>
    /// when it returns a value.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; set; }

    /// <summary>Extra headers sent with every request to the tracking server.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Skip TLS certificate validation (<c>MLFLOW_TRACKING_INSECURE_TLS</c>). Off by default; never use in production.</summary>
    public bool InsecureTls { get; set; }

    /// <summary>PEM file of a CA that signs the server's certificate (<c>MLFLOW_TRACKING_SERVER_CERT_PATH</c>).</summary>
    public string? ServerCertPath { get; set; }

    /// <summary>PEM client certificate (with its key) for mutual TLS (<c>MLFLOW_TRACKING_CLIENT_CERT_PATH</c>).</summary>
    public string? ClientCertPath { get; set; }

    /// <summary>Retries and time limits of requests to a tracking server.</summary>
    public HttpRetryOptions Http { get; set; } = new();

    /// <summary>How logged values are batched and sent.</summary>
    public BatchingOptions Batching { get; set; } = new();

    /// <summary>Durable mode for remote tracking: a local journal that survives outages and crashes (on by default).</summary>
    public DurabilityOptions Durability { get; set; } = new();

    /// <summary>
    /// Reads MLflow's environment variables (<c>MLFLOW_TRACKING_URI</c>, <c>MLFLOW_TRACKING_TOKEN</c>,
    /// <c>MLFLOW_TRACKING_USERNAME</c>, <c>MLFLOW_TRACKING_PASSWORD</c>, <c>MLFLOW_TRACKING_INSECURE_TLS</c>,
    /// <c>MLFLOW_TRACKING_SERVER_CERT_PATH</c>, <c>MLFLOW_TRACKING_CLIENT_CERT_PATH</c>,
    /// <c>MLFLOW_EXPERIMENT_NAME</c>, <c>MLFLOW_EXPERIMENT_ID</c>, <c>MLFLOW_HTTP_REQUEST_MAX_RETRIES</c>,
    /// <c>MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR</c>, <c>MLFLOW_HTTP_REQUEST_BACKOFF_JITTER</c>,
    /// <c>MLFLOW_HTTP_REQUEST_TIMEOUT</c>) into the properties that are still unset on this instance.
    /// </summary>
    /// <param name="environment">Reads a variable; default <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <returns>This instance.</returns>
    public LlmTrackOptions ApplyEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
        TrackingUri ??= NonEmpty(environment("MLFLOW_TRACKING_URI"));
        ExperimentName ??= NonEmpty(environment("MLFLOW_EXPERIMENT_NAME"));
        ExperimentId ??= NonEmpty(environment("MLFLOW_EXPERIMENT_ID"));
        Token ??= NonEmpty(environment("MLFLOW_TRACKING_TOKEN"));
        Username ??= NonEmpty(environment("MLFLOW_TRACKING_USERNAME"));
        Password ??= NonEmpty(environment("MLFLOW_TRACKING_PASSWORD"));
        ServerCertPath ??= NonEmpty(environment("MLFLOW_TRACKING_SERVER_CERT_PATH"));
        ClientCertPath ??= NonEmpty(environment("MLFLOW_TRACKING_CLIENT_CERT_PATH"));
        if (!InsecureTls && NonEmpty(environment("MLFLOW_TRACKING_INSECURE_TLS")) is { } insecure)
        {
            InsecureTls = insecure.Equals("true", StringComparison.OrdinalIgnoreCase) || insecure == "1";
        }

        Http.ApplyEnvironment(environment);
        return this;
    }

    /// <summary>Options from MLflow's environment variables only (see <see cref="ApplyEnvironment"/>).</summary>
    /// <returns>New options.</returns>
    public static LlmTrackOptions FromEnvironment() => new LlmTrackOptions().ApplyEnvironment();

    /// <summary>Describes the options without secrets.</summary>
    /// <returns>A description in which credentials are redacted.</returns>
    public override string ToString() =>
        $"LlmTrackOptions {{ TrackingUri = {(TrackingUri is null ? "(default)" : Configuration.TrackingUri.Redact(TrackingUri))}, ExperimentName = {ExperimentName}, ExperimentId = {ExperimentId}, " +
        $"Token = {(Token is null ? "(none)" : "***")}, Username = {Username ?? "(none)"}, Password = {(Password is null ? "(none)" : "***")}, " +
        $"InsecureTls = {InsecureTls}, Headers = [{string.Join(", ", Headers.Keys)}] }}";
}

/// <summary>Retries and time limits of requests to a tracking server (defaults equal MLflow's Python client).</summary>
public sealed class HttpRetryOptions
{
    /// <summary>Retries after the first attempt (default 7; <c>MLFLOW_HTTP_REQUEST_MAX_RETRIES</c>).</summary>
    public int? MaxRetries { get; set; }

    /// <summary>Exponential back-off factor in seconds (default 2; <c>MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR</c>).</summary>
    public double? BackoffFactor { get; set; }

    /// <summary>Random jitter added to each back-off, in seconds (default 1.0; <c>MLFLOW_HTTP_REQUEST_BACKOFF_JITTER</c>).</summary>
    public double? BackoffJitter { get; set; }

    /// <summary>Time limit of one attempt (default 120 s; <c>MLFLOW_HTTP_REQUEST_TIMEOUT</c> in seconds).</summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>Time limit of one request including all retries (default 10 minutes).</summary>
    public TimeSpan? TotalTimeout { get; set; }

    internal void ApplyEnvironment(Func<string, string?> environment)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (MaxRetries is null && int.TryParse(environment("MLFLOW_HTTP_REQUEST_MAX_RETRIES"), System.Globalization.NumberStyles.Integer, inv, out var r))
        {
            MaxRetries = r;
        }

        if (BackoffFactor is null && double.TryParse(environment("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"), System.Globalization.NumberStyles.Float, inv, out var f))
        {
            BackoffFactor = f;
        }

        if (BackoffJitter is null && double.TryParse(environment("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER"), System.Globalization.NumberStyles.Float, inv, out var j))
        {
            BackoffJitter = j;
        }

        if (AttemptTimeout is null && double.TryParse(environment("MLFLOW_HTTP_REQUEST_TIMEOUT"), System.Globalization.NumberStyles.Float, inv, out var t))
        {
            AttemptTimeout = TimeSpan.FromSeconds(t);
        }
    }
}

/// <summary>How logged values are batched and sent by the background sender.</summary>
public sealed class BatchingOptions
{
    /// <summary>The longest a logged value waits before a batch is sent (default 1 s).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Slots for values held in memory per run, values being sent included, before <see cref="QueueFullPolicy"/>
    /// applies (default 1,000,000). A param or tag takes one slot; a logging thread reserves slots for its metric
    /// points 64, 256, then 1024 at a time (never more than are free), so with several threads up to one partly
    /// used block per thread counts against the bound.
    /// </summary>
    public int MaxQueuedItems { get; set; } = 1_000_000;

    /// <summary>What a logging call does when the queue is full (default <see cref="LlmTrack.QueueFullPolicy.Block"/>).</summary>
    public QueueFullPolicy QueueFullPolicy { get; set; } = QueueFullPolicy.Block;
}

/// <summary>What a logging call does when a run's in-memory queue is full.</summary>
public enum QueueFullPolicy
{
    /// <summary>Wait until the sender has made room (back-pressure; nothing is lost).</summary>
    Block,

    /// <summary>Drop the new value, count it in <c>Dropped</c> and log a warning.</summary>
    DropNewest,

    /// <summary>Throw <see cref="InvalidOperationException"/> at the call.</summary>
    Throw,
}
