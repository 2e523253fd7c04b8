namespace LlmTrack;

// Part of the public class Run: the tracker that started it, for extensions that read other runs (the HTML report).
public sealed partial class Run
{
    /// <summary>The tracker this run belongs to.</summary>
    internal Tracker Owner => _tracker;
}
