namespace LlmTrack.Metrics.Text;

/// <summary>
/// Enumerates the words of Python's <c>str.split()</c> (no arguments) as slices of the text: runs of
/// <see cref="PythonText.IsWhitespace(char)"/> characters separate words and no word is empty.
/// </summary>
internal ref struct PythonWordEnumerator
{
    private readonly ReadOnlySpan<char> _text;
    private int _end;

    /// <summary>Starts before the first word of <paramref name="text"/>.</summary>
    public PythonWordEnumerator(ReadOnlySpan<char> text)
    {
        _text = text;
        _end = 0;
        Start = 0;
        Current = default;
    }

    /// <summary>The current word.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    /// <summary>The index in the text where <see cref="Current"/> starts.</summary>
    public int Start { get; private set; }

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly PythonWordEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next word.</summary>
    public bool MoveNext()
    {
        ReadOnlySpan<char> text = _text;
        int i = _end;
        while (i < text.Length && PythonText.IsWhitespace(text[i]))
        {
            i++;
        }

        if (i == text.Length)
        {
            _end = i;
            return false;
        }

        int start = i;
        while (i < text.Length && !PythonText.IsWhitespace(text[i]))
        {
            i++;
        }

        Start = start;
        Current = text[start..i];
        _end = i;
        return true;
    }
}
