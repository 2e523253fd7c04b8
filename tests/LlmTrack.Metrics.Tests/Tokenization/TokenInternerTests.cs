using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Tests.Tokenization;

/// <summary><see cref="TokenInterner"/> gives equal tokens one id and different tokens different ids.</summary>
public class TokenInternerTests
{
    [Fact]
    public void IdsFollowOrdinalEquality()
    {
        var random = new Random(3);
        var interner = new TokenInterner();
        var expected = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new HashSet<int>();
        string[] tricky = ["abc", "abc\u0007", "abc\0", "a", "a\0", "\0", "\0\0\0\0", "ab", "ba", "abcd", "abcde", "\u0003bc"];
        for (int n = 0; n < 50_000; n++)
        {
            string token = n < tricky.Length * 3
                ? tricky[n % tricky.Length]
                : new string(Enumerable.Range(0, random.Next(1, 9)).Select(_ => (char)random.Next(0, 6)).ToArray());
            int id = interner.GetOrAdd(token);
            if (expected.TryGetValue(token, out int known))
            {
                Assert.Equal(known, id);
            }
            else
            {
                Assert.True(ids.Add(id), $"id {id} given to a second token");
                expected.Add(token, id);
            }
        }

        Assert.Equal(expected.Count, interner.Count);
    }
}
