using System.CommandLine;

namespace LlmTrack.Cli.Score;

/// <summary>The <c>--format</c> of a score command.</summary>
internal enum OutputFormat
{
    /// <summary>Human-readable lines (sacreBLEU's <c>--format text</c>).</summary>
    Text,

    /// <summary>JSON.</summary>
    Json,
}

/// <summary>The <c>--format</c> option.</summary>
internal static class OutputFormatOption
{
    /// <summary>Creates <c>--format/-f text|json</c> (default text).</summary>
    /// <returns>The option.</returns>
    public static Option<string> Create()
    {
        var option = new Option<string>("--format", "-f")
        {
            Description = "Output format: text or json.",
            DefaultValueFactory = _ => "text",
        };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    /// <summary>The format chosen on the command line.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <param name="option">The option from <see cref="Create"/>.</param>
    /// <returns>The format.</returns>
    public static OutputFormat Get(ParseResult parseResult, Option<string> option) =>
        parseResult.GetValue(option) == "json" ? OutputFormat.Json : OutputFormat.Text;
}
