using LlmTrack.Metrics.Tokens;

namespace LlmTrack.Metrics.Tests.Tokens;

public class TokenCounterTests
{
    [Theory]
    [InlineData("gpt-4o", TiktokenEncoding.O200kBase)]
    [InlineData("gpt-4o-mini-2024-07-18", TiktokenEncoding.O200kBase)]
    [InlineData("gpt-4.1-nano", TiktokenEncoding.O200kBase)]
    [InlineData("o1", TiktokenEncoding.O200kBase)]
    [InlineData("o3-mini", TiktokenEncoding.O200kBase)]
    [InlineData("o4-mini", TiktokenEncoding.O200kBase)]
    [InlineData("gpt-4", TiktokenEncoding.Cl100kBase)]
    [InlineData("gpt-4-turbo", TiktokenEncoding.Cl100kBase)]
    [InlineData("gpt-3.5-turbo-0125", TiktokenEncoding.Cl100kBase)]
    [InlineData("text-embedding-3-small", TiktokenEncoding.Cl100kBase)]
    public void ChoosesEncodingByModel(string model, TiktokenEncoding expected)
    {
        Assert.Equal(expected, TokenCounter.ForModel(model).Encoding);
    }

    [Theory]
    [InlineData("llama-3")]
    [InlineData("o10")]
    [InlineData("gpt-4x")]
    public void UnknownModelIsAClearError(string model)
    {
        var ex = Assert.Throws<ArgumentException>(() => TokenCounter.ForModel(model));
        Assert.Contains("ForEncoding", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountersAreCachedSingletons()
    {
        Assert.Same(TokenCounter.ForModel("gpt-4o"), TokenCounter.ForEncoding(TiktokenEncoding.O200kBase));
        Assert.Same(TokenCounter.ForModel("gpt-4"), TokenCounter.ForEncoding(TiktokenEncoding.Cl100kBase));
        var counters = new TokenCounter[8];
        Parallel.For(0, counters.Length, i => counters[i] = TokenCounter.ForModel("gpt-4.1"));
        Assert.All(counters, c => Assert.Same(counters[0], c));
    }

    [Fact]
    public void CountsKnownStrings()
    {
        var o200k = TokenCounter.ForEncoding(TiktokenEncoding.O200kBase);
        var cl100k = TokenCounter.ForEncoding(TiktokenEncoding.Cl100kBase);
        Assert.Equal(2, o200k.CountTokens("hello world"));
        Assert.Equal(2, cl100k.CountTokens("hello world"));
        Assert.Equal(0, o200k.CountTokens(string.Empty));

        // Published in OpenAI's cookbook "How to count tokens with tiktoken".
        Assert.Equal([83, 1609, 5963, 374, 2294, 0], cl100k.EncodeToIds("tiktoken is great!"));
        Assert.Equal([83, 8251, 2488, 382, 2212, 0], o200k.EncodeToIds("tiktoken is great!"));
        Assert.Equal(6, o200k.CountTokens("tiktoken is great!".AsSpan()));
    }

    [Fact]
    public void UsageAddsAndMeasuresSpeed()
    {
        var usage = TokenCounter.ForModel("gpt-4o").CountUsage("hello world", "tiktoken is great!");
        Assert.Equal(new TokenUsage(2, 6), usage);
        Assert.Equal(8, usage.TotalTokens);
        Assert.Equal(3.0, usage.CompletionTokensPerSecond(TimeSpan.FromSeconds(2)));
        Assert.Equal(4.0, usage.TotalTokensPerSecond(TimeSpan.FromSeconds(2)));
        Assert.Equal(new TokenUsage(4, 12), usage + usage);
        Assert.Throws<ArgumentOutOfRangeException>(() => usage.TotalTokensPerSecond(TimeSpan.Zero));
    }
}
