using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics.QuestionAnswering;

namespace LlmTrack.Cli.Score;

/// <summary><c>llmtrack score squad</c>: exact match and F1 as the official SQuAD v1.1 / v2.0 scripts compute them.</summary>
internal static class SquadCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("file")
        {
            Description = "JSON Lines: {\"prediction\": \"…\", \"answers\": [\"…\"]} or {\"id\": …, \"prediction\": …, \"answers\": [{\"text\": …}]}; " +
                "optional \"no_answer_probability\" (v2.0).",
        };
        var version = new Option<string>("--version")
        {
            Description = "The official script to follow: 1.1 (default) or 2.0 (empty answers = unanswerable, \"\" = no answer).",
            DefaultValueFactory = _ => "1.1",
        };
        version.AcceptOnlyFromAmong("1.1", "2.0");
        var threshold = new Option<double>("--na-prob-thresh")
        {
            Description = "v2.0: predict no answer when no_answer_probability exceeds this (default 1.0).",
            DefaultValueFactory = _ => 1.0,
        };
        var format = OutputFormatOption.Create();
        var width = TextOutput.CreateWidthOption(2);

        var command = new Command("squad", "SQuAD exact match and F1 (official v1.1 and v2.0 evaluation scripts).")
        {
            file, version, threshold, format, width,
        };
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
        {
            string path = parseResult.GetValue(file)!;
            bool v2 = parseResult.GetValue(version) == "2.0";
            var examples = ReadExamples(path, v2, out bool hasProbabilities);
            PythonJsonObject json;
            int indent;
            if (v2)
            {
                var result = SquadMetrics.EvaluateV2(examples, parseResult.GetValue(threshold));
                json = new PythonJsonObject { { "exact", result.Exact }, { "f1", result.F1 }, { "total", result.Total } };
                if (result.HasAnswer is { } has)
                {
                    json.Add("HasAns_exact", has.Exact);
                    json.Add("HasAns_f1", has.F1);
                    json.Add("HasAns_total", has.Total);
                }

                if (result.NoAnswer is { } no)
                {
                    json.Add("NoAns_exact", no.Exact);
                    json.Add("NoAns_f1", no.F1);
                    json.Add("NoAns_total", no.Total);
                }

                if (hasProbabilities)
                {
                    json.Add("best_exact", result.BestThresholds.BestExact);
                    json.Add("best_exact_thresh", result.BestThresholds.BestExactThreshold);
                    json.Add("best_f1", result.BestThresholds.BestF1);
                    json.Add("best_f1_thresh", result.BestThresholds.BestF1Threshold);
                }

                indent = 2;
            }
            else
            {
                var result = SquadMetrics.EvaluateV1(examples);
                json = new PythonJsonObject { { "exact_match", result.ExactMatch }, { "f1", result.F1 } };
                indent = 0;
            }

            if (OutputFormatOption.Get(parseResult, format) == OutputFormat.Json)
            {
                // v1.1 prints json.dumps(result); v2.0 prints json.dumps(out_eval, indent=2).
                stdout.WriteLine(PythonJson.Dumps(json, indent == 0 ? null : indent));
            }
            else
            {
                int w = parseResult.GetValue(width);
                foreach (var (key, value) in json)
                {
                    string text = value is double d ? TextOutput.Fixed(d, w) : Convert.ToString(value, CultureInfo.InvariantCulture)!;
                    stdout.WriteLine($"{key} = {text}");
                }
            }

            return CliApp.Success;
        });
        return command;
    }

    private static List<SquadExample> ReadExamples(string path, bool v2, out bool hasProbabilities)
    {
        var lines = InputFiles.ReadJsonLines(path, "SQuAD file");
        var examples = new List<SquadExample>(lines.Count);
        hasProbabilities = false;
        try
        {
            foreach (var (lineNumber, document) in lines)
            {
                var root = document.RootElement;
                string where = $"{path}:{lineNumber}";
                if (!root.TryGetProperty("prediction", out var prediction) || prediction.ValueKind != JsonValueKind.String)
                {
                    throw new CliInputException($"{where}: \"prediction\" must be a string.");
                }

                if (!root.TryGetProperty("answers", out var answers) || answers.ValueKind != JsonValueKind.Array)
                {
                    throw new CliInputException($"{where}: \"answers\" must be an array of strings or of {{\"text\": …}} objects.");
                }

                var gold = new List<string>();
                foreach (var answer in answers.EnumerateArray())
                {
                    if (answer.ValueKind == JsonValueKind.String)
                    {
                        gold.Add(answer.GetString()!);
                    }
                    else if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        gold.Add(text.GetString()!);
                    }
                    else
                    {
                        throw new CliInputException($"{where}: each answer must be a string or an object with a string \"text\", found {InputFiles.Describe(answer.ValueKind)}.");
                    }
                }

                if (gold.Count == 0 && !v2)
                {
                    throw new CliInputException($"{where}: no answers; SQuAD v1.1 needs at least one (use --version 2.0 for unanswerable questions).");
                }

                double noAnswerProbability = 0;
                if (root.TryGetProperty("no_answer_probability", out var probability))
                {
                    if (probability.ValueKind != JsonValueKind.Number || !probability.TryGetDouble(out noAnswerProbability))
                    {
                        throw new CliInputException($"{where}: \"no_answer_probability\" must be a number.");
                    }

                    hasProbabilities = true;
                }

                examples.Add(new SquadExample(prediction.GetString()!, gold, noAnswerProbability));
            }
        }
        finally
        {
            foreach (var (_, document) in lines)
            {
                document.Dispose();
            }
        }

        return examples;
    }
}
