namespace LlmTrack.Delivery;

/// <summary>What a queued param or tag is.</summary>
internal enum QueuedItemKind : byte
{
    /// <summary>A param.</summary>
    Param,

    /// <summary>A run tag.</summary>
    Tag,
}

/// <summary>
/// One param or tag waiting to be sent, in the run's ordered param-and-tag queue. (Metric points travel as
/// <see cref="Metric"/> values in per-thread lanes.) The key and value are the caller's strings.
/// </summary>
internal readonly struct QueuedItem
{
    private QueuedItem(QueuedItemKind kind, string key, string text)
    {
        Kind = kind;
        Key = key;
        Text = text;
    }

    /// <summary>What the item is.</summary>
    public QueuedItemKind Kind { get; }

    /// <summary>The param or tag key.</summary>
    public string Key { get; }

    /// <summary>The param or tag value.</summary>
    public string Text { get; }

    /// <summary>A param.</summary>
    public static QueuedItem ForParam(string key, string value) => new(QueuedItemKind.Param, key, value);

    /// <summary>A run tag.</summary>
    public static QueuedItem ForTag(string key, string value) => new(QueuedItemKind.Tag, key, value);
}
