namespace LlmTrack;

/// <summary>One message of a chat prompt, e.g. <c>("system", "You are a {{style}} assistant.")</c>.</summary>
/// <param name="Role">The role: <c>system</c>, <c>user</c>, <c>assistant</c>.</param>
/// <param name="Content">The content, a <c>{{variable}}</c> template.</param>
public sealed record PromptMessage(string Role, string Content);
