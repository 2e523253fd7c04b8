using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Chrf;

/// <summary>
/// Computes sacreBLEU's per-segment chrF statistics: character n-grams are packed code points
/// (Python slices strings by code point), word n-grams are packed interned word ids, and both are
/// counted in a per-segment hash table; no string is allocated per n-gram. Not thread-safe.
/// </summary>
internal sealed class ChrfStatisticsExtractor
{
    private const ulong WordMarker = 1UL << 63;

    // string.punctuation
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private readonly ChrfOptions _options;
    private readonly int _orders;
    private readonly TokenInterner _interner = new();
    private readonly NgramMatchTable _table = new();
    private readonly long[] _candidate;
    private Segment _hypothesis = new();
    private Segment _reference = new();

    public ChrfStatisticsExtractor(ChrfOptions options)
    {
        _options = options;
        _orders = options.CharOrder + options.WordOrder;
        _candidate = new long[3 * _orders];
    }

    /// <summary>The number of statistics per segment: three per order.</summary>
    public int Width => 3 * _orders;

    /// <summary>Writes the statistics of the best-scoring reference (sacreBLEU's rule) into <paramref name="stats"/>.</summary>
    public void Extract(string hypothesis, ReadOnlySpan<string> references, Span<int> stats)
    {
        Prepare(hypothesis, _hypothesis);
        double best = -1.0;
        foreach (string reference in references)
        {
            Prepare(reference, _reference);
            Match(_hypothesis, _reference, _candidate);
            double f = ChrfComputation.FScore(_candidate, _options.Beta, _options.EpsSmoothing);
            if (f > best)
            {
                best = f;
                for (int i = 0; i < _candidate.Length; i++)
                {
                    stats[i] = (int)_candidate[i];
                }
            }
        }
    }

    private void Match(Segment hyp, Segment reference, long[] stats)
    {
        int charOrder = _options.CharOrder;
        int wordOrder = _options.WordOrder;
        _table.Reset((charOrder * (hyp.CharCount + reference.CharCount)) + (wordOrder * (hyp.WordCount + reference.WordCount)));

        // Reference n-grams.
        ReadOnlySpan<int> chars = reference.Chars;
        for (int p = 0; p < chars.Length; p++)
        {
            ulong low = 0;
            ulong high = 0;
            int max = Math.Min(charOrder, chars.Length - p);
            for (int n = 0; n < max; n++)
            {
                AppendChar(ref low, ref high, n, chars[p + n]);
                _table.AddReference(low, high, 0);
            }
        }

        ReadOnlySpan<int> words = reference.Words;
        for (int p = 0; p < words.Length; p++)
        {
            ulong low = 0;
            ulong high = WordMarker;
            int max = Math.Min(wordOrder, words.Length - p);
            for (int n = 0; n < max; n++)
            {
                AppendWord(ref low, ref high, n, words[p + n]);
                _table.AddReference(low, high, 0);
            }
        }

        // Hypothesis n-grams and their clipped matches.
        Span<long> matches = stackalloc long[_orders];
        matches.Clear();
        chars = hyp.Chars;
        for (int p = 0; p < chars.Length; p++)
        {
            ulong low = 0;
            ulong high = 0;
            int max = Math.Min(charOrder, chars.Length - p);
            for (int n = 0; n < max; n++)
            {
                AppendChar(ref low, ref high, n, chars[p + n]);
                if (_table.AddHypothesis(low, high))
                {
                    matches[n]++;
                }
            }
        }

        words = hyp.Words;
        for (int p = 0; p < words.Length; p++)
        {
            ulong low = 0;
            ulong high = WordMarker;
            int max = Math.Min(wordOrder, words.Length - p);
            for (int n = 0; n < max; n++)
            {
                AppendWord(ref low, ref high, n, words[p + n]);
                if (_table.AddHypothesis(low, high))
                {
                    matches[charOrder + n]++;
                }
            }
        }

        for (int i = 0; i < _orders; i++)
        {
            bool isChar = i < charOrder;
            int n = isChar ? i + 1 : i - charOrder + 1;
            long hypCount = Math.Max(0, (isChar ? hyp.CharCount : hyp.WordCount) - n + 1);
            long refCount = Math.Max(0, (isChar ? reference.CharCount : reference.WordCount) - n + 1);

            // sacreBLEU does not count hypothesis n-grams of an order the reference lacks.
            stats[3 * i] = refCount > 0 ? hypCount : 0;
            stats[(3 * i) + 1] = refCount;
            stats[(3 * i) + 2] = matches[i];
        }
    }

    private static void AppendChar(ref ulong low, ref ulong high, int position, int value)
    {
        if (position < 3)
        {
            low |= (ulong)value << (21 * position);
        }
        else
        {
            high |= (ulong)value << (21 * (position - 3));
        }
    }

    private static void AppendWord(ref ulong low, ref ulong high, int position, int id)
    {
        if (position < 2)
        {
            low |= (ulong)(uint)id << (32 * position);
        }
        else
        {
            high |= (uint)id;
        }
    }

    private void Prepare(string text, Segment segment)
    {
        if (_options.Lowercase)
        {
            text = PythonText.Lower(text);
        }

        // Character sequence: code points (+1, so that 0 marks an unused slot), without whitespace
        // unless asked to keep it (sacreBLEU: "".join(line.split())).
        segment.EnsureChars(text.Length);
        int count = 0;
        for (int i = 0; i < text.Length;)
        {
            int cp = PythonText.CodePointAt(text, i, out int length);
            if (_options.Whitespace || length == 2 || !PythonText.IsWhitespace(text[i]))
            {
                segment.CharBuffer[count++] = cp + 1;
            }

            i += length;
        }

        segment.CharCount = count;
        segment.WordCount = 0;
        if (_options.WordOrder > 0)
        {
            AddWords(text, segment);
        }
    }

    // sacreBLEU's _remove_punctuation: split on whitespace; a word longer than one character with
    // ASCII punctuation at its end (else at its start) is split into the word and that character.
    private void AddWords(string text, Segment segment)
    {
        foreach (ReadOnlySpan<char> word in PythonText.EnumerateWords(text))
        {
            if (word.Length == 1)
            {
                segment.AddWord(_interner.GetOrAdd(word));
            }
            else if (Punctuation.Contains(word[^1], StringComparison.Ordinal))
            {
                segment.AddWord(_interner.GetOrAdd(word[..^1]));
                segment.AddWord(_interner.GetOrAdd(word[^1..]));
            }
            else if (Punctuation.Contains(word[0], StringComparison.Ordinal))
            {
                segment.AddWord(_interner.GetOrAdd(word[..1]));
                segment.AddWord(_interner.GetOrAdd(word[1..]));
            }
            else
            {
                segment.AddWord(_interner.GetOrAdd(word));
            }
        }
    }

    private sealed class Segment
    {
        public int[] CharBuffer = new int[256];
        public int[] WordBuffer = new int[64];
        public int CharCount;
        public int WordCount;

        public ReadOnlySpan<int> Chars => CharBuffer.AsSpan(0, CharCount);

        public ReadOnlySpan<int> Words => WordBuffer.AsSpan(0, WordCount);

        public void EnsureChars(int length)
        {
            if (CharBuffer.Length < length)
            {
                CharBuffer = new int[Math.Max(length, CharBuffer.Length * 2)];
            }
        }

        public void AddWord(int id)
        {
            if (WordCount == WordBuffer.Length)
            {
                Array.Resize(ref WordBuffer, WordCount * 2);
            }

            WordBuffer[WordCount++] = id;
        }
    }
}
