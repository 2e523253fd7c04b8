namespace LlmTrack.Tests.Rest;

internal static partial class Recordings
{
    /// <summary>
    /// The first Python-client exchange of <paramref name="file"/> whose request line contains <paramref name="marker"/>
    /// and whose request body (or, for bodiless requests, request line) contains <paramref name="bodyMarker"/>.
    /// </summary>
    public static RecordedExchange PythonWhere(string file, string marker, string bodyMarker)
    {
        for (var occurrence = 0; ; occurrence++)
        {
            var exchange = Python(file, marker, occurrence);
            if ((exchange.RequestBody ?? exchange.Command).Contains(bodyMarker, StringComparison.Ordinal))
            {
                return exchange;
            }
        }
    }

    /// <summary>The first Python-client exchange whose request line contains <paramref name="marker"/> and whose answer contains <paramref name="responseMarker"/>.</summary>
    public static RecordedExchange PythonAnswering(string file, string marker, string responseMarker)
    {
        for (var occurrence = 0; ; occurrence++)
        {
            var exchange = Python(file, marker, occurrence);
            if (exchange.ResponseBody.Contains(responseMarker, StringComparison.Ordinal))
            {
                return exchange;
            }
        }
    }
}
