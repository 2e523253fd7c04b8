namespace LlmTrack;

public sealed partial class Tracker
{
    /// <summary>
    /// MLflow 3's managed evaluation data sets of the tracking store (create, upsert records, search, tags,
    /// experiments). Needs a 3.x tracking server.
    /// </summary>
    public EvaluationDatasetClient EvaluationDatasets => new(this);
}
