namespace LlmTrack.Metrics.Tokens;

/// <summary>The OpenAI tiktoken encodings bundled with the library.</summary>
public enum TiktokenEncoding
{
    /// <summary><c>o200k_base</c>: GPT-4o, GPT-4.1, GPT-4.5, GPT-5 and the o1/o3/o4 reasoning models.</summary>
    O200kBase,

    /// <summary><c>cl100k_base</c>: GPT-4, GPT-3.5 Turbo and the text-embedding-3 / ada-002 embedding models.</summary>
    Cl100kBase,
}
