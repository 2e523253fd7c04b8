using System.CommandLine;
using System.Text.Json;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics.Perplexity;

namespace LlmTrack.Cli.Score;

/// <summary><c>llmtrack score perplexity</c>: token, word and byte perplexity from per-token log-probabilities.</summary>
internal static class PerplexityCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("file")
        {
            Description = "JSON Lines: {\"logprobs\": [natural-log probabilities of the tokens]}, optionally with \"text\" for word and byte perplexity.",
        };
        var format = OutputFormatOption.Create();
        var width = TextOutput.CreateWidthOption(4);
        var command = new Command("perplexity", "Perplexity as Hugging Face evaluate (per sequence, mean) and lm-evaluation-harness (word, byte, bits per byte).")
        {
            file, format, width,
        };
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
        {
            string path = parseResult.GetValue(file)!;
            var (logProbs, texts) = Read(path);
            var result = PerplexityMetrics.Evaluate(logProbs);
            var lmEval = texts is null ? null : PerplexityMetrics.EvaluateLmEval(texts, logProbs);
            if (OutputFormatOption.Get(parseResult, format) == OutputFormat.Json)
            {
                JsonOutput.Write(stdout, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumberOrNull("mean_perplexity", result.MeanPerplexity);
                    writer.WriteNumberOrNull("perplexity", result.CorpusPerplexity);
                    writer.WriteNumber("tokens", result.TotalTokens);
                    writer.WriteNumberOrNull("negative_log_likelihood", result.TotalNegativeLogLikelihood);
                    if (lmEval is not null)
                    {
                        writer.WriteNumberOrNull("word_perplexity", lmEval.WordPerplexity);
                        writer.WriteNumberOrNull("byte_perplexity", lmEval.BytePerplexity);
                        writer.WriteNumberOrNull("bits_per_byte", lmEval.BitsPerByte);
                        writer.WriteNumber("words", lmEval.Words);
                        writer.WriteNumber("bytes", lmEval.Bytes);
                    }

                    writer.WriteStartArray("perplexities");
                    foreach (double p in result.Perplexities)
                    {
                        if (double.IsFinite(p))
                        {
                            writer.WriteNumberValue(p);
                        }
                        else
                        {
                            writer.WriteNullValue();
                        }
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                });
            }
            else
            {
                int w = parseResult.GetValue(width);
                stdout.WriteLine($"mean_perplexity = {TextOutput.Fixed(result.MeanPerplexity, w)}");
                stdout.WriteLine($"perplexity = {TextOutput.Fixed(result.CorpusPerplexity, w)}");
                stdout.WriteLine($"tokens = {result.TotalTokens}");
                if (lmEval is not null)
                {
                    stdout.WriteLine($"word_perplexity = {TextOutput.Fixed(lmEval.WordPerplexity, w)}");
                    stdout.WriteLine($"byte_perplexity = {TextOutput.Fixed(lmEval.BytePerplexity, w)}");
                    stdout.WriteLine($"bits_per_byte = {TextOutput.Fixed(lmEval.BitsPerByte, w)}");
                }
            }

            return CliApp.Success;
        });
        return command;
    }

    private static (List<IReadOnlyList<double>> LogProbs, List<string>? Texts) Read(string path)
    {
        var lines = InputFiles.ReadJsonLines(path, "perplexity file");
        var logProbs = new List<IReadOnlyList<double>>(lines.Count);
        var texts = new List<string>(lines.Count);
        int withText = 0;
        try
        {
            foreach (var (lineNumber, document) in lines)
            {
                var root = document.RootElement;
                string where = $"{path}:{lineNumber}";
                if (!root.TryGetProperty("logprobs", out var array) || array.ValueKind != JsonValueKind.Array)
                {
                    throw new CliInputException($"{where}: \"logprobs\" must be an array of numbers.");
                }

                var values = new double[array.GetArrayLength()];
                if (values.Length == 0)
                {
                    throw new CliInputException($"{where}: \"logprobs\" is empty.");
                }

                int t = 0;
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double value) || !double.IsFinite(value))
                    {
                        throw new CliInputException($"{where}: logprobs[{t}] is not a finite number.");
                    }

                    if (value > 0)
                    {
                        throw new CliInputException($"{where}: logprobs[{t}] = {item.GetRawText()} is positive; log-probabilities are at most 0.");
                    }

                    values[t++] = value;
                }

                logProbs.Add(values);
                if (root.TryGetProperty("text", out var text))
                {
                    if (text.ValueKind != JsonValueKind.String)
                    {
                        throw new CliInputException($"{where}: \"text\" must be a string.");
                    }

                    texts.Add(text.GetString()!);
                    withText++;
                }
                else
                {
                    texts.Add(string.Empty);
                }
            }
        }
        finally
        {
            foreach (var (_, document) in lines)
            {
                document.Dispose();
            }
        }

        if (withText != 0 && withText != logProbs.Count)
        {
            throw new CliInputException($"{path}: {withText} of {logProbs.Count} lines have \"text\"; give it on every line (word/byte perplexity) or on none.");
        }

        return (logProbs, withText == 0 ? null : texts);
    }
}
