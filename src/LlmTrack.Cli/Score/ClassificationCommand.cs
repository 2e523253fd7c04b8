using System.CommandLine;
using System.Globalization;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics.Classification;

namespace LlmTrack.Cli.Score;

/// <summary><c>llmtrack score classification</c>: scikit-learn's accuracy, balanced accuracy, precision, recall, F1/F-beta, MCC, kappa and confusion matrix.</summary>
internal static class ClassificationCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var truth = new Option<string>("--true") { Description = "True labels, one per line.", Required = true };
        var predicted = new Option<string>("--pred") { Description = "Predicted labels, one per line.", Required = true };
        var average = new Option<string>("--average")
        {
            Description = "Averaging of precision, recall and F-scores: binary (default, as scikit-learn), micro, macro, weighted, or none for per-class results.",
            DefaultValueFactory = _ => "binary",
        };
        average.AcceptOnlyFromAmong("binary", "micro", "macro", "weighted", "none");
        var positive = new Option<string>("--pos-label")
        {
            Description = "The positive class of --average binary (default 1).",
            DefaultValueFactory = _ => "1",
        };
        var zeroDivision = new Option<string>("--zero-division")
        {
            Description = "Value of precision, recall and F-scores with a zero denominator: warn (default: 0 and a warning), 0, 1 or nan.",
            DefaultValueFactory = _ => "warn",
        };
        zeroDivision.AcceptOnlyFromAmong("warn", "0", "1", "nan");
        var beta = new Option<double?>("--beta")
        {
            Description = "Also report the F-beta score with this beta (scikit-learn's fbeta_score; at least 0).",
        };
        beta.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is double b && (double.IsNaN(b) || b < 0))
            {
                r.AddError($"--beta must be at least 0, got {b.ToString(CultureInfo.InvariantCulture)}.");
            }
        });
        var labels = new Option<string[]>("--labels")
        {
            Description = "The labels to score and their order (scikit-learn's labels): precision, recall and F-scores (not binary), per-class results, the confusion matrix and kappa.",
            AllowMultipleArgumentsPerToken = true,
        };
        labels.Validators.Add(r =>
        {
            string[] values = r.GetValueOrDefault<string[]>() ?? [];
            string? duplicate = values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (duplicate is not null)
            {
                r.AddError($"--labels lists '{duplicate}' twice.");
            }
        });
        var format = OutputFormatOption.Create();
        var width = TextOutput.CreateWidthOption(4);
        var command = new Command("classification", "Accuracy, balanced accuracy, precision, recall, F1/F-beta (averaged or per class), Matthews correlation, Cohen's kappa (unweighted, linear, quadratic) and the confusion matrix (scikit-learn).")
        {
            truth, predicted, average, positive, zeroDivision, beta, labels, format, width,
        };
        command.Validators.Add(result =>
        {
            // Read the token, not the value: an unknown --average value is reported by its own validator.
            var averageTokens = result.GetResult(average)?.Tokens;
            string chosen = averageTokens is { Count: > 0 } ? averageTokens[^1].Value : "binary";
            if (result.GetResult(positive) is { Implicit: false } && chosen != "binary")
            {
                result.AddError($"--pos-label applies only to --average binary (got --average {chosen}); scikit-learn ignores it there. Use --labels to choose classes.");
            }
        });
        CommandRunner.SetAction(command, (parseResult, stdout, stderr) =>
        {
            string truePath = parseResult.GetValue(truth)!;
            string predPath = parseResult.GetValue(predicted)!;
            string[] yTrue = ReadLabels(truePath, "true-label file");
            string[] yPred = ReadLabels(predPath, "predicted-label file");
            if (yTrue.Length != yPred.Length)
            {
                throw new CliInputException($"true-label file '{truePath}' has {yTrue.Length} lines but predicted-label file '{predPath}' has {yPred.Length}.");
            }

            string averageName = parseResult.GetValue(average)!;
            bool perClass = averageName == "none";
            AverageKind mode = averageName switch
            {
                "micro" => AverageKind.Micro,
                "macro" => AverageKind.Macro,
                "weighted" => AverageKind.Weighted,
                _ => AverageKind.Binary,
            };
            string posLabel = parseResult.GetValue(positive)!;
            string[]? labelList = parseResult.GetValue(labels) is { Length: > 0 } given ? given : null;
            ZeroDivision zero = parseResult.GetValue(zeroDivision) switch
            {
                "0" => ZeroDivision.Zero,
                "1" => ZeroDivision.One,
                "nan" => ZeroDivision.NaN,
                _ => ZeroDivision.Warn,
            };
            double? betaValue = parseResult.GetValue(beta);
            bool binary = mode == AverageKind.Binary && !perClass;
            var options = binary
                ? new ClassificationOptions<string> { PositiveLabel = posLabel, ZeroDivision = zero, Labels = labelList }
                : new ClassificationOptions<string> { ZeroDivision = zero, Labels = labelList };
            if (binary && !yTrue.Contains(posLabel, StringComparer.Ordinal) && !yPred.Contains(posLabel, StringComparer.Ordinal))
            {
                var present = yTrue.Concat(yPred).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
                throw new CliInputException($"--pos-label '{posLabel}' is not a label of the data (labels: {string.Join(", ", present)}); pass --pos-label or another --average.");
            }

            double accuracy = ClassificationMetrics.Accuracy<string>(yTrue, yPred);
            var balanced = ClassificationMetrics.BalancedAccuracy<string>(yTrue, yPred);
            double mcc = ClassificationMetrics.MatthewsCorrelation<string>(yTrue, yPred);
            double kappa = ClassificationMetrics.CohenKappa<string>(yTrue, yPred, KappaWeighting.None, labelList);
            double kappaLinear = ClassificationMetrics.CohenKappa<string>(yTrue, yPred, KappaWeighting.Linear, labelList);
            double kappaQuadratic = ClassificationMetrics.CohenKappa<string>(yTrue, yPred, KappaWeighting.Quadratic, labelList);
            var matrix = ClassificationMetrics.ConfusionMatrix<string>(yTrue, yPred, labelList);

            var scores = new List<(string Name, IReadOnlyList<double> Values)>();
            var warnings = new List<string>(balanced.Warnings);
            IReadOnlyList<string>? classes = null;
            IReadOnlyList<long>? support = null;
            if (perClass)
            {
                var precision = ClassificationMetrics.PrecisionPerClass<string>(yTrue, yPred, options);
                var recall = ClassificationMetrics.RecallPerClass<string>(yTrue, yPred, options);
                var f1 = ClassificationMetrics.F1ScorePerClass<string>(yTrue, yPred, options);
                scores.Add(("precision", precision.Values));
                scores.Add(("recall", recall.Values));
                scores.Add(("f1", f1.Values));
                warnings.AddRange(precision.Warnings.Concat(recall.Warnings).Concat(f1.Warnings));
                if (betaValue is double b)
                {
                    var fbeta = ClassificationMetrics.FBetaScorePerClass<string>(yTrue, yPred, b, options);
                    scores.Add(("fbeta", fbeta.Values));
                    warnings.AddRange(fbeta.Warnings);
                }

                classes = precision.Labels;
                support = ClassificationMetrics.Report<string>(yTrue, yPred, 1.0, new ClassificationOptions<string> { ZeroDivision = ZeroDivision.Zero, Labels = labelList }).Support;
            }
            else
            {
                var precision = ClassificationMetrics.Precision<string>(yTrue, yPred, mode, options);
                var recall = ClassificationMetrics.Recall<string>(yTrue, yPred, mode, options);
                var f1 = ClassificationMetrics.F1Score<string>(yTrue, yPred, mode, options);
                scores.Add(("precision", [precision.Value]));
                scores.Add(("recall", [recall.Value]));
                scores.Add(("f1", [f1.Value]));
                warnings.AddRange(precision.Warnings.Concat(recall.Warnings).Concat(f1.Warnings));
                if (betaValue is double b)
                {
                    var fbeta = ClassificationMetrics.FBetaScore<string>(yTrue, yPred, b, mode, options);
                    scores.Add(("fbeta", [fbeta.Value]));
                    warnings.AddRange(fbeta.Warnings);
                }
            }

            foreach (string warning in warnings.Distinct(StringComparer.Ordinal))
            {
                stderr.WriteLine($"llmtrack: warning: {warning}");
            }

            if (OutputFormatOption.Get(parseResult, format) == OutputFormat.Json)
            {
                JsonOutput.Write(stdout, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumberOrNull("accuracy", accuracy);
                    foreach (var (name, values) in scores)
                    {
                        if (perClass)
                        {
                            writer.WriteStartArray(name);
                            foreach (double value in values)
                            {
                                WriteNumberOrNullValue(writer, value);
                            }

                            writer.WriteEndArray();
                        }
                        else
                        {
                            writer.WriteNumberOrNull(name, values[0]);
                        }
                    }

                    writer.WriteNumberOrNull("mcc", mcc);
                    writer.WriteNumberOrNull("kappa", kappa);
                    writer.WriteNumberOrNull("kappa_linear", kappaLinear);
                    writer.WriteNumberOrNull("kappa_quadratic", kappaQuadratic);
                    writer.WriteNumberOrNull("balanced_accuracy", balanced.Value);
                    writer.WriteString("average", averageName);
                    if (binary)
                    {
                        writer.WriteString("pos_label", posLabel);
                    }

                    if (betaValue is double bv)
                    {
                        writer.WriteNumber("beta", bv);
                    }

                    writer.WriteString("zero_division", parseResult.GetValue(zeroDivision));
                    writer.WriteNumber("support", yTrue.Length);
                    if (perClass)
                    {
                        writer.WriteStartArray("classes");
                        foreach (string label in classes!)
                        {
                            writer.WriteStringValue(label);
                        }

                        writer.WriteEndArray();
                        writer.WriteStartArray("support_per_class");
                        foreach (long count in support!)
                        {
                            writer.WriteNumberValue(count);
                        }

                        writer.WriteEndArray();
                    }

                    writer.WriteStartArray("labels");
                    foreach (string label in matrix.Labels)
                    {
                        writer.WriteStringValue(label);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("confusion_matrix");
                    for (int i = 0; i < matrix.Size; i++)
                    {
                        writer.WriteStartArray();
                        for (int j = 0; j < matrix.Size; j++)
                        {
                            writer.WriteNumberValue(matrix[i, j]);
                        }

                        writer.WriteEndArray();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                });
            }
            else
            {
                int w = parseResult.GetValue(width);
                stdout.WriteLine($"accuracy = {TextOutput.Fixed(accuracy, w)}");
                if (!perClass)
                {
                    foreach (var (name, values) in scores)
                    {
                        stdout.WriteLine($"{name} = {TextOutput.Fixed(values[0], w)}");
                    }
                }

                stdout.WriteLine($"mcc = {TextOutput.Fixed(mcc, w)}");
                stdout.WriteLine($"kappa = {TextOutput.Fixed(kappa, w)}");
                stdout.WriteLine($"kappa_linear = {TextOutput.Fixed(kappaLinear, w)}");
                stdout.WriteLine($"kappa_quadratic = {TextOutput.Fixed(kappaQuadratic, w)}");
                stdout.WriteLine($"balanced_accuracy = {TextOutput.Fixed(balanced.Value, w)}");
                string betaText = betaValue is double bt ? $", beta = {bt.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
                stdout.WriteLine($"average = {averageName}" + (binary ? $" (pos_label = {posLabel}{betaText})" : betaText.Length > 0 ? $" ({betaText[2..]})" : string.Empty));
                if (perClass)
                {
                    WritePerClass(stdout, classes!, scores, support!, w);
                }

                WriteMatrix(stdout, matrix);
            }

            return CliApp.Success;
        });
        return command;
    }

    private static void WriteNumberOrNullValue(System.Text.Json.Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WritePerClass(TextWriter stdout, IReadOnlyList<string> classes, List<(string Name, IReadOnlyList<double> Values)> scores, IReadOnlyList<long> support, int width)
    {
        int labelWidth = Math.Max(5, classes.Max(l => l.Length));
        var header = new System.Text.StringBuilder("class".PadRight(labelWidth));
        var cells = new string[classes.Count, scores.Count + 1];
        int[] widths = new int[scores.Count + 1];
        for (int k = 0; k < scores.Count; k++)
        {
            widths[k] = scores[k].Name.Length;
            for (int i = 0; i < classes.Count; i++)
            {
                cells[i, k] = TextOutput.Fixed(scores[k].Values[i], width);
                widths[k] = Math.Max(widths[k], cells[i, k].Length);
            }
        }

        widths[scores.Count] = "support".Length;
        for (int i = 0; i < classes.Count; i++)
        {
            cells[i, scores.Count] = support[i].ToString(CultureInfo.InvariantCulture);
            widths[scores.Count] = Math.Max(widths[scores.Count], cells[i, scores.Count].Length);
        }

        for (int k = 0; k <= scores.Count; k++)
        {
            header.Append(' ').Append((k < scores.Count ? scores[k].Name : "support").PadLeft(widths[k]));
        }

        stdout.WriteLine(header.ToString());
        for (int i = 0; i < classes.Count; i++)
        {
            var row = new System.Text.StringBuilder(classes[i].PadRight(labelWidth));
            for (int k = 0; k <= scores.Count; k++)
            {
                row.Append(' ').Append(cells[i, k].PadLeft(widths[k]));
            }

            stdout.WriteLine(row.ToString());
        }
    }

    private static string[] ReadLabels(string path, string role)
    {
        string[] labels = InputFiles.ReadSegments(path, role);
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = labels[i].Trim();
            if (labels[i].Length == 0)
            {
                throw new CliInputException($"{path}:{i + 1}: empty label.");
            }
        }

        return labels;
    }

    private static void WriteMatrix(TextWriter stdout, ConfusionMatrix<string> matrix)
    {
        stdout.WriteLine("confusion matrix (rows: true, columns: predicted):");
        int labelWidth = matrix.Labels.Max(l => l.Length);
        int cellWidth = Math.Max(labelWidth, 1);
        for (int i = 0; i < matrix.Size; i++)
        {
            for (int j = 0; j < matrix.Size; j++)
            {
                cellWidth = Math.Max(cellWidth, matrix[i, j].ToString(CultureInfo.InvariantCulture).Length);
            }
        }

        var header = new System.Text.StringBuilder(new string(' ', labelWidth));
        foreach (string label in matrix.Labels)
        {
            header.Append(' ').Append(label.PadLeft(cellWidth));
        }

        stdout.WriteLine(header.ToString());
        for (int i = 0; i < matrix.Size; i++)
        {
            var row = new System.Text.StringBuilder(matrix.Labels[i].PadRight(labelWidth));
            for (int j = 0; j < matrix.Size; j++)
            {
                row.Append(' ').Append(matrix[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth));
            }

            stdout.WriteLine(row.ToString());
        }
    }
}
