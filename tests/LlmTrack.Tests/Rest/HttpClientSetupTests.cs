using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LlmTrack.Rest;
using Microsoft.Extensions.DependencyInjection;

namespace LlmTrack.Tests.Rest;

/// <summary>The named client registration, the standalone factory and TLS settings.</summary>
public sealed class HttpClientSetupTests
{
    [Fact]
    public void AddMlflowHttpClientConfiguresNamedClient()
    {
        var services = new ServiceCollection();
        services.AddMlflowHttpClient(new LlmTrackOptions { TrackingUri = "https://mlflow.example.com:8443/prefix?x=1" });
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(MlflowHttpClient.ClientName);

        Assert.Equal(new Uri("https://mlflow.example.com:8443/prefix/"), client.BaseAddress);
        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }

    [Fact]
    public void AddMlflowHttpClientReadsIOptions()
    {
        var services = new ServiceCollection();
        services.Configure<LlmTrackOptions>(o => o.TrackingUri = "http://tracking:5000");
        services.AddMlflowHttpClient();
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(MlflowHttpClient.ClientName);

        Assert.Equal(new Uri("http://tracking:5000/"), client.BaseAddress);
    }

    [Fact]
    public async Task StandaloneStoreTalksToServer()
    {
        using var server = WireMock.Server.WireMockServer.Start();
        server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/prefix/api/2.0/mlflow/runs/get").UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithBody(Recordings.Curl("basic.out", "runs/get?run_id=").ResponseBody));
        using var store = MlflowRestStore.CreateStandalone(new LlmTrackOptions { TrackingUri = server.Urls[0] + "/prefix" });

        var run = await store.GetRunAsync("4f637ae228d84558ac6c543429351775", CancellationToken.None);

        Assert.Equal("r2", run.Info.RunName);
    }

    [Theory]
    [InlineData("sqlite:///mlflow.db", false)]
    [InlineData("file:///tmp/mlruns", false)]
    [InlineData("http://h:5000", true)]
    [InlineData("HTTPS://h", true)]
    [InlineData(null, false)]
    public void IsHttpTrackingUri(string? uri, bool expected) => Assert.Equal(expected, LlmTrack.Configuration.TrackingUri.IsHttp(uri));

    [Fact]
    public void PrimaryHandlerTlsIsValidatedByDefaultInsecureOnlyWhenAskedFor()
    {
        using var secure = MlflowHttpClient.CreatePrimaryHandler(new LlmTrackOptions());
        Assert.Null(secure.SslOptions.RemoteCertificateValidationCallback);
        Assert.False(new LlmTrackOptions().InsecureTls);

        using var insecure = MlflowHttpClient.CreatePrimaryHandler(new LlmTrackOptions { InsecureTls = true });
        Assert.NotNull(insecure.SslOptions.RemoteCertificateValidationCallback);
        Assert.True(insecure.SslOptions.RemoteCertificateValidationCallback!(this, null, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void ServerCaPemValidatesChainsItSignedOnly()
    {
        using var ca = CreateCa("CN=LlmTrack Test CA");
        using var otherCa = CreateCa("CN=Other CA");
        using var leaf = CreateLeaf(ca, "localhost");
        using var foreignLeaf = CreateLeaf(otherCa, "localhost");
        var dir = Directory.CreateTempSubdirectory("llmtrack-tls");
        try
        {
            var caPath = Path.Combine(dir.FullName, "ca.pem");
            File.WriteAllText(caPath, ca.ExportCertificatePem());
            using var handler = MlflowHttpClient.CreatePrimaryHandler(new LlmTrackOptions { ServerCertPath = caPath });
            var validate = handler.SslOptions.RemoteCertificateValidationCallback!;

            Assert.True(validate(this, leaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.True(validate(this, leaf, null, SslPolicyErrors.None));
            Assert.False(validate(this, foreignLeaf, null, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.False(validate(this, leaf, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
            Assert.False(validate(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void ClientCertificatePemWithKeyIsLoaded()
    {
        using var ca = CreateCa("CN=Client CA");
        using var client = CreateLeaf(ca, "client");
        var dir = Directory.CreateTempSubdirectory("llmtrack-tls");
        try
        {
            var path = Path.Combine(dir.FullName, "client.pem");
            using var key = client.GetRSAPrivateKey()!;
            File.WriteAllText(path, client.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());

            using var handler = MlflowHttpClient.CreatePrimaryHandler(new LlmTrackOptions { ClientCertPath = path });

            var loaded = Assert.IsType<X509Certificate2>(Assert.Single(handler.SslOptions.ClientCertificates!));
            Assert.True(loaded.HasPrivateKey);
            Assert.Equal(client.Thumbprint, loaded.Thumbprint);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void MissingCertificateFileIsClearError()
    {
        var ex = Assert.Throws<MlflowException>(() => MlflowHttpClient.CreatePrimaryHandler(new LlmTrackOptions { ServerCertPath = "/nonexistent/ca.pem" }));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 CreateLeaf(X509Certificate2 issuer, string dnsName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var signed = request.Create(issuer, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        return signed.CopyWithPrivateKey(key);
    }
}
