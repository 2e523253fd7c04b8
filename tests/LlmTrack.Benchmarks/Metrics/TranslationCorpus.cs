namespace LlmTrack.Benchmarks.Metrics;

/// <summary>
/// A 20,000-segment translation corpus for the BLEU/chrF benchmarks: the FLORES-200 devtest
/// eng→por reference and the OPUS-MT opus-2021-02-18 output (1,012 segments, Data/PROVENANCE.md)
/// repeated until 20,000 segments.
/// </summary>
internal static class TranslationCorpus
{
    public const int Segments = 20_000;

    public static (string[] Hypotheses, string[] References) Load(int segments = Segments)
    {
        string[] hyp = Lines("hyp.opus-2021-02-18.por");
        string[] reference = Lines("por_Latn.devtest");
        var hyps = new string[segments];
        var refs = new string[segments];
        for (int i = 0; i < segments; i++)
        {
            hyps[i] = hyp[i % hyp.Length];
            refs[i] = reference[i % reference.Length];
        }

        return (hyps, refs);
    }

    private static string[] Lines(string name)
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", name));
        string[] lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }
}
