using System.CommandLine;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Ter;
using LlmTrack.Metrics.Text;

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
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
        {
            var options = new BleuOptions
            {
                Tokenizer = BleuOptions.ParseTokenizer(parseResult.GetValue(tokenize)!),
                Smoothing = BleuOptions.ParseSmoothing(parseResult.GetValue(smoothMethod)!),
                SmoothValue = parseResult.GetValue(smoothValue),
                Lowercase = parseResult.GetValue(lowercase),
            };
            var files = common.ReadFiles(parseResult);
            var corpus = BleuScorer.Prepare(files.Hypotheses, files.References, options);
            var result = corpus.Corpus();
            int width = parseResult.GetValue(common.Width);
            string fixedScore = PythonFormatting.FormatFixed(result.Score, width);
            string verbose = result.Format(width)[("BLEU = " + fixedScore + " ").Length..];
            var line = new SacreBleuScoreLine("BLEU", result.Score, result.Signature, verbose);
            return common.Write(parseResult, stdout, line, files.Hypotheses.Length, corpus.CreateSampleScorer());
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
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
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
            var files = common.ReadFiles(parseResult);
            var corpus = ChrfScorer.Prepare(files.Hypotheses, files.References, options);
            var result = corpus.Corpus();
            var line = new SacreBleuScoreLine(result.Name, result.Score, result.Signature, null);
            return common.Write(parseResult, stdout, line, files.Hypotheses.Length, corpus.CreateSampleScorer());
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
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
        {
            var metric = new TerMetric(new TerOptions
            {
                CaseSensitive = parseResult.GetValue(caseSensitive),
                AsianSupport = parseResult.GetValue(asian),
                NoPunctuation = parseResult.GetValue(noPunct),
                Normalized = parseResult.GetValue(normalized),
            });
            var files = common.ReadFiles(parseResult);
            var statistics = metric.ComputeStatistics(files.Hypotheses, files.References);
            var score = statistics.ToScore();
            var line = new SacreBleuScoreLine("TER", score.Score, score.Signature, null);
            return common.Write(parseResult, stdout, line, files.Hypotheses.Length, statistics.CreateSampleScorer());
        });
        return command;
    }

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

    /// <summary>The input, reporting and confidence options every sacreBLEU metric shares.</summary>
    private sealed class SacreBleuCommonOptions(CliContext context)
    {
        public Option<string> Input { get; } = new("--input", "-i")
        {
            Description = "The hypothesis file, one segment per line (UTF-8); '-' or no -i reads standard input.",
            DefaultValueFactory = _ => "-",
        };

        public Argument<string[]> References { get; } = new("references")
        {
            Description = "Reference files, one segment per line; several files give several references per segment.",
            Arity = ArgumentArity.OneOrMore,
        };

        public Option<int> NumRefs { get; } = new("--num-refs", "-nr")
        {
            Description = "Read this many tab-separated references per line from a single reference file (default 1).",
            DefaultValueFactory = _ => 1,
        };

        public Option<int> Width { get; } = new("--width", "-w")
        {
            Description = "Decimals of the score (default 1, as sacreBLEU's command line).",
            DefaultValueFactory = _ => 1,
        };

        public Option<bool> ScoreOnly { get; } = new("--score-only", "-b") { Description = "Print only the score." };

        public Option<string> Format { get; } = OutputFormatOption.Create();

        public Option<bool> Confidence { get; } = new("--confidence", "-ci")
        {
            Description = "Report the bootstrap mean and 95% confidence half-width (μ = mean ± ci).",
        };

        public Option<int> ConfidenceN { get; } = new("--confidence-n", "-cin")
        {
            Description = "Bootstrap resamples for --confidence (default 2000).",
            DefaultValueFactory = _ => 2000,
        };

        public Option<long> Seed { get; } = new("--seed")
        {
            Description = "Seed of the bootstrap resampling (default 12345, sacreBLEU's).",
            DefaultValueFactory = _ => BootstrapOptions.DefaultSeed,
        };

        public void AddTo(Command command)
        {
            Width.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() is < 0 or > 20)
                {
                    r.AddError($"--width must be between 0 and 20, got {r.GetValueOrDefault<int>()}.");
                }
            });
            ConfidenceN.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 1)
                {
                    r.AddError($"--confidence-n must be at least 1, got {r.GetValueOrDefault<int>()}.");
                }
            });
            NumRefs.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 1)
                {
                    r.AddError($"--num-refs must be at least 1, got {r.GetValueOrDefault<int>()}.");
                }
            });
            References.Validators.Add(UnknownOptionCheck.Validate);
            command.Options.Add(Input);
            command.Arguments.Add(References);
            command.Options.Add(NumRefs);
            command.Options.Add(Width);
            command.Options.Add(ScoreOnly);
            command.Options.Add(Format);
            command.Options.Add(Confidence);
            command.Options.Add(ConfidenceN);
            command.Options.Add(Seed);
        }

        public SegmentFiles ReadFiles(ParseResult parseResult) =>
            SegmentFiles.Read(parseResult.GetValue(Input)!, parseResult.GetValue(References)!, parseResult.GetValue(NumRefs), stdin: context.Stdin);

        public int Write(ParseResult parseResult, TextWriter stdout, SacreBleuScoreLine line, int segmentCount, SampleScorer scorer)
        {
            if (parseResult.GetValue(Confidence))
            {
                var options = new BootstrapOptions { Resamples = parseResult.GetValue(ConfidenceN), Seed = parseResult.GetValue(Seed) };
                var interval = BootstrapResampling.ConfidenceInterval(segmentCount, scorer, options);
                line = line with
                {
                    Confidence = interval,
                    Signature = SacreBleuScoreLine.WithBootstrap(line.Signature, options.Resamples, options.Seed),
                };
            }

            int width = parseResult.GetValue(Width);
            string output = parseResult.GetValue(ScoreOnly)
                ? line.FormatScore(width)
                : OutputFormatOption.Get(parseResult, Format) == OutputFormat.Json ? line.FormatJson(width) : line.FormatText(width);
            stdout.WriteLine(output);
            return CliApp.Success;
        }
    }
}
