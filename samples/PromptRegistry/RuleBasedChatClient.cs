using Microsoft.Extensions.AI;

namespace PromptRegistrySample;

/// <summary>
/// A deterministic, local stand-in for a language model (no network): it knows a few capitals and, like a chatty model,
/// wraps its answer in a sentence unless the prompt asks for one word.
/// </summary>
internal sealed class RuleBasedChatClient : IChatClient
{
    private static readonly Dictionary<string, string> Capitals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["France"] = "Paris", ["Japan"] = "Tokyo", ["Italy"] = "Rome", ["Canada"] = "Ottawa",
        ["Kenya"] = "Nairobi", ["Peru"] = "Lima", ["Norway"] = "Oslo", ["Egypt"] = "Cairo",
    };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = string.Join("\n", messages.Select(m => m.Text));
        var country = Capitals.Keys.FirstOrDefault(c => prompt.Contains(c, StringComparison.OrdinalIgnoreCase));
        var capital = country is null ? "I do not know" : Capitals[country];
        var oneWord = prompt.Contains("one word", StringComparison.OrdinalIgnoreCase);
        var text = oneWord ? capital : $"The capital of {country} is {capital}.";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            Usage = new UsageDetails { InputTokenCount = prompt.Length / 4, OutputTokenCount = text.Length / 4 + 1 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The sample does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
