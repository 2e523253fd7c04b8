// Translation: two real OPUS-MT English→Portuguese systems on FLORES-200 devtest, scored with BLEU and chrF with
// bootstrap confidence intervals (two runs), then sacreBLEU's paired bootstrap significance test.
// The "predictor" looks up each system's precomputed hypothesis line. Runs with no server (./mlflow.db).
using LlmTrack;
using LlmTrack.Evaluation;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Samples;

var data = Path.Combine(AppContext.BaseDirectory, "data");
string[] Lines(string file) => File.ReadAllText(Path.Combine(data, file)).TrimEnd('\n').Split('\n');
var sources = Lines("eng_Latn.devtest");
var references = Lines("por_Latn.devtest");
var systems = new (string Name, string[] Hypotheses)[]
{
    ("opus-2021-02-18", Lines("hyp.opus-2021-02-18.por")),
    ("opusTCv20210807-bt-transformer-big-2022-03-13", Lines("hyp.opusTCv20210807-bt-transformer-big-2022-03-13.por")),
};
var segments = Enumerable.Range(0, sources.Length).Select(i => new Segment(i, sources[i], references[i])).ToList();

using var tracker = new Tracker();
foreach (var (name, hypotheses) in systems)
{
    await using var run = await tracker.StartRunAsync("flores200-eng-por", runName: name);
    run.LogParam("system", name);
    run.LogParam("test_set", "flores200-devtest eng-por");
    var result = await run.EvaluateAsync(
        segments,
        (segment, _) => Task.FromResult(hypotheses[segment.Index]),
        new EvaluationOptions<Segment, string>
        {
            Target = segment => segment.Reference,
            InputText = segment => segment.Source,
            Metrics = EvaluationMetrics.Bleu | EvaluationMetrics.Chrf,
            DatasetName = "flores200-devtest-eng-por",
            Progress = new ConsoleProgressBar(name.Length > 12 ? name[..12] : name),
        });
    Console.WriteLine($"  BLEU {result["bleu"]:F1} [{result["bleu_ci_lower"]:F1}, {result["bleu_ci_upper"]:F1}]  chrF {result["chrf"]:F1} [{result["chrf_ci_lower"]:F1}, {result["chrf_ci_upper"]:F1}]");
    Console.WriteLine($"  {result.Signatures["bleu.signature"]}");
}

// Paired bootstrap test (sacreBLEU --paired-bs): the same resamples score both systems.
IReadOnlyList<IReadOnlyList<string?>> refs = [references];
var baselineBleu = BleuScorer.Prepare(systems[0].Hypotheses, refs);
var systemBleu = BleuScorer.Prepare(systems[1].Hypotheses, refs);
var baselineChrf = ChrfScorer.Prepare(systems[0].Hypotheses, refs);
var systemChrf = ChrfScorer.Prepare(systems[1].Hypotheses, refs);
var bleuTest = BootstrapResampling.PairedTest(sources.Length, baselineBleu.CreateSampleScorer(), systemBleu.CreateSampleScorer());
var chrfTest = BootstrapResampling.PairedTest(sources.Length, baselineChrf.CreateSampleScorer(), systemChrf.CreateSampleScorer());
Console.WriteLine();
Console.WriteLine($"Paired bootstrap ({bleuTest.System.Resamples} resamples), {systems[1].Name} vs {systems[0].Name}:");
Console.WriteLine($"  BLEU {bleuTest.Difference:+0.0;-0.0} points, p = {bleuTest.PValue:F4}{(bleuTest.IsSignificant() ? " (significant at 0.05)" : "")}");
Console.WriteLine($"  chrF {chrfTest.Difference:+0.0;-0.0} points, p = {chrfTest.PValue:F4}{(chrfTest.IsSignificant() ? " (significant at 0.05)" : "")}");
Console.WriteLine($"Runs and per-segment tables went to {Destination.Describe()}.");

internal sealed record Segment(int Index, string Source, string Reference);
