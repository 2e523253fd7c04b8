using System.CommandLine;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Ter;
using LlmTrack.Metrics.Text;
using PythonJson = LlmTrack.Cli.Common.PythonJson;

namespace LlmTrack.Cli.Score;

/// <summary><c>llmtrack score bleu|chrf|ter</c>: sacreBLEU's command line for one system.</summary>
internal static class SacreBleuCommands
{
    /// <summary>Builds <c>score bleu</c> with sacreBLEU's BLEU options.</summary>
    /// <param name="context">Standard input for a piped hypothesis.</param>
    /// <returns>The command.</returns>
    public static Command CreateBleu(CliContext context)
    {
        var common = new SacreBleuCommonOptions(context);
        var tokenize = new Option<string>("--tokenize", "-tok")
        {
            Description = "Tokenization: 13a (default), intl, zh, char or none.",
            DefaultValueFactory = _ => "13a",
        };
        tokenize.AcceptOnlyFromAmong("13a", "intl", "zh", "char", "none");
        var smoothMethod = new Option<string>("--smooth-method", "-s")
        {
            Description = "Smoothing: exp (default), floor, add-k or none.",
            DefaultValueFactory = _ => "exp",
        };
        smoothMethod.AcceptOnlyFromAmong("exp", "floor", "add-k", "none");
        var smoothValue = new Option<double?>("--smooth-value", "-sv")
        {
            Description = "The smoothing value of floor (default 0.1) and add-k (default 1).",
        };
        var lowercase = new Option<bool>("--lowercase", "-lc") { Description = "Case-insensitive BLEU." };

        var command = new Command("bleu", "Corpus BLEU exactly as sacreBLEU 2.6.0 computes and prints it.")
        {
            tokenize, smoothMethod, smoothValue, lowercase,
        };
        common.AddTo(command);
        common.SetAction(command, (parseResult, sentenceLevel) =>
        {
            var options = new BleuOptions
            {
                Tokenizer = BleuOptions.ParseTokenizer(parseResult.GetValue(tokenize)!),
                Smoothing = BleuOptions.ParseSmoothing(parseResult.GetValue(smoothMethod)!),
                SmoothValue = parseResult.GetValue(smoothValue),
                Lowercase = parseResult.GetValue(lowercase),

                // sacreBLEU's command line turns effective order on for --sentence-level.
                EffectiveOrder = sentenceLevel,
            };
            int width = parseResult.GetValue(common.Width);
            return files =>
            {
                var corpus = BleuScorer.Prepare(files.Hypotheses, files.References, options);
                return new ScoredCorpus(
                    corpus.CreateSampleScorer(),
                    files.Hypotheses.Length,
                    () => BleuLine(corpus.Corpus(), width),
                    i => BleuLine(corpus.SegmentScore(i), width));
            };
        });
        return command;
    }

    /// <summary>Builds <c>score chrf</c> with sacreBLEU's chrF options.</summary>
    /// <param name="context">Standard input for a piped hypothesis.</param>
    /// <returns>The command.</returns>
    public static Command CreateChrf(CliContext context)
    {
        var common = new SacreBleuCommonOptions(context);
        var charOrder = new Option<int>("--chrf-char-order", "-cc")
        {
            Description = "Character n-gram order, 1-6 (default 6).",
            DefaultValueFactory = _ => 6,
        };
        charOrder.Validators.Add(r => CheckRange(r, charOrder, 1, 6));
        var wordOrder = new Option<int>("--chrf-word-order", "-cw")
        {
            Description = "Word n-gram order, 0-3 (default 0; 2 is chrF++).",
            DefaultValueFactory = _ => 0,
        };
        wordOrder.Validators.Add(r => CheckRange(r, wordOrder, 0, 3));
        var beta = new Option<int>("--chrf-beta")
        {
            Description = "Importance of recall relative to precision (default 2).",
            DefaultValueFactory = _ => 2,
        };
        beta.Validators.Add(r => CheckRange(r, beta, 0, int.MaxValue));
        var whitespace = new Option<bool>("--chrf-whitespace") { Description = "Include whitespace in character n-grams." };
        var lowercase = new Option<bool>("--chrf-lowercase") { Description = "Case-insensitive chrF." };
        var eps = new Option<bool>("--chrf-eps-smoothing") { Description = "Epsilon smoothing (chrF++.py, NLTK, Moses) instead of effective order." };

        var command = new Command("chrf", "Corpus chrF / chrF++ exactly as sacreBLEU 2.6.0 computes and prints it.")
        {
            charOrder, wordOrder, beta, whitespace, lowercase, eps,
        };
        common.AddTo(command);
        common.SetAction(command, (parseResult, _) =>
        {
            var options = new ChrfOptions
            {
                CharOrder = parseResult.GetValue(charOrder),
                WordOrder = parseResult.GetValue(wordOrder),
                Beta = parseResult.GetValue(beta),
                Whitespace = parseResult.GetValue(whitespace),
                Lowercase = parseResult.GetValue(lowercase),
                EpsSmoothing = parseResult.GetValue(eps),
            };
            return files =>
            {
                var corpus = ChrfScorer.Prepare(files.Hypotheses, files.References, options);
                var all = Enumerable.Range(0, corpus.SegmentCount).ToArray();
                return new ScoredCorpus(
                    corpus.CreateSampleScorer(),
                    files.Hypotheses.Length,
                    () => ChrfLine(corpus, corpus.Corpus(), all),
                    i => ChrfLine(corpus, corpus.SegmentScore(i), [i]));
            };
        });
        return command;
    }

    /// <summary>Builds <c>score ter</c> with sacreBLEU's TER options.</summary>
    /// <param name="context">Standard input for a piped hypothesis.</param>
    /// <returns>The command.</returns>
    public static Command CreateTer(CliContext context)
    {
        var common = new SacreBleuCommonOptions(context);
        var caseSensitive = new Option<bool>("--ter-case-sensitive") { Description = "Case-sensitive TER." };
        var asian = new Option<bool>("--ter-asian-support") { Description = "Special treatment of Asian characters." };
        var noPunct = new Option<bool>("--ter-no-punct") { Description = "Remove punctuation." };
        var normalized = new Option<bool>("--ter-normalized") { Description = "Basic normalization and tokenization." };

        var command = new Command("ter", "Corpus TER exactly as sacreBLEU 2.6.0 computes and prints it.")
        {
            caseSensitive, asian, noPunct, normalized,
        };
        common.AddTo(command);
        common.SetAction(command, (parseResult, _) =>
        {
            var metric = new TerScorer(new TerOptions
            {
                CaseSensitive = parseResult.GetValue(caseSensitive),
                AsianSupport = parseResult.GetValue(asian),
                NoPunctuation = parseResult.GetValue(noPunct),
                Normalized = parseResult.GetValue(normalized),
            });
            return files =>
            {
                var statistics = metric.ComputeStatistics(files.Hypotheses, files.References);
                return new ScoredCorpus(
                    statistics.CreateSampleScorer(),
                    files.Hypotheses.Length,
                    () => TerLine(statistics.ToScore()),
                    i => TerLine(statistics.ScoreSample([i])));
            };
        });
        return command;
    }

    private static SacreBleuScoreLine BleuLine(BleuResult result, int width)
    {
        string fixedScore = PythonFormatting.FormatFixed(result.Score, width);
        string verbose = result.Format(width)[("BLEU = " + fixedScore + " ").Length..];
        var details = new PythonJsonObject
        {
            { "counts", result.Counts.Select(JsonNumber).ToArray() },
            { "totals", result.Totals.Select(JsonNumber).ToArray() },
            { "precisions", result.Precisions.ToArray() },
            { "bp", result.BrevityPenalty },
            { "ratio", result.Ratio },
            { "sys_len", result.SysLen },
            { "ref_len", result.RefLen },
        };
        return new SacreBleuScoreLine("BLEU", result.Score, result.Signature, verbose) { Details = details };
    }

    private static SacreBleuScoreLine ChrfLine(ChrfCorpus corpus, ChrfResult result, int[] segments)
    {
        long[]? sums = null;
        foreach (int i in segments)
        {
            IReadOnlyList<int> row = corpus.GetSegmentStatistics(i);
            sums ??= new long[row.Count];
            for (int k = 0; k < row.Count; k++)
            {
                sums[k] += row[k];
            }
        }

        var details = new PythonJsonObject
        {
            { "char_order", result.CharOrder },
            { "word_order", result.WordOrder },
            { "beta", result.Beta },
            { "statistics", sums ?? [] },
        };
        return new SacreBleuScoreLine(result.Name, result.Score, result.Signature, null) { Details = details };
    }

    private static SacreBleuScoreLine TerLine(TerScore score) =>
        new("TER", score.Score, score.Signature, null)
        {
            Details = new PythonJsonObject
            {
                { "num_edits", score.NumEdits },
                { "ref_length", score.RefLength },
            },
        };

    // An integral count as Python's int; add-k smoothing with a fractional k makes it a float.
    private static object JsonNumber(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 9e15 ? (object)(long)value : value;

    private static void CheckRange(System.CommandLine.Parsing.OptionResult result, Option<int> option, int min, int max)
    {
        int value = result.GetValueOrDefault<int>();
        if (value < min || value > max)
        {
            result.AddError(max == int.MaxValue
                ? $"{option.Name} must be at least {min}, got {value}."
                : $"{option.Name} must be between {min} and {max}, got {value}.");
        }
    }
}
