using System.Text;
using LlmTrack.Evaluation.Datasets;

namespace LlmTrack.Tests.Evaluation;

public sealed class DatasetsTests : IDisposable
{
    private static readonly string ImdbPath = Path.Combine(AppContext.BaseDirectory, "TestData", "data", "imdb_labelled.txt");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llmtrack-datasets-" + Guid.NewGuid().ToString("N"));

    public DatasetsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteFile(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static EvaluationDataset LoadImdb() =>
        DatasetLoader.LoadTsv(ImdbPath, new TsvOptions { SplitOnLastTab = true, ColumnNames = ["text", "label"] });

    [Fact]
    public void LoadsTheUciImdbFileWithItsQuirks()
    {
        EvaluationDataset data = LoadImdb();
        Assert.Equal(1000, data.RowCount);
        Assert.Equal("imdb_labelled", data.Name);
        Assert.Equal(500, data.GetColumn("label").Count(v => (string?)v == "1"));
        Assert.Equal(500, data.GetColumn("label").Count(v => (string?)v == "0"));

        // Lines 19 and 20 carry unbalanced quotes and stay two rows; text is exact (trailing spaces kept).
        Assert.Equal("It's practically perfect in all of them  a true masterpiece in a sea of faux \"masterpieces.  ", data[18, "text"]);
        Assert.StartsWith("\" The structure of this film", (string)data[19, "text"]!, StringComparison.Ordinal);
        Assert.StartsWith("\"You'll love it!", (string)data[196, "text"]!, StringComparison.Ordinal);

        // U+0085 stays inside the text of line 179 instead of breaking the line.
        Assert.Equal("The script is\u0085was there a script?  ", data[178, "text"]);
    }

    [Fact]
    public void ComputesTheMlflowDatasetRecord()
    {
        EvaluationDataset data = LoadImdb();
        Dataset record = data.ToMlflowDataset();
        Assert.Equal("imdb_labelled", record.Name);

        // Pinned: computed independently (Python hashlib over the documented canonical form).
        Assert.Equal("2bc326e1", record.Digest);
        Assert.Equal("local", record.SourceType);
        Assert.Equal("{\"uri\": \"" + Path.GetFullPath(ImdbPath) + "\"}", record.Source);
        Assert.Equal("{\"mlflow_colspec\": [{\"type\": \"string\", \"name\": \"text\", \"required\": true}, {\"type\": \"long\", \"name\": \"label\", \"required\": true}]}", record.Schema);
        Assert.Equal("{\"num_rows\": 1000, \"num_elements\": 2000}", record.Profile);

        DatasetInput input = data.ToDatasetInput();
        Assert.Equal(new Tag("mlflow.data.context", "eval"), Assert.Single(input.Tags));
        Assert.Same(input.Dataset.Digest, input.Dataset.Digest);
    }

    [Fact]
    public void SchemaFollowsTheRecordingsFormatWithTypesAndMissingValues()
    {
        // fluent.out: a long, a string and a double column with a missing value.
        var data = new EvaluationDataset("train-df-3", ["a", "b", "c"],
            [[1, "x", 0.5], [2, "y", 1.5], [3, "z", null]], "s3://bucket/path/data.csv");
        Assert.Equal(
            "{\"mlflow_colspec\": [{\"type\": \"long\", \"name\": \"a\", \"required\": true}, {\"type\": \"string\", \"name\": \"b\", \"required\": true}, {\"type\": \"double\", \"name\": \"c\", \"required\": false}]}",
            data.SchemaJson);
        Assert.Equal("{\"num_rows\": 3, \"num_elements\": 9}", data.ProfileJson);
        Assert.Equal("{\"uri\": \"s3://bucket/path/data.csv\"}", data.SourceJson);

        var flags = new EvaluationDataset("f", ["ok", "mixed"], [[true, 1], [false, 2.5]]);
        Assert.Equal(["boolean", "double"], flags.ColumnTypes);
        var code = new EvaluationDataset("c", ["x"], [[1]]);
        Assert.Equal("code", code.SourceType);
        Assert.Equal("{}", code.SourceJson);
    }

    [Fact]
    public void DigestIsCanonicalAndContentOnly()
    {
        // Pinned values computed independently (Python hashlib over the documented canonical form).
        var text = new EvaluationDataset("one", ["text", "label"], [["good film", "1"], ["bad \u00e9 film", null]]);
        Assert.Equal("cb847ee7", text.Digest);
        var typed = new EvaluationDataset("two", ["a", "b", "c", "d"], [[1, 0.5, true, "x"], [-2L, 1e300, false, null]]);
        Assert.Equal("33137d81", typed.Digest);

        // Same content, other name and source: same digest. Different type of a value: different digest.
        Assert.Equal(text.Digest, new EvaluationDataset("other", ["text", "label"], [["good film", "1"], ["bad \u00e9 film", null]], "/x").Digest);
        Assert.NotEqual(typed.Digest, new EvaluationDataset("two", ["a", "b", "c", "d"], [["1", 0.5, true, "x"], [-2L, 1e300, false, null]]).Digest);
    }

    [Fact]
    public void WriteCanonicalWritesTheDocumentedFormatTheDigestIsTakenOver()
    {
        var typed = new EvaluationDataset("two", ["a", "b", "c", "d"], [[1, 0.5, true, "x\u00e9"], [-2L, 1e300, false, null]]);
        using var buffer = new MemoryStream();
        typed.WriteCanonical(buffer);
        var bytes = buffer.ToArray();
        Assert.Equal("llmtrack-dataset-v1\nC1:a\nC1:b\nC1:c\nC1:d\nL1;D0.5;B1;S3:x\u00e9;\nL-2;D1E+300;B0;N;\n", new UTF8Encoding(false).GetString(bytes));
        using var md5 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.MD5);
        md5.AppendData(bytes);
        Assert.Equal(Convert.ToHexString(md5.GetHashAndReset())[..8].ToLowerInvariant(), typed.Digest);
    }

    [Fact]
    public void TsvSplitsOnEveryTabByDefaultAndReportsBadLines()
    {
        string path = WriteFile("d.tsv", "id\ttext\tscore\r\n1\thello \"world\t0.5\n2\t\t1e3\n\n");
        EvaluationDataset data = DatasetLoader.LoadTsv(path, new TsvOptions { HasHeader = true, Name = "named" });
        Assert.Equal("named", data.Name);
        Assert.Equal(["id", "text", "score"], data.Columns);
        Assert.Equal(2, data.RowCount);
        Assert.Equal("hello \"world", data[0, "text"]);
        Assert.Null(data[1, "text"]);
        Assert.Equal(["long", "string", "double"], data.ColumnTypes);
        Assert.Contains("\"required\": false", data.SchemaJson, StringComparison.Ordinal);

        string bad = WriteFile("bad.tsv", "a\tb\n1\t2\n3\n");
        DatasetFormatException error = Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadTsv(bad, new TsvOptions { HasHeader = true }));
        Assert.Equal(3, error.LineNumber);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);

        string noTab = WriteFile("notab.tsv", "x\t1\nno tab here\n");
        Assert.Equal(2, Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadTsv(noTab, new TsvOptions { SplitOnLastTab = true })).LineNumber);
    }

    [Fact]
    public void CsvFollowsRfc4180()
    {
        string path = WriteFile("d.csv",
            "\ufeffquestion,answer,n\r\n" +
            "\"Hello, world\",\"He said \"\"hi\"\"\r\nand left\",1\r\n" +
            "plain  ,trailing space kept ,2\n" +
            "\n" +
            "5\" screen,,3");
        EvaluationDataset data = DatasetLoader.LoadCsv(path, new CsvOptions { HasHeader = true });
        Assert.Equal(["question", "answer", "n"], data.Columns);
        Assert.Equal(3, data.RowCount);
        Assert.Equal("Hello, world", data[0, "question"]);
        Assert.Equal("He said \"hi\"\r\nand left", data[0, "answer"]);
        Assert.Equal("plain  ", data[1, "question"]);
        Assert.Equal("trailing space kept ", data[1, "answer"]);
        Assert.Equal("5\" screen", data[2, "question"]);
        Assert.Null(data[2, "answer"]);
        Assert.Equal(["string", "string", "long"], data.ColumnTypes);
    }

    [Fact]
    public void CsvWithoutHeaderUsesGivenOrNumberedNames()
    {
        string path = WriteFile("n.csv", "a;1\nb;2\n");
        EvaluationDataset numbered = DatasetLoader.LoadCsv(path, new CsvOptions { Delimiter = ';' });
        Assert.Equal(["0", "1"], numbered.Columns);
        EvaluationDataset named = DatasetLoader.LoadCsv(path, new CsvOptions { Delimiter = ';', ColumnNames = ["text", "label"] });
        Assert.Equal("b", named[1, "text"]);
    }

    [Fact]
    public void CsvReportsMalformedRecordsWithLineNumbers()
    {
        string unclosed = WriteFile("u.csv", "a,b\n1,2\n\"open,3\n4,5\n");
        DatasetFormatException e1 = Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadCsv(unclosed));
        Assert.Equal(3, e1.LineNumber);
        Assert.Contains("not closed", e1.Message, StringComparison.Ordinal);

        string afterQuote = WriteFile("q.csv", "a,b\n\"x\"y,2\n");
        Assert.Equal(2, Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadCsv(afterQuote)).LineNumber);

        string count = WriteFile("c.csv", "a,b\n\"multi\nline\",2\n1,2,3\n");
        Assert.Equal(4, Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadCsv(count, new CsvOptions { HasHeader = true })).LineNumber);
    }

    [Fact]
    public void JsonlKeepsTypesNestedJsonAndMissingKeys()
    {
        string path = WriteFile("d.jsonl",
            "{\"id\": 1, \"question\": \"Why\u2028?\", \"answers\": [{\"text\": \"a\"}], \"ok\": true, \"score\": 0.5}\n" +
            "\n" +
            "{\"id\": 2, \"question\": null, \"ok\": false, \"score\": 2, \"extra\": \"x\"}\r\n");
        EvaluationDataset data = DatasetLoader.LoadJsonl(path);
        Assert.Equal(["id", "question", "answers", "ok", "score", "extra"], data.Columns);
        Assert.Equal(2, data.RowCount);
        Assert.Equal(1L, data[0, "id"]);
        Assert.Equal("Why\u2028?", data[0, "question"]);
        Assert.Equal("[{\"text\": \"a\"}]", data[0, "answers"]);
        Assert.Null(data[1, "answers"]);
        Assert.Equal(2L, data[1, "score"]);
        Assert.Equal(["long", "string", "string", "boolean", "double", "string"], data.ColumnTypes);
        Assert.Equal(
            "{\"mlflow_colspec\": [{\"type\": \"long\", \"name\": \"id\", \"required\": true}, {\"type\": \"string\", \"name\": \"question\", \"required\": false}, {\"type\": \"string\", \"name\": \"answers\", \"required\": false}, {\"type\": \"boolean\", \"name\": \"ok\", \"required\": true}, {\"type\": \"double\", \"name\": \"score\", \"required\": true}, {\"type\": \"string\", \"name\": \"extra\", \"required\": false}]}",
            data.SchemaJson);

        EvaluationDataset chosen = DatasetLoader.LoadJsonl(path, new JsonlOptions { ColumnNames = ["score", "id"] });
        Assert.Equal(["score", "id"], chosen.Columns);
        Assert.Equal(0.5, chosen[0, "score"]);
    }

    [Fact]
    public void JsonlReportsBadLines()
    {
        string invalid = WriteFile("bad.jsonl", "{\"a\": 1}\n{\"a\": \n");
        DatasetFormatException e = Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadJsonl(invalid));
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("invalid JSON", e.Message, StringComparison.Ordinal);

        string array = WriteFile("arr.jsonl", "[1, 2]\n");
        Assert.Contains("expected a JSON object", Assert.Throws<DatasetFormatException>(() => DatasetLoader.LoadJsonl(array)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConstructorValidatesRows()
    {
        Assert.Throws<ArgumentException>(() => new EvaluationDataset("x", ["a", "a"], []));
        Assert.Throws<ArgumentException>(() => new EvaluationDataset("x", ["a"], [[1, 2]]));
        Assert.Throws<ArgumentException>(() => new EvaluationDataset("x", ["a"], [[new object()]]));
        Assert.Throws<KeyNotFoundException>(() => new EvaluationDataset("x", ["a"], [[1]]).GetColumn("b"));
    }
}
