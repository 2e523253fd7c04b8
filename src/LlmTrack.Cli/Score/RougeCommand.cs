using System.CommandLine;
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
        var input = new Option<string>("--input", "-i") { Description = "The prediction file, one text per line (UTF-8).", Required = true };
        var references = new Argument<string[]>("references")
        {
            Description = "Reference files, one text per line; with several files each prediction takes its best-scoring reference per type.",
            Arity = ArgumentArity.OneOrMore,
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
            input, references, types, stemmer, format, width,
        };
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
        {
            var rougeTypes = SplitTypes(parseResult.GetValue(types)!).Select(RougeType.Parse).Distinct().ToList();
            if (rougeTypes.Count == 0)
            {
                throw new CliInputException("--rouge-types names no ROUGE type.");
            }

            var files = SegmentFiles.Read(parseResult.GetValue(input)!, parseResult.GetValue(references)!);
            var perSegment = new IReadOnlyList<string>[files.Hypotheses.Length];
            for (int i = 0; i < perSegment.Length; i++)
            {
                var refs = new string[files.References.Length];
                for (int k = 0; k < refs.Length; k++)
                {
                    refs[k] = files.References[k][i];
                }

                perSegment[i] = refs;
            }

            var scorer = new RougeScorer(rougeTypes, parseResult.GetValue(stemmer));
            var result = scorer.ScoreCorpus(files.Hypotheses, perSegment);
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

    private static string[] SplitTypes(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
