using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Tests.Text;

/// <summary>The vectorized <c>str.split()</c> of <see cref="TokenList"/> equals the scalar word enumerator.</summary>
public class TokenListSplitTests
{
    private const string Alphabet = "ab é.,-\t\n\v\f\r\u001c\u001f\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u0084x";

    [Fact]
    public void RandomTextsSplitLikePython()
    {
        var random = new Random(11);
        var list = new TokenList();
        for (int n = 0; n < 5000; n++)
        {
            var chars = new char[random.Next(0, 70)];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = random.Next(4) == 0 ? Alphabet[random.Next(Alphabet.Length)] : (char)('a' + random.Next(3));
            }

            string text = new(chars);
            var expected = new List<string>();
            foreach (var word in PythonText.EnumerateWords(text))
            {
                expected.Add(word.ToString());
            }

            list.SetFromWhitespaceSplit(text);
            Assert.Equal(expected, Enumerable.Range(0, list.Count).Select(k => list[k].ToString()));
        }
    }
}
