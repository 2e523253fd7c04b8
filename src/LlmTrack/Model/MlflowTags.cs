namespace LlmTrack.Model;

/// <summary>
/// MLflow's system tag names (the <c>mlflow.</c> keys its client and server set and read), in one place for every layer.
/// </summary>
internal static class MlflowTags
{
    /// <summary>The user who started the run: <c>mlflow.user</c>.</summary>
    public const string User = "mlflow.user";

    /// <summary>The source (entry program) of the run: <c>mlflow.source.name</c>.</summary>
    public const string SourceName = "mlflow.source.name";

    /// <summary>The source type of the run (<c>LOCAL</c> for this client): <c>mlflow.source.type</c>.</summary>
    public const string SourceType = "mlflow.source.type";

    /// <summary>The git commit the run's source was at: <c>mlflow.source.git.commit</c>.</summary>
    public const string GitCommit = "mlflow.source.git.commit";

    /// <summary>The run's display name: <c>mlflow.runName</c>.</summary>
    public const string RunName = "mlflow.runName";

    /// <summary>The parent run of a child run: <c>mlflow.parentRunId</c>.</summary>
    public const string ParentRunId = "mlflow.parentRunId";

    /// <summary>The run's description (markdown note): <c>mlflow.note.content</c>.</summary>
    public const string Description = "mlflow.note.content";

    /// <summary>The JSON list of a run's logged tables (read by the UI's evaluation view): <c>mlflow.loggedArtifacts</c>.</summary>
    public const string LoggedArtifacts = "mlflow.loggedArtifacts";

    /// <summary>The input tag saying what a data set was used for (<c>eval</c>, <c>training</c>, …): <c>mlflow.data.context</c>.</summary>
    public const string DatasetContext = "mlflow.data.context";

    /// <summary>Run tag: the prompt versions a run used, a JSON list of <c>{"name", "version"}</c> (Python <c>json.dumps</c> spacing).</summary>
    public const string LinkedPrompts = "mlflow.linkedPrompts";

    /// <summary>Registered model and version tag that marks a prompt (<c>"true"</c>).</summary>
    public const string IsPrompt = "mlflow.prompt.is_prompt";

    /// <summary>Prompt version tag: the template text (for chat prompts the JSON of the message list).</summary>
    public const string PromptText = "mlflow.prompt.text";

    /// <summary>Prompt version tag: <c>text</c> or <c>chat</c>.</summary>
    public const string PromptType = "_mlflow_prompt_type";

    /// <summary>Prompt version tag: the JSON schema of the expected response, if any.</summary>
    public const string PromptResponseFormat = "_mlflow_prompt_response_format";

    /// <summary>Prompt version tag: the model configuration JSON, if any.</summary>
    public const string PromptModelConfig = "_mlflow_prompt_model_config";
    /// <summary>The trace tag naming a trace (its root span's name): <c>mlflow.traceName</c>.</summary>
    public const string TraceName = "mlflow.traceName";

    /// <summary>The trace metadata key of the run a trace was made in: <c>mlflow.sourceRun</c>.</summary>
    public const string TraceSourceRun = "mlflow.sourceRun";

    /// <summary>The trace metadata key of the summed token usage (a JSON object): <c>mlflow.trace.tokenUsage</c>.</summary>
    public const string TraceTokenUsage = "mlflow.trace.tokenUsage";

    /// <summary>The span attribute holding the span's type (<c>CHAT_MODEL</c>, <c>RETRIEVER</c>, …): <c>mlflow.spanType</c>.</summary>
    public const string SpanType = "mlflow.spanType";

    /// <summary>The span attribute holding the span's inputs: <c>mlflow.spanInputs</c>.</summary>
    public const string SpanInputs = "mlflow.spanInputs";

    /// <summary>The span attribute holding the span's outputs: <c>mlflow.spanOutputs</c>.</summary>
    public const string SpanOutputs = "mlflow.spanOutputs";

    /// <summary>The span attribute holding a model call's token usage (a key/value list): <c>mlflow.chat.tokenUsage</c>.</summary>
    public const string SpanTokenUsage = "mlflow.chat.tokenUsage";

    /// <summary>Marks a GenAI evaluation run (<c>mlflow.genai.evaluate</c> sets it to <c>true</c>): <c>mlflow.run.isEval</c>.</summary>
    public const string IsEvalRun = "mlflow.run.isEval";

    /// <summary>The assessment metadata naming the evaluation run that produced it: <c>mlflow.assessment.sourceRunId</c>.</summary>
    public const string AssessmentSourceRunId = "mlflow.assessment.sourceRunId";

    /// <summary>
    /// Logged-model tag: the registered model versions made from the model, a JSON list of <c>{"name", "version"}</c>
    /// (Python <c>json.dumps</c> spacing), as <c>log_model(registered_model_name=…)</c> writes it.
    /// </summary>
    public const string ModelVersions = "mlflow.modelVersions";
}
