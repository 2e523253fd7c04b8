using LlmTrack.Metrics.Text;

namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// A reusable list of tokens stored as spans over one owned character buffer, so that
/// tokenizing a segment allocates no strings.
/// </summary>
internal sealed class TokenList
{
    private char[] _text = new char[256];
    private int _textLength;
    private int[] _starts = new int[64];
    private int[] _lengths = new int[64];

    /// <summary>The number of tokens.</summary>
    public int Count { get; private set; }

    /// <summary>The token at <paramref name="index"/>.</summary>
    public ReadOnlySpan<char> this[int index] => _text.AsSpan(_starts[index], _lengths[index]);

    /// <summary>The tokens joined by single spaces, as sacreBLEU's tokenizers return them.</summary>
    public string Join()
    {
        var parts = new string[Count];
        for (int i = 0; i < Count; i++)
        {
            parts[i] = this[i].ToString();
        }

        return string.Join(' ', parts);
    }

    /// <summary>Replaces the content with the Python <c>str.split()</c> of <paramref name="text"/>.</summary>
    public void SetFromWhitespaceSplit(ReadOnlySpan<char> text)
    {
        SetText(text);
        Count = 0;
        PythonWordEnumerator words = PythonText.EnumerateWords(_text.AsSpan(0, _textLength));
        while (words.MoveNext())
        {
            Add(words.Start, words.Current.Length);
        }
    }

    /// <summary>Replaces the content with one token per non-whitespace code point of <paramref name="text"/>.</summary>
    public void SetFromCodePoints(ReadOnlySpan<char> text)
    {
        SetText(text);
        Count = 0;
        int i = 0;
        while (i < _textLength)
        {
            PythonText.CodePointAt(_text.AsSpan(0, _textLength), i, out int length);
            if (length == 2 || !PythonText.IsWhitespace(_text[i]))
            {
                Add(i, length);
            }

            i += length;
        }
    }

    private void SetText(ReadOnlySpan<char> text)
    {
        if (_text.Length < text.Length)
        {
            _text = new char[Math.Max(text.Length, _text.Length * 2)];
        }

        text.CopyTo(_text);
        _textLength = text.Length;
    }

    private void Add(int start, int length)
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
        }

        _starts[Count] = start;
        _lengths[Count] = length;
        Count++;
    }
}
