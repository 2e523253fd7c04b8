using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        ReadOnlySpan<char> all = _text.AsSpan(0, _textLength);
        int i = 0;
        int wordStart = -1;
        if (Vector128.IsHardwareAccelerated)
        {
            // 8 code units at a time: a bit mask of whitespace, whose 0/1 transitions are word starts and ends.
            ref ushort start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(all));
            for (; i + Vector128<ushort>.Count <= all.Length; i += Vector128<ushort>.Count)
            {
                uint mask = WhitespaceMask(Vector128.LoadUnsafe(ref start, (nuint)i), all.Slice(i, Vector128<ushort>.Count));
                int bit = 0;
                while (bit < Vector128<ushort>.Count)
                {
                    uint rest = ((wordStart < 0 ? ~mask : mask) & 0xFFu) >> bit;
                    if (rest == 0)
                    {
                        break;
                    }

                    bit += BitOperations.TrailingZeroCount(rest);
                    if (wordStart < 0)
                    {
                        wordStart = i + bit;
                    }
                    else
                    {
                        Add(wordStart, i + bit - wordStart);
                        wordStart = -1;
                    }
                }
            }
        }

        for (; i < all.Length; i++)
        {
            bool space = PythonText.IsWhitespace(all[i]);
            if (wordStart < 0 && !space)
            {
                wordStart = i;
            }
            else if (wordStart >= 0 && space)
            {
                Add(wordStart, i - wordStart);
                wordStart = -1;
            }
        }

        if (wordStart >= 0)
        {
            Add(wordStart, all.Length - wordStart);
        }
    }

    // Bit k set when code unit k is whitespace for Python. Below U+0085 that is ' ', \t-\r and \x1c-\x1f, decided
    // in vector registers; code units from U+0085 on (accented letters, mostly) are checked one by one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint WhitespaceMask(Vector128<ushort> v, ReadOnlySpan<char> block)
    {
        Vector128<ushort> space = Vector128.Equals(v, Vector128.Create((ushort)' '));
        Vector128<ushort> controls = Vector128.LessThanOrEqual(v - Vector128.Create((ushort)'\t'), Vector128.Create((ushort)('\r' - '\t')));
        Vector128<ushort> separators = Vector128.LessThanOrEqual(v - Vector128.Create((ushort)0x1c), Vector128.Create((ushort)3));
        uint mask = (space | controls | separators).ExtractMostSignificantBits();
        uint high = Vector128.GreaterThanOrEqual(v, Vector128.Create((ushort)0x85)).ExtractMostSignificantBits();
        while (high != 0)
        {
            int k = BitOperations.TrailingZeroCount(high);
            if (PythonText.IsWhitespace(block[k]))
            {
                mask |= 1u << k;
            }

            high &= high - 1;
        }

        return mask;
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
