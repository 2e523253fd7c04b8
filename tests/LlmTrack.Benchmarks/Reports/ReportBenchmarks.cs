using BenchmarkDotNet.Attributes;

namespace LlmTrack.Benchmarks.Reports;

/// <summary>
/// The HTML report of 20 runs, each with a 10,000-row per-example table, 12 metrics with intervals and a 10,000-point
/// history (target: &lt; 2 s and &lt; 5 MB). The size is printed once by <see cref="Setup"/>.
/// </summary>
[MemoryDiagnoser]
public class ReportBenchmarks
{
    private ReportInput _input = null!;

    /// <summary>Builds the runs in memory (what <c>RunReport.LoadAsync</c> would return).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _input = Input(runs: 20, rows: 10_000);
        Console.WriteLine($"// report size: {RunReport.Render(_input).Length / 1024.0 / 1024.0:F2} MB (UTF-16 chars; ASCII-dominated)");
    }

    /// <summary>Renders the whole page.</summary>
    [Benchmark]
    public int Render() => RunReport.Render(_input).Length;

    internal static ReportInput Input(int runs, int rows)
    {
        var random = new Random(1);
        string[] labels = ["negative", "neutral", "positive"];
        var list = new List<ReportRun>();
        for (int r = 0; r < runs; r++)
        {
            var table = new List<IReadOnlyList<object?>>(rows);
            int right = 0;
            for (int i = 0; i < rows; i++)
            {
                string target = labels[i % 3];
                bool correct = random.NextDouble() < 0.7 + (r * 0.01);
                right += correct ? 1 : 0;
                table.Add(["Example sentence number " + i + " with some words in it to look like a review.", correct ? target : labels[(i + 1) % 3], target, correct, random.NextDouble() * 20]);
            }

            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int m = 0; m < 12; m++)
            {
                double v = random.NextDouble();
                metrics["metric_" + m] = v;
                metrics["metric_" + m + "_ci_lower"] = v - 0.02;
                metrics["metric_" + m + "_ci_upper"] = v + 0.02;
            }

            metrics["accuracy"] = right / (double)rows;
            list.Add(new ReportRun
            {
                RunId = r.ToString("x32", System.Globalization.CultureInfo.InvariantCulture),
                Name = "run-" + r,
                Params = new Dictionary<string, string> { ["seed"] = r.ToString(System.Globalization.CultureInfo.InvariantCulture), ["model"] = "m" },
                Metrics = metrics,
                MetricHistories = new Dictionary<string, IReadOnlyList<Metric>>
                {
                    ["metric_0"] = [.. Enumerable.Range(0, 10_000).Select(s => new Metric("metric_0", Math.Exp(-s / 2000.0) + (random.NextDouble() * 0.05), 0, s))],
                },
                Examples = new ReportExampleTable(["inputs", "prediction", "target", "correct", "latency_ms"], table),
            });
        }

        for (int r = 0; r < list.Count; r++)
        {
            ReportRun run = list[r];
            // Confusion matrices as the loader counts them.
            var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i);
            var counts = labels.Select(_ => new long[3]).ToArray();
            foreach (var row in run.Examples!.Rows)
            {
                counts[index[(string)row[2]!]][index[(string)row[1]!]]++;
            }

            list[r] = run with { ConfusionMatrix = new ReportConfusionMatrix(labels, counts) };
        }

        return new ReportInput("Benchmark report", list);
    }
}
