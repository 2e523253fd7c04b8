using System.Text;
using LlmTrack.Evaluation;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Tests.Evaluation;

/// <summary>
/// Expected texts come from the real MLflow recordings (fluent.out) and from pandas
/// (<c>DataFrame.to_json(orient="split", index=False)</c>, <c>read_json</c> + <c>concat</c>) and
/// Python's <c>json.dumps</c>.
/// </summary>
public class TablesTests
{
    private static EvaluationTable Table(string[] columns, params object?[][] rows)
    {
        var table = new EvaluationTable(columns);
        foreach (object?[] row in rows)
        {
            table.AddRow(row);
        }

        return table;
    }

    [Fact]
    public void WritesTheRecordedMlflowTableBytes()
    {
        // fluent.out: my_table.json content (71 bytes) and dict_table.json (52 bytes).
        using EvaluationTable myTable = Table(["a", "b", "c"], [1, "x", 0.5], [2, "y", 1.5], [3, "z", null]);
        string json = myTable.ToJson();
        Assert.Equal("{\"columns\":[\"a\",\"b\",\"c\"],\"data\":[[1,\"x\",0.5],[2,\"y\",1.5],[3,\"z\",null]]}", json);
        Assert.Equal(71, Encoding.UTF8.GetByteCount(json));
        using EvaluationTable dictTable = Table(["col1", "col2"], [1L, "p"], [2L, "q"]);
        Assert.Equal("{\"columns\":[\"col1\",\"col2\"],\"data\":[[1,\"p\"],[2,\"q\"]]}", dictTable.ToJson());
    }

    [Fact]
    public void EscapesStringsLikePandas()
    {
        using EvaluationTable table = Table(["s"], ["caf\u00e9 /path \"q\" \\ \n\t\u0001 \U0001F600 <&> \u007f"]);
        Assert.Equal("{\"columns\":[\"s\"],\"data\":[[\"caf\\u00e9 \\/path \\\"q\\\" \\\\ \\n\\t\\u0001 \\ud83d\\ude00 <&> \u007f\"]]}", table.ToJson());
    }

    [Theory]
    [InlineData(0.1 + 0.2, "0.3")]
    [InlineData(1.0 / 3, "0.3333333333")]
    [InlineData(1e-12, "0.0")]
    [InlineData(1e16, "10000000000000000.0")]
    [InlineData(1.5e-16, "1.5e-16")]
    [InlineData(123456789.123456789, "123456789.123456791")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e20, "1e+20")]
    [InlineData(0.00001, "0.00001")]
    [InlineData(2.675, "2.675")]
    [InlineData(1.0000000000499, "1.0")]
    [InlineData(0.99999999999, "1.0")]
    [InlineData(12345678901234567890.0, "1.23456789e+19")]
    [InlineData(-1e-20, "-1e-20")]
    [InlineData(9.999999999999e15, "9999999999999000.0")]
    public void FormatsFloatsWithTenDecimalsLikePandas(double value, string expected)
    {
        // Beyond 1e16 − 1 pandas uses C's %.10g (trailing zeros removed): 1.23456789e+19.
        Assert.Equal(expected, PandasJson.FormatDouble(value));
    }

    [Fact]
    public void NaNAndInfinityAreNull()
    {
        using EvaluationTable table = Table(["x"], [double.NaN], [double.PositiveInfinity], [double.NegativeInfinity], [1.5]);
        Assert.Equal("{\"columns\":[\"x\"],\"data\":[[null],[null],[null],[1.5]]}", table.ToJson());
    }

    [Fact]
    public void ColumnDtypesFollowPandasInference()
    {
        // pd.DataFrame({"i":[1,None],"b":[True,None],"bb":[True,False],"m":[1,2.5],"n":[None,None],"bi":[True,1]})
        using EvaluationTable table = Table(["i", "b", "bb", "m", "n", "bi"],
            [1, true, true, 1, null, true],
            [null, null, false, 2.5, null, 1]);
        Assert.Equal(
            "{\"columns\":[\"i\",\"b\",\"bb\",\"m\",\"n\",\"bi\"],\"data\":[[1.0,true,true,1.0,null,true],[null,null,false,2.5,null,1]]}",
            table.ToJson());
    }

    [Fact]
    public void EmptyTableAndValidation()
    {
        using var table = new EvaluationTable("x");
        Assert.Equal("{\"columns\":[\"x\"],\"data\":[]}", table.ToJson());
        table.AddRow(null);
        Assert.Equal("{\"columns\":[\"x\"],\"data\":[[null]]}", table.ToJson());
        Assert.Throws<ArgumentException>(() => table.AddRow(1, 2));
        Assert.Throws<ArgumentException>(() => table.AddRow(new object()));
        Assert.Throws<ArgumentException>(() => new EvaluationTable("a", "a"));
        Assert.Throws<ArgumentException>(() => new EvaluationTable(Array.Empty<string>()));
    }

    [Fact]
    public void StreamsManyRowsThroughATemporaryFile()
    {
        using var table = new EvaluationTable("id", "text", "score");
        for (int i = 0; i < 120_000; i++)
        {
            table.AddRow(i, "row " + i, i % 7 == 0 ? null : i / 8.0);
        }

        using var output = new MemoryStream();
        table.WriteTo(output);
        string json = Encoding.UTF8.GetString(output.ToArray());
        Assert.StartsWith("{\"columns\":[\"id\",\"text\",\"score\"],\"data\":[[0,\"row 0\",null],[1,\"row 1\",0.125],", json);
        Assert.EndsWith(",[119999,\"row 119999\",14999.875]]}", json);
        Assert.Equal(120_000L, table.RowCount);

        // Rows can still be added after writing.
        table.AddRow(-1, "last", 2.0);
        Assert.EndsWith(",[-1,\"last\",2.0]]}", table.ToJson());
    }

    private static string Append(string existing, string[] columns, params object?[][] rows)
    {
        using EvaluationTable table = Table(columns, rows);
        return TableMerge.Append(existing, table);
    }

    [Fact]
    public void AppendsRowsToTheRecordedTable()
    {
        string merged = Append("{\"columns\":[\"a\",\"b\",\"c\"],\"data\":[[1,\"x\",0.5],[2,\"y\",1.5],[3,\"z\",null]]}",
            ["a", "b", "c"], [4, "w", 2.5]);
        Assert.Equal("{\"columns\":[\"a\",\"b\",\"c\"],\"data\":[[1,\"x\",0.5],[2,\"y\",1.5],[3,\"z\",null],[4,\"w\",2.5]]}", merged);
    }

    [Fact]
    public void AppendTakesTheUnionOfColumnsAndFillsGapsWithNull()
    {
        string merged = Append("{\"columns\":[\"a\",\"b\"],\"data\":[[1,\"x\"],[2,\"y\"]]}", ["b", "d"], ["z", true]);
        Assert.Equal("{\"columns\":[\"a\",\"b\",\"d\"],\"data\":[[1.0,\"x\",null],[2.0,\"y\",null],[null,\"z\",true]]}", merged);

        string intsOnly = Append("{\"columns\":[\"a\"],\"data\":[[1],[2]]}", ["b"], [1.5]);
        Assert.Equal("{\"columns\":[\"a\",\"b\"],\"data\":[[1.0,null],[2.0,null],[null,1.5]]}", intsOnly);
    }

    [Fact]
    public void AppendReproducesReadJsonTypeGuessing()
    {
        // Whole floats come back as ints, numeric strings as numbers.
        Assert.Equal("{\"columns\":[\"t\",\"s\"],\"data\":[[0.0,1],[0.0,2],[0.0,\"3\"]]}",
            Append("{\"columns\":[\"t\",\"s\"],\"data\":[[0.0,\"1\"],[0.0,\"2\"]]}", ["t", "s"], [0.0, "3"]));
        Assert.Equal("{\"columns\":[\"t\",\"s\"],\"data\":[[0,1],[1,2],[5,\"x\"]]}",
            Append("{\"columns\":[\"t\",\"s\"],\"data\":[[0.0,\"1\"],[1.0,\"2\"]]}", ["t", "s"], [5, "x"]));

        // A bool column with a gap is read as floats.
        Assert.Equal("{\"columns\":[\"ok\"],\"data\":[[1.0],[null],[0.0]]}",
            Append("{\"columns\":[\"ok\"],\"data\":[[true],[null]]}", ["ok"], [false]));
        Assert.Equal("{\"columns\":[\"ok\",\"n\"],\"data\":[[true,null],[false,null],[true,\"a\"]]}",
            Append("{\"columns\":[\"ok\",\"n\"],\"data\":[[true,null],[false,null]]}", ["ok", "n"], [true, "a"]));
    }

    [Fact]
    public void AppendConvertsDateLikeColumnsAsPandasDoes()
    {
        string merged = Append(
            "{\"columns\":[\"created_at\",\"latency_time\",\"date\"],\"data\":[[1700000000,1.5,\"2024-01-01\"],[1700000001,2.5,\"2024-01-02\"]]}",
            ["created_at", "latency_time", "date"], [1700000002, 3.0, "2024-01-03"]);
        Assert.Equal(
            "{\"columns\":[\"created_at\",\"latency_time\",\"date\"],\"data\":[[1700000000000,1.5,1704067200000],[1700000001000,2.5,1704153600000],[1700000002,3.0,\"2024-01-03\"]]}",
            merged);
    }

    [Theory]
    [InlineData("{\"columns\":[\"timestamp_ms\",\"updated_at\"],\"data\":[[1700000000123,\"1700000000\"],[1700000000456,null]]}",
        "{\"columns\":[\"timestamp_ms\",\"updated_at\"],\"data\":[[1700000000123,1700000000000],[1700000000456,null],[1,\"x\"]]}")]
    public void AppendGuessesEpochUnitsAndNumericStringsInDateColumns(string existing, string expected) =>
        Assert.Equal(expected, Append(existing, ["timestamp_ms", "updated_at"], [1, "x"]));

    [Theory]
    [InlineData("{\"columns\":[\"s\"],\"data\":[[\" 12 \"],[\"1_000\"]]}", "{\"columns\":[\"s\"],\"data\":[[12],[1000],[1]]}")]
    [InlineData("{\"columns\":[\"s\"],\"data\":[[\"1.5\"],[\"2\"]]}", "{\"columns\":[\"s\"],\"data\":[[1.5],[2.0],[1.0]]}")]
    [InlineData("{\"columns\":[\"s\"],\"data\":[[\"inf\"],[\"2\"]]}", "{\"columns\":[\"s\"],\"data\":[[null],[2.0],[1.0]]}")]
    [InlineData("{\"columns\":[\"s\"],\"data\":[[1.5],[null]]}", "{\"columns\":[\"s\"],\"data\":[[1.5],[null],[1.0]]}")]
    public void AppendParsesStringsLikePythonFloatAndInt(string existing, string expected) =>
        Assert.Equal(expected, Append(existing, ["s"], [1]));

    [Fact]
    public void AppendKeepsSmallTimesAndMissingObjectValues()
    {
        Assert.Equal("{\"columns\":[\"step_time\"],\"data\":[[1.5],[2.25],[3.0]]}",
            Append("{\"columns\":[\"step_time\"],\"data\":[[1.5],[2.25]]}", ["step_time"], [3]));
        Assert.Equal("{\"columns\":[\"a\",\"b\"],\"data\":[[1.0,null],[null,\"x\"],[2.0,null]]}",
            Append("{\"columns\":[\"a\",\"b\"],\"data\":[[1,null],[null,\"x\"]]}", ["a", "b"], [2, null]));
    }

    [Fact]
    public void AppendKeepsNestedValuesAndHandlesEmptyExistingTables()
    {
        Assert.Equal("{\"columns\":[\"v\"],\"data\":[[[1,2]],[{\"k\":\"v\"}],[\"s\"]]}",
            Append("{\"columns\":[\"v\"],\"data\":[[[1,2]],[{\"k\":\"v\"}]]}", ["v"], ["s"]));
        Assert.Equal("{\"columns\":[\"a\"],\"data\":[[1]]}", Append("{\"columns\":[\"a\"],\"data\":[]}", ["a"], [1]));
    }

    [Fact]
    public void AppendCastsBoolsNextToNumbers()
    {
        Assert.Equal("{\"columns\":[\"a\",\"b\",\"c\"],\"data\":[[1,1.0,null],[1,null,2.0]]}",
            Append("{\"columns\":[\"a\",\"b\"],\"data\":[[1,1]]}", ["a", "c"], [true, 2]));
    }

    [Fact]
    public void AppendRejectsSomethingThatIsNotASplitTable()
    {
        Assert.Throws<FormatException>(() => Append("[1,2]", ["a"], [1]));
        Assert.Throws<FormatException>(() => Append("{not json", ["a"], [1]));
        Assert.Throws<FormatException>(() => Append("{\"columns\":[\"a\"],\"data\":[[1,2]]}", ["a"], [1]));
    }

    [Fact]
    public void LoggedArtifactsTagMatchesTheRecording()
    {
        string first = LoggedArtifactsTag.Add(null, "tables/my_table.json");
        Assert.Equal("[{\"path\": \"tables/my_table.json\", \"type\": \"table\"}]", first);
        string second = LoggedArtifactsTag.Add(first, "tables/dict_table.json");

        // fluent.out: the parent run's mlflow.loggedArtifacts tag.
        Assert.Equal("[{\"path\": \"tables/my_table.json\", \"type\": \"table\"}, {\"path\": \"tables/dict_table.json\", \"type\": \"table\"}]", second);

        // Logging the same table again leaves the tag as it is.
        Assert.False(LoggedArtifactsTag.TryAdd(second, "tables/my_table.json", out string unchanged));
        Assert.Same(second, unchanged);
        Assert.Equal(second, LoggedArtifactsTag.Add(second, "tables/dict_table.json"));

        // wire.out: a table at the artifact root.
        Assert.Equal("[{\"path\": \"t.json\", \"type\": \"table\"}]", LoggedArtifactsTag.Add(null, "t.json"));
    }

    [Fact]
    public void LoggedArtifactsTagReserialisesLikePythonJson()
    {
        string existing = "[{\"path\":\"a.json\",\"type\":\"table\",\"extra\":1.50,\"n\":[1e-5,100000000000000000.0,2]}]";
        Assert.Equal(
            "[{\"path\": \"a.json\", \"type\": \"table\", \"extra\": 1.5, \"n\": [1e-05, 1e+17, 2]}, {\"path\": \"caf\\u00e9/\\u00fc \\\"x\\\".json\", \"type\": \"table\"}]",
            LoggedArtifactsTag.Add(existing, "caf\u00e9/\u00fc \"x\".json"));
        Assert.Throws<FormatException>(() => LoggedArtifactsTag.Add("{}", "x.json"));
    }

    [Theory]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e-4, "0.0001")]
    [InlineData(123.0, "123.0")]
    [InlineData(1e22, "1e+22")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(123456.789, "123456.789")]
    public void PythonFloatReprMatches(double value, string expected) => Assert.Equal(expected, PythonJson.FormatFloat(value));

    [Fact]
    public void PythonStringEscapingMatches()
    {
        Assert.Equal("\"a/b \\u00e9 \\ud83d\\ude00 \\u007f \\\" \\\\ \\n\"", PythonJson.QuoteString("a/b \u00e9 \U0001F600 \u007f \" \\ \n"));
    }
}
