using System.Net;
using System.Text;

namespace LlmTrack.Testing;

/// <summary>
/// <see cref="FakeMlflowServer"/> in process, as an <see cref="HttpMessageHandler"/>: a reset before handling throws a
/// connection error, a reset after handling a "response ended" error, as <see cref="SocketsHttpHandler"/> reports them.
/// </summary>
internal sealed class FakeMlflowHandler(FakeMlflowServer server) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var uri = request.RequestUri!;
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var answer = await server.HandleAsync(request.Method.Method, uri.AbsolutePath, uri.Query, body, cancellationToken).ConfigureAwait(false);
        if (answer.Reset)
        {
            throw answer.Handled
                ? new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely (injected).", new IOException("Connection reset by peer"))
                : new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer (injected).", new IOException("Connection reset by peer"));
        }

        var response = new HttpResponseMessage((HttpStatusCode)answer.Status) { RequestMessage = request };
        response.Content = new StringContent(answer.Body, Encoding.UTF8);
        response.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(answer.ContentType);
        if (answer.RetryAfter is { } retryAfter)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }
}
