using System.Globalization;
using LlmTrack.Evaluation;

namespace LlmTrack.Samples;

/// <summary>A one-line console progress bar (redrawn with \r) for evaluations.</summary>
internal sealed class ConsoleProgressBar(string label) : IProgress<EvaluationProgress>
{
    private const int Width = 30;

    public void Report(EvaluationProgress value)
    {
        var total = value.Total ?? 0;
        var fraction = total > 0 ? Math.Min(1.0, (double)value.Completed / total) : 0;
        var filled = (int)Math.Round(fraction * Width);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"\r{label,-12} [{new string('#', filled)}{new string('-', Width - filled)}] {value.Completed}/{total} errors {value.Errors} {value.Elapsed.TotalSeconds:F1}s");
        Console.Write(line);
        if (total > 0 && value.Completed >= total)
        {
            Console.WriteLine();
        }
    }
}

/// <summary>Where the results went.</summary>
internal static class Destination
{
    public static string Describe()
    {
        var uri = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI");
        return string.IsNullOrWhiteSpace(uri)
            ? $"local MLflow store {Path.GetFullPath("mlflow.db")} (open it with: mlflow ui --backend-store-uri sqlite:///mlflow.db)"
            : uri;
    }
}
