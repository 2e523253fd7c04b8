using System.Globalization;
using System.Xml.Linq;
using LlmTrack.Evaluation.Figures;

namespace LlmTrack.Tests.Evaluation;

public class SvgFiguresTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    internal static Figure SampleConfusionMatrix(ConfusionMatrixNormalization normalization = ConfusionMatrixNormalization.None) =>
        SvgFigures.ConfusionMatrix(
            ["negative", "neutral", "positive <&> \"very\" long label name"],
            [[50, 3, 2], [4, 30, 6], [1, 5, 99]],
            new ConfusionMatrixOptions { Title = "Sentiment: confusion matrix", Normalization = normalization });

    internal static Figure SampleLineChart() =>
        SvgFigures.LineChart(
            [
                new LineSeries("train loss", [.. Enumerable.Range(0, 50).Select(i => new ChartPoint(i * 10, 2.5 * Math.Exp(-i / 12.0) + 0.1))]),
                new LineSeries("eval loss", [.. Enumerable.Range(0, 10).Select(i => new ChartPoint(i * 50, i == 4 ? double.NaN : 2.6 * Math.Exp(-i / 2.5) + 0.25))]),
                new LineSeries("accuracy", [new(0, 0.31), new(250, 0.72), new(490, 0.88)]),
            ],
            new LineChartOptions { Title = "Training curves", YLabel = "loss / accuracy" });

    private static XDocument Parse(Figure figure)
    {
        XDocument document = XDocument.Parse(figure.Svg);
        Assert.Equal(Svg + "svg", document.Root!.Name);
        Assert.NotNull(document.Root.Attribute("viewBox"));
        return document;
    }

    private static List<string> Texts(XDocument document) =>
        [.. document.Descendants(Svg + "text").Select(t => string.Concat(t.Nodes().OfType<XText>().Select(x => x.Value)))];

    [Fact]
    public void ConfusionMatrixIsWellFormedWithLabelsNumbersAndAxes()
    {
        Figure figure = SampleConfusionMatrix();
        XDocument document = Parse(figure);
        List<string> texts = Texts(document);
        Assert.Equal("confusion_matrix.svg", figure.FileName);
        Assert.Contains("True label", texts);
        Assert.Contains("Predicted label", texts);
        Assert.Contains("Sentiment: confusion matrix", texts);
        Assert.Contains("negative", texts);
        foreach (string n in new[] { "50", "3", "2", "4", "30", "6", "1", "5", "99" })
        {
            Assert.Contains(n, texts);
        }

        // The long label is cut, ends in an ellipsis, and the markup characters are escaped in the file.
        Assert.Contains(texts, t => t.StartsWith("positive <&> ", StringComparison.Ordinal) && t.EndsWith('…'));
        Assert.Contains("positive &lt;&amp;&gt; &quot;very&quot;", figure.Svg);
        Assert.Equal(9, document.Descendants(Svg + "rect").Count(r => r.Element(Svg + "title") is not null));
    }

    [Fact]
    public void CellTextContrastsWithTheCellColour()
    {
        XDocument document = Parse(SampleConfusionMatrix());
        string Fill(string value) => document.Descendants(Svg + "text").First(t => t.Value == value).Attribute("fill")!.Value;

        // 1 is the smallest count (dark purple cell → white text), 99 the largest (yellow → black text).
        Assert.Equal("#ffffff", Fill("1"));
        Assert.Equal("#000000", Fill("99"));
    }

    [Theory]
    [InlineData(ConfusionMatrixNormalization.True, new[] { "0.91", "0.05", "0.04", "0.10", "0.75", "0.15", "0.01", "0.94" })]
    [InlineData(ConfusionMatrixNormalization.Pred, new[] { "0.91", "0.08", "0.02", "0.07", "0.79", "0.06", "0.02", "0.13", "0.93" })]
    [InlineData(ConfusionMatrixNormalization.All, new[] { "0.25", "0.01", "0.02", "0.15", "0.03" })]
    public void NormalisedValuesMatchScikitLearn(ConfusionMatrixNormalization normalization, string[] expected)
    {
        List<string> texts = Texts(Parse(SampleConfusionMatrix(normalization)));
        foreach (string value in expected)
        {
            Assert.Contains(value, texts);
        }
    }

    [Fact]
    public void NormalisationDividesLikeScikitLearnAndZeroRowsStayZero()
    {
        double[][] byRow = SvgFigures.Normalise([[2, 2], [0, 0]], ConfusionMatrixNormalization.True);
        Assert.Equal([0.5, 0.5], byRow[0]);
        Assert.Equal([0.0, 0.0], byRow[1]);
        double[][] byColumn = SvgFigures.Normalise([[1, 0], [3, 0]], ConfusionMatrixNormalization.Pred);
        Assert.Equal(0.25, byColumn[0][0]);
        Assert.Equal(0.0, byColumn[0][1]);
        double[][] all = SvgFigures.Normalise([[1, 1], [1, 1]], ConfusionMatrixNormalization.All);
        Assert.Equal(0.25, all[1][1]);
    }

    [Fact]
    public void ConfusionMatrixRejectsMismatchedShapes()
    {
        Assert.Throws<ArgumentException>(() => SvgFigures.ConfusionMatrix(["a", "b"], [[1, 2]]));
        Assert.Throws<ArgumentException>(() => SvgFigures.ConfusionMatrix(["a"], [[-1]]));
        Assert.Throws<ArgumentException>(() => SvgFigures.ConfusionMatrix([], []));
    }

    [Fact]
    public void ControlCharactersInLabelsStillGiveWellFormedXml()
    {
        Figure figure = SvgFigures.ConfusionMatrix(["a\u0001b", "\ud800x"], [[1, 0], [0, 1]]);
        List<string> texts = Texts(Parse(figure));
        Assert.Contains("a\ufffdb", texts);
        Assert.Contains("\ufffdx", texts);
    }

    [Fact]
    public void ManyClassesStayWellFormed()
    {
        string[] labels = [.. Enumerable.Range(0, 40).Select(i => "class-" + i.ToString(CultureInfo.InvariantCulture))];
        long[][] counts = [.. Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 40).Select(j => (long)(i == j ? 20 : (i + j) % 3)).ToArray())];
        XDocument document = Parse(SvgFigures.ConfusionMatrix(labels, counts));
        Assert.Equal(1600, document.Descendants(Svg + "rect").Count(r => r.Element(Svg + "title") is not null));
    }

    [Fact]
    public void LineChartHasSeriesLegendAxesAndSkipsNaN()
    {
        Figure figure = SampleLineChart();
        XDocument document = Parse(figure);
        List<string> texts = Texts(document);
        Assert.Equal("line_chart.svg", figure.FileName);
        Assert.Contains("Training curves", texts);
        Assert.Contains("step", texts);
        Assert.Contains("loss / accuracy", texts);
        Assert.Contains("train loss", texts);
        Assert.Contains("eval loss", texts);
        Assert.Contains("accuracy", texts);
        List<XElement> lines = [.. document.Descendants(Svg + "polyline")];
        Assert.Equal(3, lines.Count);
        Assert.Equal(50, lines[0].Attribute("points")!.Value.Split(' ').Length);
        Assert.Equal(9, lines[1].Attribute("points")!.Value.Split(' ').Length); // the NaN point is left out
        Assert.DoesNotContain("NaN", figure.Svg);
    }

    [Fact]
    public void LineChartTicksAreNiceNumbers()
    {
        List<string> texts = Texts(Parse(SampleLineChart()));
        Assert.Contains("0", texts);
        Assert.Contains("100", texts);
        Assert.Contains("500", texts);
        Assert.Contains("0.5", texts);
        Assert.Contains("2.5", texts);
    }

    [Fact]
    public void NiceScaleUsesOneTwoFiveSteps()
    {
        var scale = NiceScale.Compute(0.13, 0.87, 6);
        Assert.Equal(0.1, scale.Step, 12);
        Assert.Equal(0.1, scale.Min, 12);
        Assert.Equal(0.9, scale.Max, 12);
        var steps = NiceScale.Compute(0, 7, 10, integers: true);
        Assert.Equal(1, steps.Step);
        var flat = NiceScale.Compute(3, 3, 5);
        Assert.True(flat.Min < 3 && flat.Max > 3);
        Assert.Equal("0.30", NiceScale.Format(0.3, 0.05));
        Assert.Equal("1500", NiceScale.Format(1500, 500));
    }

    [Fact]
    public void LineChartWithOnlyNaNOrOnePointIsStillValid()
    {
        XDocument onlyNaN = Parse(SvgFigures.LineChart([new LineSeries("m", [new(0, double.NaN)])]));
        Assert.Contains("no finite values", Texts(onlyNaN));
        XDocument single = Parse(SvgFigures.LineChart([LineSeries.FromMetrics("m", [new Metric("m", 0.5, 1, 3)])]));
        Assert.Single(single.Descendants(Svg + "circle"), c => c.Parent!.Name == Svg + "g");
    }

    [Fact]
    public void WidthAndHeightOptionsSetTheViewBox()
    {
        Figure figure = SvgFigures.LineChart([new LineSeries("a", [new(0, 1), new(1, 2)])], new LineChartOptions { Width = 1000, Height = 300 });
        XElement root = XDocument.Parse(figure.Svg).Root!;
        Assert.Equal("0 0 1000 300", root.Attribute("viewBox")!.Value);
        Assert.Equal("1000", root.Attribute("width")!.Value);
    }

    /// <summary>Writes the sample figures for docs/render-figures.sh when LLMTRACK_FIGURES_OUT is set.</summary>
    [Fact]
    public void WriteSampleFiguresWhenAskedTo()
    {
        string? folder = Environment.GetEnvironmentVariable("LLMTRACK_FIGURES_OUT");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "confusion_matrix.svg"), SampleConfusionMatrix().Svg);
        File.WriteAllText(Path.Combine(folder, "confusion_matrix_true.svg"), SampleConfusionMatrix(ConfusionMatrixNormalization.True).Svg);
        File.WriteAllText(Path.Combine(folder, "line_chart.svg"), SampleLineChart().Svg);
        string[] labels = [.. Enumerable.Range(0, 12).Select(i => "category number " + i.ToString(CultureInfo.InvariantCulture))];
        long[][] counts = [.. Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, 12).Select(j => (long)(i == j ? 40 + i : (i * j) % 5)).ToArray())];
        File.WriteAllText(Path.Combine(folder, "confusion_matrix_12.svg"), SvgFigures.ConfusionMatrix(labels, counts).Svg);
    }
}
