using System.Globalization;
using BenchmarkDotNet.Attributes;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Evaluation.Figures;
using LlmTrack.Evaluation.Tables;

namespace LlmTrack.Benchmarks.Evaluation;

/// <summary>Table spooling and writing, dataset loading and digest, and figure rendering.</summary>
[MemoryDiagnoser]
public class EvaluationPiecesBenchmarks : IDisposable
{
    private string _tsvPath = "";

    /// <summary>Rows in the table and in the TSV file.</summary>
    [Params(10_000)]
    public int Rows { get; set; }

    /// <summary>Writes a TSV file of <see cref="Rows"/> sentences.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tsvPath = Path.Combine(Path.GetTempPath(), "llmtrack-bench-" + Guid.NewGuid().ToString("N") + ".tsv");
        using var writer = new StreamWriter(_tsvPath);
        for (int i = 0; i < Rows; i++)
        {
            writer.Write("This is sentence number " + i.ToString(CultureInfo.InvariantCulture) + ", with \"quotes\" and text.  \t" + (i % 2).ToString(CultureInfo.InvariantCulture) + "\n");
        }
    }

    /// <summary>Deletes the TSV file.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        File.Delete(_tsvPath);
        GC.SuppressFinalize(this);
    }

    /// <summary>Adds rows to a table and writes its pandas JSON.</summary>
    [Benchmark]
    public long TableAddAndWrite()
    {
        using var table = new EvaluationTable("id", "input", "output", "score", "correct");
        for (int i = 0; i < Rows; i++)
        {
            table.AddRow(i, "question " + i.ToString(CultureInfo.InvariantCulture), "answer é/ü", i / 7.0, i % 3 == 0);
        }

        using var sink = new MemoryStream();
        table.WriteTo(sink);
        return sink.Length;
    }

    /// <summary>Loads the TSV file and computes the MLflow dataset record.</summary>
    [Benchmark]
    public string LoadTsvAndDigest()
    {
        EvaluationDataset data = DatasetLoader.LoadTsv(_tsvPath, new TsvOptions { SplitOnLastTab = true, ColumnNames = ["text", "label"] });
        return data.ToMlflowDataset().Digest;
    }

    /// <summary>Renders a 20-class confusion matrix.</summary>
    [Benchmark]
    public int ConfusionMatrix20()
    {
        string[] labels = [.. Enumerable.Range(0, 20).Select(i => "class " + i.ToString(CultureInfo.InvariantCulture))];
        long[][] counts = [.. Enumerable.Range(0, 20).Select(i => Enumerable.Range(0, 20).Select(j => (long)((i * 31) + j) % 17).ToArray())];
        return SvgFigures.ConfusionMatrix(labels, counts).Svg.Length;
    }
}
