namespace LlmTrack.Delivery;

/// <summary>What a queued item is.</summary>
internal enum QueuedItemKind : byte
{
    /// <summary>A metric point.</summary>
    Metric,

    /// <summary>A param.</summary>
    Param,

    /// <summary>A run tag.</summary>
    Tag,
}

/// <summary>
/// One logged value waiting to be sent: a plain struct stored in the run's ring buffer, so that logging
/// allocates nothing. The key (and a param or tag value) are the caller's strings.
/// </summary>
internal readonly struct QueuedItem
{
    private QueuedItem(QueuedItemKind kind, string key, string? text, double number, long timestamp, long step)
    {
        Kind = kind;
        Key = key;
        Text = text;
        Number = number;
        Timestamp = timestamp;
        Step = step;
    }

    /// <summary>What the item is.</summary>
    public QueuedItemKind Kind { get; }

    /// <summary>The metric, param or tag key.</summary>
    public string Key { get; }

    /// <summary>The param or tag value.</summary>
    public string? Text { get; }

    /// <summary>The metric value.</summary>
    public double Number { get; }

    /// <summary>The metric timestamp, Unix epoch milliseconds.</summary>
    public long Timestamp { get; }

    /// <summary>The metric step.</summary>
    public long Step { get; }

    /// <summary>A metric point.</summary>
    public static QueuedItem ForMetric(string key, double value, long timestamp, long step) => new(QueuedItemKind.Metric, key, null, value, timestamp, step);

    /// <summary>A param.</summary>
    public static QueuedItem ForParam(string key, string value) => new(QueuedItemKind.Param, key, value, 0, 0, 0);

    /// <summary>A run tag.</summary>
    public static QueuedItem ForTag(string key, string value) => new(QueuedItemKind.Tag, key, value, 0, 0, 0);
}
