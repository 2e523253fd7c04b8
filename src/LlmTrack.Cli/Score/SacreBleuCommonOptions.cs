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

/// <summary>A scored corpus: its resampling scorer and its corpus and per-segment lines.</summary>
/// <param name="Scorer">Scores a resample of segment indices.</param>
/// <param name="SegmentCount">The number of segments.</param>
/// <param name="CorpusLine">The corpus score line.</param>
/// <param name="SegmentLine">The score line of one segment (0-based).</param>
internal sealed record ScoredCorpus(SampleScorer Scorer, int SegmentCount, Func<SacreBleuScoreLine> CorpusLine, Func<int, SacreBleuScoreLine> SegmentLine);

/// <summary>The input, reporting and confidence options every sacreBLEU metric shares.</summary>
internal sealed class SacreBleuCommonOptions(CliContext context)
{
    public Option<string[]> Input { get; } = new("--input", "-i")
    {
        Description = "The hypothesis file, one segment per line (UTF-8); '-' or no -i reads standard input. " +
            "With --paired-bs, several system files: the first is the baseline (give the reference files before -i).",
        AllowMultipleArgumentsPerToken = true,
    };

    public Argument<string[]> References { get; } = new("references")
    {
        Description = "Reference files, one segment per line; several files give several references per segment.",
        Arity = ArgumentArity.ZeroOrMore,
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

    public Option<bool> SentenceLevel { get; } = new("--sentence-level", "-sl")
    {
        Description = "Score every segment on its own: one line per segment (JSON Lines with --format json); BLEU uses effective order.",
    };

    public Option<bool> PairedBs { get; } = new("--paired-bs")
    {
        Description = "Paired bootstrap resampling test of the systems given to -i against the first (the baseline).",
    };

    public Option<int> PairedBsN { get; } = new("--paired-bs-n")
    {
        Description = "Resamples of --paired-bs (default 1000, sacreBLEU's).",
        DefaultValueFactory = _ => 1000,
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
        PairedBsN.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError($"--paired-bs-n must be at least 1, got {r.GetValueOrDefault<int>()}.");
            }
        });
        NumRefs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError($"--num-refs must be at least 1, got {r.GetValueOrDefault<int>()}.");
            }
        });
        command.Options.Add(Input);
        command.Arguments.Add(References);
        command.Options.Add(NumRefs);
        command.Options.Add(Width);
        command.Options.Add(ScoreOnly);
        command.Options.Add(Format);
        command.Options.Add(Confidence);
        command.Options.Add(ConfidenceN);
        command.Options.Add(Seed);
        command.Options.Add(SentenceLevel);
        command.Options.Add(PairedBs);
        command.Options.Add(PairedBsN);
        command.Validators.Add(ValidateCombination);
    }

    /// <summary>Sets the command's action: build the scorer, read the files, print corpus, sentence or paired results.</summary>
    /// <param name="command">The command.</param>
    /// <param name="createScorer">From the parse result and whether --sentence-level is on, a function scoring a corpus.</param>
    public void SetAction(Command command, Func<ParseResult, bool, Func<SegmentFiles, ScoredCorpus>> createScorer)
    {
        CommandRunner.SetAction(command, (parseResult, stdout, _) =>
        {
            var (systems, references) = Resolve(parseResult);
            bool sentenceLevel = parseResult.GetValue(SentenceLevel);
            var score = createScorer(parseResult, sentenceLevel);
            if (parseResult.GetValue(PairedBs))
            {
                return WritePaired(parseResult, stdout, systems, references, score);
            }

            var files = ReadFiles(parseResult, systems[0], references);
            var scored = score(files);
            if (sentenceLevel)
            {
                return WriteSentences(parseResult, stdout, scored);
            }

            return Write(parseResult, stdout, scored.CorpusLine(), scored.SegmentCount, scored.Scorer);
        });
    }

    private void ValidateCombination(System.CommandLine.Parsing.CommandResult result)
    {
        string[] inputs = result.GetValue(Input) ?? [];
        string[] references = result.GetValue(References) ?? [];
        bool paired = result.GetValue(PairedBs);
        bool sentence = result.GetValue(SentenceLevel);
        bool confidence = result.GetValue(Confidence);
        bool unknown = false;
        UnknownOptionCheck.Check(inputs.Concat(references), message =>
        {
            unknown = true;
            result.AddError(message);
        });
        if (unknown)
        {
            return;
        }

        if (sentence && (paired || confidence))
        {
            result.AddError("--sentence-level cannot be combined with --confidence or --paired-bs (as in sacreBLEU, statistical tests are unavailable in sentence-level mode).");
        }

        if (result.GetResult(PairedBsN) is { Implicit: false } && !paired)
        {
            result.AddError("--paired-bs-n needs --paired-bs.");
        }

        if (paired)
        {
            if (references.Length == 0)
            {
                result.AddError("--paired-bs needs the reference files before -i: llmtrack score METRIC REF [REF2 …] -i BASELINE SYSTEM [SYSTEM …] --paired-bs.");
            }
            else if (inputs.Length < 2)
            {
                result.AddError("--paired-bs needs at least two systems given to -i (the first is the baseline).");
            }
            else if (inputs.Contains("-"))
            {
                result.AddError("--paired-bs reads every system from a file; standard input ('-') cannot be one of them.");
            }

            if (result.GetValue(ScoreOnly))
            {
                result.AddError("--score-only does not apply to --paired-bs.");
            }
        }
        else if (references.Length > 0 && inputs.Length > 1)
        {
            result.AddError("several systems given to -i need --paired-bs (one system per call otherwise).");
        }
        else if (references.Length == 0 && inputs.Length < 2)
        {
            result.AddError("at least one reference file is required: llmtrack score METRIC -i HYP REF [REF2 …].");
        }
    }

    // The systems and reference files. Without --paired-bs, "-i HYP REF…" (references after the
    // hypothesis, consumed by -i) is the one-system form of earlier versions.
    private (string[] Systems, string[] References) Resolve(ParseResult parseResult)
    {
        string[] inputs = parseResult.GetValue(Input) ?? [];
        string[] references = parseResult.GetValue(References) ?? [];
        if (inputs.Length == 0)
        {
            inputs = ["-"];
        }

        if (!parseResult.GetValue(PairedBs) && references.Length == 0)
        {
            return ([inputs[0]], inputs[1..]);
        }

        return (inputs, references);
    }

    private SegmentFiles ReadFiles(ParseResult parseResult, string system, string[] references) =>
        SegmentFiles.Read(system, references, parseResult.GetValue(NumRefs), stdin: context.Stdin);

    private int WriteSentences(ParseResult parseResult, TextWriter stdout, ScoredCorpus scored)
    {
        int width = parseResult.GetValue(Width);
        bool json = OutputFormatOption.Get(parseResult, Format) == OutputFormat.Json;
        bool scoreOnly = parseResult.GetValue(ScoreOnly);
        for (int i = 0; i < scored.SegmentCount; i++)
        {
            SacreBleuScoreLine line = scored.SegmentLine(i);
            stdout.WriteLine(scoreOnly ? line.FormatScore(width) : json ? line.FormatJson(width, indent: null) : line.FormatText(width));
        }

        return CliApp.Success;
    }

    private int WritePaired(ParseResult parseResult, TextWriter stdout, string[] systems, string[] references, Func<SegmentFiles, ScoredCorpus> score)
    {
        var options = new BootstrapOptions { Resamples = parseResult.GetValue(PairedBsN), Seed = parseResult.GetValue(Seed) };
        var corpora = new ScoredCorpus[systems.Length];
        for (int s = 0; s < systems.Length; s++)
        {
            corpora[s] = score(ReadFiles(parseResult, systems[s], references));
            if (corpora[s].SegmentCount != corpora[0].SegmentCount)
            {
                throw new CliInputException($"system '{systems[s]}' has {corpora[s].SegmentCount} lines but the baseline '{systems[0]}' has {corpora[0].SegmentCount}.");
            }
        }

        int width = parseResult.GetValue(Width);
        var lines = corpora.Select(c => c.CorpusLine()).ToArray();
        string signature = SacreBleuScoreLine.WithBootstrap(lines[0].Signature, options.Resamples, options.Seed);
        var results = new PairedBootstrapResult?[systems.Length];
        BootstrapConfidenceInterval? baseline = null;
        for (int s = 1; s < systems.Length; s++)
        {
            results[s] = BootstrapResampling.PairedTest(corpora[0].SegmentCount, corpora[0].Scorer, corpora[s].Scorer, options);
            baseline ??= results[s]!.Baseline;
        }

        if (OutputFormatOption.Get(parseResult, Format) == OutputFormat.Json)
        {
            var entries = new List<PythonJsonObject>();
            for (int s = 0; s < systems.Length; s++)
            {
                BootstrapConfidenceInterval interval = s == 0 ? baseline! : results[s]!.System;
                var entry = new PythonJsonObject
                {
                    { "system", systems[s] },
                    { "baseline", s == 0 },
                    { "score", SacreBleuScoreLine.ParseFixed(PythonFormatting.FormatFixed(lines[s].Score, width)) },
                    { "confidence_mean", SacreBleuScoreLine.ParseFixed(PythonFormatting.FormatFixed(interval.Mean, width)) },
                    { "confidence_var", SacreBleuScoreLine.ParseFixed(PythonFormatting.FormatFixed(interval.HalfWidth, width)) },
                };
                if (s > 0)
                {
                    entry.Add("p_value", results[s]!.PValue);
                    entry.Add("significant", results[s]!.IsSignificant());
                }

                entries.Add(entry);
            }

            var json = new PythonJsonObject
            {
                { "name", lines[0].Name },
                { "signature", signature },
                { "test", "paired-bs" },
                { "n_samples", options.Resamples },
                { "seed", options.Seed },
                { "systems", entries },
            };
            stdout.WriteLine(PythonJson.Dumps(json, indent: 1));
            return CliApp.Success;
        }

        stdout.WriteLine($"{lines[0].Name}|{signature}");
        for (int s = 0; s < systems.Length; s++)
        {
            BootstrapConfidenceInterval interval = s == 0 ? baseline! : results[s]!.System;
            string name = s == 0 ? "Baseline: " + systems[s] : systems[s];
            string text = $"{name}: {lines[s].Name} = {PythonFormatting.FormatFixed(lines[s].Score, width)} " +
                $"(μ = {PythonFormatting.FormatFixed(interval.Mean, width)} ± {PythonFormatting.FormatFixed(interval.HalfWidth, width)})";
            if (s > 0)
            {
                text += string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (p = {results[s]!.PValue:0.0000})") + (results[s]!.IsSignificant() ? "*" : string.Empty);
            }

            stdout.WriteLine(text);
        }

        return CliApp.Success;
    }

    private int Write(ParseResult parseResult, TextWriter stdout, SacreBleuScoreLine line, int segmentCount, SampleScorer scorer)
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
