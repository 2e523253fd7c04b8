namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// A validated corpus in sacreBLEU's layout: hypotheses and, per segment, the references that are
/// not null. As in sacreBLEU 2.6.0's <c>Metric._cache_references</c>, only a missing (null/None)
/// reference is absent; an empty string is an empty reference segment, counted in <c>nrefs</c>.
/// </summary>
internal sealed class CorpusInput
{
    private readonly string[] _references;
    private readonly int[] _referenceStarts;

    private CorpusInput(string[] hypotheses, string[] references, int[] referenceStarts, string referenceCountLabel)
    {
        Hypotheses = hypotheses;
        _references = references;
        _referenceStarts = referenceStarts;
        ReferenceCountLabel = referenceCountLabel;
    }

    /// <summary>The hypotheses, one per segment.</summary>
    public string[] Hypotheses { get; }

    /// <summary>The signature's <c>nrefs</c> value: the common number of references, or <c>var</c>.</summary>
    public string ReferenceCountLabel { get; }

    /// <summary>The number of segments.</summary>
    public int Count => Hypotheses.Length;

    /// <summary>The usable references of segment <paramref name="segment"/>.</summary>
    public ReadOnlySpan<string> ReferencesOf(int segment) =>
        _references.AsSpan(_referenceStarts[segment], _referenceStarts[segment + 1] - _referenceStarts[segment]);

    /// <summary>
    /// Validates and groups the input. Unlike sacreBLEU's Python API, which silently truncates to the
    /// shortest stream, mismatched lengths are refused.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The corpus is empty, a hypothesis is null, a reference stream
    /// has another length than the hypotheses, or every reference of a segment is null.</exception>
    public static CorpusInput Create(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count == 0)
        {
            throw new ArgumentException("The corpus is empty: at least one hypothesis is required.", nameof(hypotheses));
        }

        if (references.Count == 0)
        {
            throw new ArgumentException("At least one reference stream is required.", nameof(references));
        }

        for (int k = 0; k < references.Count; k++)
        {
            if (references[k] is null)
            {
                throw new ArgumentException($"Reference stream {k} is null.", nameof(references));
            }

            if (references[k].Count != hypotheses.Count)
            {
                throw new ArgumentException(
                    $"Reference stream {k} has {references[k].Count} segments but there are {hypotheses.Count} hypotheses.",
                    nameof(references));
            }
        }

        var hyps = new string[hypotheses.Count];
        var starts = new int[hypotheses.Count + 1];
        var refs = new List<string>(hypotheses.Count * references.Count);
        int commonCount = -1;
        bool variable = false;
        for (int i = 0; i < hyps.Length; i++)
        {
            hyps[i] = hypotheses[i] ?? throw new ArgumentException($"Hypothesis {i} is null.", nameof(hypotheses));
            starts[i] = refs.Count;
            for (int k = 0; k < references.Count; k++)
            {
                string? reference = references[k][i];
                if (reference is not null)
                {
                    refs.Add(reference);
                }
            }

            int count = refs.Count - starts[i];
            if (count == 0)
            {
                throw new ArgumentException($"Segment {i} has no reference: every reference stream is null there (an empty string is an empty reference, null is a missing one).", nameof(references));
            }

            if (commonCount == -1)
            {
                commonCount = count;
            }
            else if (commonCount != count)
            {
                variable = true;
            }
        }

        starts[hyps.Length] = refs.Count;
        string label = variable ? "var" : commonCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new CorpusInput(hyps, [.. refs], starts, label);
    }

    /// <summary>
    /// One segment: a hypothesis and its references, each reference its own stream (as sacreBLEU's
    /// <c>sentence_score</c>); null references are ignored, empty ones are empty references.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">There is no reference, or every reference is null.</exception>
    public static CorpusInput CreateSentence(string hypothesis, IReadOnlyList<string?> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
        {
            throw new ArgumentException("At least one reference is required.", nameof(references));
        }

        var streams = new IReadOnlyList<string?>[references.Count];
        for (int k = 0; k < streams.Length; k++)
        {
            streams[k] = [references[k]];
        }

        return Create([hypothesis], streams);
    }
}
