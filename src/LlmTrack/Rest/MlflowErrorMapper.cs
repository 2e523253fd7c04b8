using System.Net;
using System.Text;
using System.Text.Json;
using LlmTrack.Rest.Wire;

namespace LlmTrack.Rest;

/// <summary>An error response of the tracking server, converted to an exception.</summary>
/// <param name="Exception">The exception to throw.</param>
/// <param name="HasMlflowErrorBody">Whether the body was MLflow's JSON error (<c>{"error_code","message"}</c>).</param>
internal readonly record struct MlflowErrorResponse(MlflowException Exception, bool HasMlflowErrorBody);

/// <summary>
/// Turns non-2xx responses into <see cref="MlflowException"/>: MLflow's JSON errors keep their
/// <c>error_code</c> and message; other bodies (HTML error pages of the server or a proxy) give a
/// short message with the status and the page's title or first line, and a code derived from the status.
/// </summary>
internal static class MlflowErrorMapper
{
    private const int MaxBodyChars = 64 * 1024;
    private const int MaxSummaryChars = 200;

    /// <summary>Reads the error body of <paramref name="response"/> and builds the exception.</summary>
    public static async Task<MlflowErrorResponse> ReadAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            body = string.Empty;
        }

        return FromBody((int)response.StatusCode, response.ReasonPhrase, body, method, path);
    }

    /// <summary>Builds the exception for a status and body.</summary>
    public static MlflowErrorResponse FromBody(int statusCode, string? reasonPhrase, string body, string method, string path)
    {
        if (body.Length > MaxBodyChars)
        {
            body = body[..MaxBodyChars];
        }

        if (TryParseMlflowError(body, out var errorCode, out var message))
        {
            return new MlflowErrorResponse(
                new MlflowException(errorCode ?? ErrorCodeForStatus(statusCode), message ?? $"HTTP {statusCode} from {method} {path}", statusCode),
                errorCode is not null);
        }

        var reason = string.IsNullOrWhiteSpace(reasonPhrase) ? ReasonFor(statusCode) : reasonPhrase;
        var summary = Summarize(body);
        var text = summary.Length == 0
            ? $"The MLflow server answered {method} {path} with HTTP {statusCode} ({reason})."
            : $"The MLflow server answered {method} {path} with HTTP {statusCode} ({reason}): {summary}";
        return new MlflowErrorResponse(new MlflowException(ErrorCodeForStatus(statusCode), text, statusCode), false);
    }

    /// <summary>The error code used when the body carries none.</summary>
    public static string ErrorCodeForStatus(int statusCode) => statusCode switch
    {
        400 => "BAD_REQUEST",
        401 => MlflowErrorCode.Unauthenticated,
        403 => MlflowErrorCode.PermissionDenied,
        404 => MlflowErrorCode.ResourceDoesNotExist,
        408 or 502 or 503 or 504 => MlflowErrorCode.Unavailable,
        429 => MlflowErrorCode.RequestLimitExceeded,
        _ => MlflowErrorCode.InternalError,
    };

    private static bool TryParseMlflowError(string body, out string? errorCode, out string? message)
    {
        errorCode = null;
        message = null;
        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return false;
        }

        try
        {
            var error = JsonSerializer.Deserialize(body, MlflowJsonContext.Default.WireError);
            if (error is null || (error.ErrorCode is null && error.Message is null))
            {
                return false;
            }

            errorCode = string.IsNullOrWhiteSpace(error.ErrorCode) ? null : error.ErrorCode;
            message = string.IsNullOrWhiteSpace(error.Message) ? null : error.Message;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The title of an HTML page, else its first non-empty text line, without markup, at most 200 characters.</summary>
    internal static string Summarize(string body)
    {
        var title = ExtractTitle(body);
        var candidate = title ?? FirstTextLine(body);
        candidate = CollapseWhitespace(StripTags(candidate));
        return candidate.Length <= MaxSummaryChars ? candidate : string.Concat(candidate.AsSpan(0, MaxSummaryChars - 1), "…");
    }

    private static string? ExtractTitle(string body)
    {
        var start = body.IndexOf("<title", StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return null;
        }

        var open = body.IndexOf('>', start);
        if (open < 0)
        {
            return null;
        }

        var end = body.IndexOf("</title>", open, StringComparison.OrdinalIgnoreCase);
        if (end < 0)
        {
            return null;
        }

        var title = body[(open + 1)..end].Trim();
        return title.Length == 0 ? null : WebUtility.HtmlDecode(title);
    }

    private static string FirstTextLine(string body)
    {
        foreach (var rawLine in body.Split('\n'))
        {
            var line = StripTags(rawLine).Trim();
            if (line.Length > 0)
            {
                return WebUtility.HtmlDecode(line);
            }
        }

        return string.Empty;
    }

    private static string StripTags(string text)
    {
        if (text.IndexOf('<', StringComparison.Ordinal) < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var inTag = false;
        foreach (var c in text)
        {
            if (c == '<')
            {
                inTag = true;
            }
            else if (c == '>' && inTag)
            {
                inTag = false;
            }
            else if (!inTag)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string ReasonFor(int statusCode) =>
        Enum.IsDefined(typeof(HttpStatusCode), statusCode) ? ((HttpStatusCode)statusCode).ToString() : "Unknown";
}
