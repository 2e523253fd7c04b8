using System.CommandLine;
using System.Globalization;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Cli.Score;

/// <summary>Text output helpers of the non-sacreBLEU score commands.</summary>
internal static class TextOutput
{
    /// <summary>Creates <c>--width/-w</c>: decimals of the text output.</summary>
    /// <param name="defaultWidth">The default.</param>
    /// <returns>The option.</returns>
    public static Option<int> CreateWidthOption(int defaultWidth)
    {
        var option = new Option<int>("--width", "-w")
        {
            Description = $"Decimals in text output (default {defaultWidth.ToString(CultureInfo.InvariantCulture)}).",
            DefaultValueFactory = _ => defaultWidth,
        };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 20)
            {
                r.AddError($"--width must be between 0 and 20, got {r.GetValueOrDefault<int>()}.");
            }
        });
        return option;
    }

    /// <summary>A number with <paramref name="width"/> decimals (Python's rounding), <c>nan</c> for NaN.</summary>
    /// <param name="value">The value.</param>
    /// <param name="width">Decimals.</param>
    /// <returns>The text.</returns>
    public static string Fixed(double value, int width) => PythonFormatting.FormatFixed(value, width);
}
