namespace LlmTrack.Metrics.Classification;

/// <summary>The class id of a label (its position in the sorted classes), with the lookup built on first use.</summary>
/// <typeparam name="TLabel">The label type.</typeparam>
internal sealed class ClassIndex<TLabel>
    where TLabel : notnull
{
    private readonly TLabel[] _classes;
    private readonly IEqualityComparer<TLabel> _equality;
    private Dictionary<TLabel, int>? _index;

    public ClassIndex(TLabel[] classes, IEqualityComparer<TLabel> equality)
    {
        _classes = classes;
        _equality = equality;
    }

    /// <summary>The class id of a label, or -1 when it does not occur (or is null).</summary>
    public int IdOf(TLabel label)
    {
        if (label is null)
        {
            return -1;
        }

        // A race builds the same dictionary twice; either copy is correct.
        var index = _index;
        if (index is null)
        {
            index = new Dictionary<TLabel, int>(_classes.Length, _equality);
            for (var i = 0; i < _classes.Length; i++)
            {
                index[_classes[i]] = i;
            }

            _index = index;
        }

        return index.TryGetValue(label, out var id) ? id : -1;
    }
}
