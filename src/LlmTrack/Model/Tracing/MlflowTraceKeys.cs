namespace LlmTrack.Model.Tracing;

/// <summary>The names MLflow 3 gives span attributes, trace metadata and trace tags (traces.out, genai-evaluate.out).</summary>
internal static class MlflowTraceKeys
{
    /// <summary>Span attribute: the MLflow trace id of the span's trace.</summary>
    public const string TraceRequestId = "mlflow.traceRequestId";




    /// <summary>Span attribute: the function a span traces.</summary>
    public const string SpanFunctionName = "mlflow.spanFunctionName";


    /// <summary>Trace metadata: the schema version, <c>3</c>.</summary>
    public const string SchemaVersion = "mlflow.trace_schema.version";

    /// <summary>Trace metadata: the JSON of the root's inputs.</summary>
    public const string TraceInputs = "mlflow.traceInputs";

    /// <summary>Trace metadata: the JSON of the root's outputs.</summary>
    public const string TraceOutputs = "mlflow.traceOutputs";




    /// <summary>Trace tag: the evaluation request (one per evaluated example) of <c>mlflow.genai.evaluate</c>.</summary>
    public const string EvalRequestId = "mlflow.eval.requestId";

    /// <summary>The OTLP GenAI attribute naming the operation (chat, embeddings, execute_tool, invoke_agent, …).</summary>
    public const string GenAiOperationName = "gen_ai.operation.name";

    /// <summary>The OTLP GenAI input token count.</summary>
    public const string GenAiInputTokens = "gen_ai.usage.input_tokens";

    /// <summary>The OTLP GenAI output token count.</summary>
    public const string GenAiOutputTokens = "gen_ai.usage.output_tokens";

    /// <summary>The OTLP GenAI input messages (JSON text; only when content capture is on).</summary>
    public const string GenAiInputMessages = "gen_ai.input.messages";

    /// <summary>The OTLP GenAI output messages (JSON text; only when content capture is on).</summary>
    public const string GenAiOutputMessages = "gen_ai.output.messages";

    /// <summary>The OTLP GenAI system instructions (JSON text; only when content capture is on).</summary>
    public const string GenAiSystemInstructions = "gen_ai.system_instructions";

    /// <summary>The MLflow span type of a GenAI operation name (as MLflow's OTLP ingest maps it), or <c>UNKNOWN</c>.</summary>
    public static string SpanTypeOfOperation(string? operation) => operation switch
    {
        "chat" => "CHAT_MODEL",
        "text_completion" or "generate_content" => "LLM",
        "embeddings" => "EMBEDDING",
        "execute_tool" => "TOOL",
        "invoke_agent" or "create_agent" => "AGENT",
        _ => "UNKNOWN",
    };
}
