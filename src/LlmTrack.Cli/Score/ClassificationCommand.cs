using System.CommandLine;
using System.Globalization;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics.Classification;

namespace LlmTrack.Cli.Score;

/// <summary><c>llmtrack score classification</c>: scikit-learn's accuracy, precision, recall, F1, MCC, kappa and confusion matrix.</summary>
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
            Description = "Averaging of precision, recall and F1: binary (default, as scikit-learn), micro, macro or weighted.",
            DefaultValueFactory = _ => "binary",
        };
        average.AcceptOnlyFromAmong("binary", "micro", "macro", "weighted");
        var positive = new Option<string>("--pos-label")
        {
            Description = "The positive class of --average binary (default 1).",
            DefaultValueFactory = _ => "1",
        };
        var format = OutputFormatOption.Create();
        var width = TextOutput.CreateWidthOption(4);
        var command = new Command("classification", "Accuracy, precision, recall, F1, Matthews correlation, Cohen's kappa and the confusion matrix (scikit-learn).")
        {
            truth, predicted, average, positive, format, width,
        };
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
            Average mode = averageName switch
            {
                "micro" => Average.Micro,
                "macro" => Average.Macro,
                "weighted" => Average.Weighted,
                _ => Average.Binary,
            };
            string posLabel = parseResult.GetValue(positive)!;
            var options = mode == Average.Binary ? new ClassificationOptions<string> { PositiveLabel = posLabel } : new ClassificationOptions<string>();
            if (mode == Average.Binary && !yTrue.Contains(posLabel, StringComparer.Ordinal) && !yPred.Contains(posLabel, StringComparer.Ordinal))
            {
                var present = yTrue.Concat(yPred).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
                throw new CliInputException($"--pos-label '{posLabel}' is not a label of the data (labels: {string.Join(", ", present)}); pass --pos-label or another --average.");
            }

            double accuracy = ClassificationMetrics.Accuracy<string>(yTrue, yPred);
            var precision = ClassificationMetrics.Precision<string>(yTrue, yPred, mode, options);
            var recall = ClassificationMetrics.Recall<string>(yTrue, yPred, mode, options);
            var f1 = ClassificationMetrics.F1Score<string>(yTrue, yPred, mode, options);
            double mcc = ClassificationMetrics.MatthewsCorrelation<string>(yTrue, yPred);
            double kappa = ClassificationMetrics.CohenKappa<string>(yTrue, yPred);
            var matrix = ClassificationMetrics.ConfusionMatrix<string>(yTrue, yPred);

            foreach (string warning in precision.Warnings.Concat(recall.Warnings).Concat(f1.Warnings).Distinct(StringComparer.Ordinal))
            {
                stderr.WriteLine($"llmtrack: warning: {warning}");
            }

            if (OutputFormatOption.Get(parseResult, format) == OutputFormat.Json)
            {
                JsonOutput.Write(stdout, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumberOrNull("accuracy", accuracy);
                    writer.WriteNumberOrNull("precision", precision.Value);
                    writer.WriteNumberOrNull("recall", recall.Value);
                    writer.WriteNumberOrNull("f1", f1.Value);
                    writer.WriteNumberOrNull("mcc", mcc);
                    writer.WriteNumberOrNull("kappa", kappa);
                    writer.WriteString("average", averageName);
                    if (mode == Average.Binary)
                    {
                        writer.WriteString("pos_label", posLabel);
                    }

                    writer.WriteNumber("support", yTrue.Length);
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
                stdout.WriteLine($"precision = {TextOutput.Fixed(precision.Value, w)}");
                stdout.WriteLine($"recall = {TextOutput.Fixed(recall.Value, w)}");
                stdout.WriteLine($"f1 = {TextOutput.Fixed(f1.Value, w)}");
                stdout.WriteLine($"mcc = {TextOutput.Fixed(mcc, w)}");
                stdout.WriteLine($"kappa = {TextOutput.Fixed(kappa, w)}");
                stdout.WriteLine($"average = {averageName}" + (mode == Average.Binary ? $" (pos_label = {posLabel})" : string.Empty));
                WriteMatrix(stdout, matrix);
            }

            return CliApp.Success;
        });
        return command;
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
