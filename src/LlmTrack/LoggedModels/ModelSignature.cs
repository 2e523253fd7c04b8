namespace LlmTrack;

/// <summary>One named column of a model signature (MLflow's <c>ColSpec</c>).</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">MLflow's data type: <c>string</c>, <c>long</c>, <c>integer</c>, <c>double</c>, <c>float</c>, <c>boolean</c>, <c>binary</c>, <c>datetime</c>.</param>
/// <param name="Required">Whether the column must be present.</param>
public sealed record ModelColumn(string Name, string Type = "string", bool Required = true);

/// <summary>The inputs and outputs of a model, written to MLmodel's <c>signature</c> as MLflow's column specs.</summary>
/// <param name="Inputs">The input columns.</param>
/// <param name="Outputs">The output columns.</param>
public sealed record ModelSignature(IReadOnlyList<ModelColumn> Inputs, IReadOnlyList<ModelColumn> Outputs);
