using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using LlmTrack.Configuration;
using LlmTrack.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmTrack.Rest;

/// <summary>
/// The named <see cref="HttpClient"/> <c>"LlmTrack.Mlflow"</c> for a tracking server: base address
/// from <see cref="LlmTrackOptions.TrackingUri"/>, no client-level timeout (the resilience pipeline
/// times each attempt), and a <see cref="SocketsHttpHandler"/> that applies the TLS options.
/// </summary>
internal static class MlflowHttpClient
{
    /// <summary>The name of the client in <see cref="IHttpClientFactory"/>.</summary>
    public const string ClientName = "LlmTrack.Mlflow";

    /// <summary>
    /// Registers the named client, reading options from <c>IOptions&lt;LlmTrackOptions&gt;</c> (or a
    /// registered <see cref="LlmTrackOptions"/> instance, else MLflow's environment variables).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The client builder, for further configuration.</returns>
    public static IHttpClientBuilder AddMlflowHttpClient(this IServiceCollection services) =>
        services.AddMlflowHttpClient(ResolveOptions);

    /// <summary>Registers the named client with the given options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The options.</param>
    /// <returns>The client builder, for further configuration.</returns>
    public static IHttpClientBuilder AddMlflowHttpClient(this IServiceCollection services, LlmTrackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddMlflowHttpClient(_ => options);
    }

    /// <summary>Registers the named client with options resolved from the service provider.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">Resolves the options.</param>
    /// <returns>The client builder, for further configuration.</returns>
    public static IHttpClientBuilder AddMlflowHttpClient(this IServiceCollection services, Func<IServiceProvider, LlmTrackOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        return services
            .AddHttpClient(ClientName)
            .ConfigureHttpClient((provider, client) =>
            {
                var resolved = options(provider);
                if (TrackingUri.TryGetHttpBaseAddress(resolved.TrackingUri, out var baseAddress))
                {
                    client.BaseAddress = baseAddress;
                }

                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(provider => CreatePrimaryHandler(options(provider)))
            .RemoveAllLoggers();
    }

    /// <summary>
    /// An <see cref="IHttpClientFactory"/> for use without dependency injection, backed by a private
    /// service collection. Dispose it when the tracker is disposed.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>A factory whose <see cref="ClientName"/> client is configured for <paramref name="options"/>.</returns>
    public static StandaloneHttpClientFactory CreateStandaloneFactory(LlmTrackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = new ServiceCollection();
        services.AddMlflowHttpClient(options);
        return new StandaloneHttpClientFactory(services.BuildServiceProvider());
    }

    /// <summary>The primary handler: connection pooling plus the TLS settings of <paramref name="options"/>.</summary>
    /// <param name="options">The options (InsecureTls, ServerCertPath, ClientCertPath, Http.AttemptTimeout).</param>
    /// <returns>A new handler.</returns>
    public static SocketsHttpHandler CreatePrimaryHandler(LlmTrackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = MlflowRetrySettings.From(options.Http);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = settings.AttemptTimeout,
            AutomaticDecompression = DecompressionMethods.All,
        };

        if (options.InsecureTls)
        {
            // Explicit opt-in (MLFLOW_TRACKING_INSECURE_TLS), off by default, as in MLflow's client.
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrWhiteSpace(options.ServerCertPath))
        {
            var trustedRoots = LoadCertificates(options.ServerCertPath);
            handler.SslOptions.RemoteCertificateValidationCallback =
                (_, certificate, chain, errors) => MlflowTlsValidation.ValidateServerCertificate(certificate, chain, errors, trustedRoots);
        }

        if (!string.IsNullOrWhiteSpace(options.ClientCertPath))
        {
            handler.SslOptions.ClientCertificates = [LoadClientCertificate(options.ClientCertPath)];
        }

        return handler;
    }

    /// <summary>
    /// Basic-auth credentials: <see cref="LlmTrackOptions.Username"/>/<see cref="LlmTrackOptions.Password"/>,
    /// else the user info of the tracking URI (<c>http://user:pass@host</c>), which is never sent in the URL.
    /// </summary>
    public static (string? User, string? Password) GetCredentials(LlmTrackOptions options, Uri trackingUri)
    {
        if (options.Username is not null && options.Password is not null)
        {
            return (options.Username, options.Password);
        }

        var userInfo = trackingUri.UserInfo;
        if (string.IsNullOrEmpty(userInfo))
        {
            return (options.Username, options.Password);
        }

        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (Uri.UnescapeDataString(userInfo), options.Password ?? string.Empty)
            : (Uri.UnescapeDataString(userInfo[..colon]), Uri.UnescapeDataString(userInfo[(colon + 1)..]));
    }

    private static LlmTrackOptions ResolveOptions(IServiceProvider provider) =>
        provider.GetService<IOptions<LlmTrackOptions>>()?.Value
        ?? provider.GetService<LlmTrackOptions>()
        ?? LlmTrackOptions.FromEnvironment();

    private static X509Certificate2Collection LoadCertificates(string pemPath)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(pemPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Cannot read the server CA certificate file '{pemPath}': {ex.Message}", null, ex);
        }

        if (collection.Count == 0)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The server CA certificate file '{pemPath}' contains no PEM certificate.");
        }

        return collection;
    }

    private static X509Certificate2 LoadClientCertificate(string pemPath)
    {
        try
        {
            // One PEM file holding the certificate and its private key, as MLflow's MLFLOW_TRACKING_CLIENT_CERT_PATH.
            var certificate = X509Certificate2.CreateFromPemFile(pemPath);
            if (!OperatingSystem.IsWindows())
            {
                return certificate;
            }

            // SChannel cannot use the ephemeral key of a PEM-loaded certificate; round-trip through PKCS#12.
            using (certificate)
            {
#if NET9_0_OR_GREATER
                return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
#else
                return new X509Certificate2(certificate.Export(X509ContentType.Pkcs12));
#endif
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Cannot read the client certificate file '{pemPath}' (a PEM file with the certificate and its private key): {ex.Message}", null, ex);
        }
    }
}

/// <summary>TLS server-certificate validation against a CA from <see cref="LlmTrackOptions.ServerCertPath"/>.</summary>
internal static class MlflowTlsValidation
{
    /// <summary>
    /// Accepts a certificate the system trusts, or one whose chain ends in one of <paramref name="trustedRoots"/>;
    /// a host-name mismatch or a missing certificate is always rejected.
    /// </summary>
    public static bool ValidateServerCertificate(X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors, X509Certificate2Collection trustedRoots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        chain.ChainPolicy.ExtraStore.AddRange(trustedRoots);
        if (presentedChain is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }

        var leaf = certificate as X509Certificate2;
        var owned = leaf is null;
#if NET9_0_OR_GREATER
        leaf ??= X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
#else
        leaf ??= new X509Certificate2(certificate);
#endif
        try
        {
            return chain.Build(leaf);
        }
        finally
        {
            if (owned)
            {
                leaf.Dispose();
            }
        }
    }
}

/// <summary>An <see cref="IHttpClientFactory"/> backed by a private service provider (no dependency injection).</summary>
internal sealed class StandaloneHttpClientFactory : IHttpClientFactory, IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IHttpClientFactory _factory;

    /// <summary>Wraps the factory of <paramref name="provider"/>; disposing this disposes the provider.</summary>
    public StandaloneHttpClientFactory(ServiceProvider provider)
    {
        _provider = provider;
        _factory = provider.GetRequiredService<IHttpClientFactory>();
    }

    /// <inheritdoc />
    public HttpClient CreateClient(string name) => _factory.CreateClient(name);

    /// <inheritdoc />
    public void Dispose() => _provider.Dispose();
}
