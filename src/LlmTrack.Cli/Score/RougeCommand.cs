using System.CommandLine;
using System.Text.Json;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Cli.Score;

/// <summary><c>llmtrack score rouge</c>: mean ROUGE precision, recall and F-measure (rouge-score 0.1.2).</summary>
internal static class RougeCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "The prediction file, one text per line (UTF-8)." };
        var references = new Argument<string[]>("references")
        {
            Description = "Reference files, one text per line; with several files each prediction takes its best-scoring reference per type.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var jsonl = new Option<string>("--jsonl")
        {
            Description = "Read predictions and references from a JSON Lines file instead: {\"prediction\": …, \"references\": [...]} " +
                "(or \"reference\": …) per line; texts may contain newlines, which separate the sentences of rougeLsum.",
        };
        var types = new Option<string>("--rouge-types")
        {
            Description = "Comma-separated ROUGE types: rouge1, rouge2, …, rougeL, rougeLsum (default all four).",
            DefaultValueFactory = _ => "rouge1,rouge2,rougeL,rougeLsum",
        };
        types.Validators.Add(r =>
        {
            foreach (string name in SplitTypes(r.GetValueOrDefault<string>() ?? string.Empty))
            {
                if (!RougeType.TryParse(name, out _))
                {
                    r.AddError($"unknown ROUGE type '{name}' in --rouge-types (expected rouge1, rouge2, …, rougeL or rougeLsum).");
                }
            }
        });
        references.Validators.Add(UnknownOptionCheck.Validate);
        var stemmer = new Option<bool>("--use-stemmer") { Description = "Porter-stem tokens longer than 3 characters (rouge-score's use_stemmer)." };
        var format = OutputFormatOption.Create();
        var width = TextOutput.CreateWidthOption(4);

        var command = new Command("rouge", "Mean ROUGE-N/L/Lsum precision, recall and F-measure, equal to Google's rouge-score.")
        {
            input, references, jsonl, types, stemmer, format, width,
        };
        command.Validators.Add(result =>
        {
            bool hasJsonl = result.GetResult(jsonl) is { Implicit: false };
            bool hasInput = result.GetResult(input) is { Implicit: false };
            bool hasReferences = result.GetResult(references) is { Tokens.Count: > 0 };
            if (hasJsonl && (hasInput || hasReferences))
            {
                result.AddError("--jsonl holds the predictions and the references; give either --jsonl FILE or -i PRED REF [REF2 …], not both.");
            }
            else if (!hasJsonl && !hasInput)
            {
                result.AddError("give the predictions with -i PRED REF [REF2 …] or --jsonl FILE.");
            }
            else if (hasInput && !hasReferences)
            {
                result.AddError("at least one reference file is required: llmtrack score rouge -i PRED REF [REF2 …].");
            }
        });
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
        {
            var rougeTypes = SplitTypes(parseResult.GetValue(types)!).Select(RougeType.Parse).Distinct().ToList();
            if (rougeTypes.Count == 0)
            {
                throw new CliInputException("--rouge-types names no ROUGE type.");
            }

            string[] predictions;
            IReadOnlyList<string>[] perSegment;
            if (parseResult.GetValue(jsonl) is string jsonlPath)
            {
                (predictions, perSegment) = ReadJsonl(jsonlPath);
            }
            else
            {
                var files = SegmentFiles.Read(parseResult.GetValue(input)!, parseResult.GetValue(references)!);
                predictions = files.Hypotheses;
                perSegment = new IReadOnlyList<string>[files.Hypotheses.Length];
                for (int i = 0; i < perSegment.Length; i++)
                {
                    var refs = new string[files.References.Length];
                    for (int k = 0; k < refs.Length; k++)
                    {
                        refs[k] = files.References[k][i];
                    }

                    perSegment[i] = refs;
                }
            }

            var scorer = new RougeScorer(rougeTypes, parseResult.GetValue(stemmer));
            var result = scorer.CorpusScore(predictions, perSegment);
            if (OutputFormatOption.Get(parseResult, format) == OutputFormat.Json)
            {
                JsonOutput.Write(stdout, writer =>
                {
                    writer.WriteStartObject();
                    foreach (var type in result.RougeTypes)
                    {
                        var mean = result.Mean(type);
                        writer.WriteStartObject(type.Name);
                        writer.WriteNumberOrNull("precision", mean.Precision);
                        writer.WriteNumberOrNull("recall", mean.Recall);
                        writer.WriteNumberOrNull("fmeasure", mean.FMeasure);
                        writer.WriteEndObject();
                    }

                    writer.WriteNumber("segments", result.SegmentCount);
                    writer.WriteEndObject();
                });
            }
            else
            {
                int w = parseResult.GetValue(width);
                foreach (var type in result.RougeTypes)
                {
                    var mean = result.Mean(type);
                    stdout.WriteLine($"{type.Name}: P = {TextOutput.Fixed(mean.Precision, w)} R = {TextOutput.Fixed(mean.Recall, w)} F = {TextOutput.Fixed(mean.FMeasure, w)}");
                }
            }

            return CliApp.Success;
        });
        return command;
    }

    // One JSON object per line: "prediction" (a string) and "references" (strings) or "reference" (a string).
    private static (string[] Predictions, IReadOnlyList<string>[] References) ReadJsonl(string path)
    {
        var lines = InputFiles.ReadJsonLines(path, "ROUGE file");
        var predictions = new string[lines.Count];
        var references = new IReadOnlyList<string>[lines.Count];
        try
        {
            for (int i = 0; i < lines.Count; i++)
            {
                var (lineNumber, document) = lines[i];
                string where = $"{path}:{lineNumber}";
                JsonElement root = document.RootElement;
                if (!root.TryGetProperty("prediction", out var prediction) || prediction.ValueKind != JsonValueKind.String)
                {
                    throw new CliInputException($"{where}: \"prediction\" must be a string.");
                }

                predictions[i] = prediction.GetString()!;
                bool hasList = root.TryGetProperty("references", out var list);
                bool hasOne = root.TryGetProperty("reference", out var one);
                if (hasList == hasOne)
                {
                    throw new CliInputException($"{where}: give either \"references\" (an array of strings) or \"reference\" (a string).");
                }

                if (hasOne)
                {
                    references[i] = one.ValueKind == JsonValueKind.String
                        ? [one.GetString()!]
                        : throw new CliInputException($"{where}: \"reference\" must be a string, found {InputFiles.Describe(one.ValueKind)}.");
                    continue;
                }

                if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
                {
                    throw new CliInputException($"{where}: \"references\" must be a non-empty array of strings.");
                }

                var refs = new List<string>();
                foreach (var item in list.EnumerateArray())
                {
                    refs.Add(item.ValueKind == JsonValueKind.String
                        ? item.GetString()!
                        : throw new CliInputException($"{where}: every reference must be a string, found {InputFiles.Describe(item.ValueKind)}."));
                }

                references[i] = refs;
            }
        }
        finally
        {
            foreach (var (_, document) in lines)
            {
                document.Dispose();
            }
        }

        return (predictions, references);
    }

    private static string[] SplitTypes(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
