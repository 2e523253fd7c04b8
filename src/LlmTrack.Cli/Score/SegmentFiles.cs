using LlmTrack.Cli.Common;

namespace LlmTrack.Cli.Score;

/// <summary>A hypothesis file and its reference files, read as sacreBLEU reads them.</summary>
/// <param name="Hypotheses">One hypothesis per line.</param>
/// <param name="References">sacreBLEU's layout: <c>References[k][i]</c> is the k-th reference of segment i.</param>
internal sealed record SegmentFiles(string[] Hypotheses, string[][] References)
{
    /// <summary>
    /// Reads the hypothesis file and the reference files. With <paramref name="numRefs"/> &gt; 1, a single
    /// reference file holds that many tab-separated references per line (sacreBLEU's <c>--num-refs</c>).
    /// As sacreBLEU 2.6.0's command line (which only <c>rstrip</c>s each line), an empty line is an empty
    /// reference, not a missing one: it counts in <c>nrefs</c> and is scored (BLEU ref_len 0, TER 100).
    /// </summary>
    /// <param name="hypothesisPath">The hypothesis file.</param>
    /// <param name="referencePaths">The reference files.</param>
    /// <param name="numRefs">References per line of a single reference file.</param>
    /// <param name="stdin">Read the hypotheses from here when <paramref name="hypothesisPath"/> is <c>-</c>.</param>
    /// <returns>The segments.</returns>
    /// <exception cref="CliInputException">A file is missing, empty or not UTF-8, or the line counts differ.</exception>
    public static SegmentFiles Read(string hypothesisPath, IReadOnlyList<string> referencePaths, int numRefs = 1, TextReader? stdin = null)
    {
        if (referencePaths.Count == 0)
        {
            throw new CliInputException("at least one reference file is required.");
        }

        if (numRefs < 1)
        {
            throw new CliInputException($"--num-refs must be at least 1, got {numRefs}.");
        }

        if (numRefs > 1 && referencePaths.Count > 1)
        {
            throw new CliInputException("--num-refs reads tab-separated references from a single reference file; give only one reference file.");
        }

        string[] hypotheses = hypothesisPath == "-" && stdin is not null
            ? InputFiles.ReadSegments(stdin, "standard input")
            : InputFiles.ReadSegments(hypothesisPath, "hypothesis file");
        string[][] references;
        if (numRefs == 1)
        {
            references = new string[referencePaths.Count][];
            for (int k = 0; k < referencePaths.Count; k++)
            {
                references[k] = InputFiles.ReadSegments(referencePaths[k], "reference file");
                CheckLength(hypothesisPath, hypotheses.Length, referencePaths[k], references[k].Length);
            }
        }
        else
        {
            string[] lines = InputFiles.ReadSegments(referencePaths[0], "reference file");
            CheckLength(hypothesisPath, hypotheses.Length, referencePaths[0], lines.Length);
            references = new string[numRefs][];
            for (int k = 0; k < numRefs; k++)
            {
                references[k] = new string[lines.Length];
            }

            for (int i = 0; i < lines.Length; i++)
            {
                string[] fields = lines[i].Split('\t', numRefs);
                if (fields.Length != numRefs)
                {
                    throw new CliInputException($"{referencePaths[0]}:{i + 1}: expected {numRefs} tab-separated references, found {fields.Length}.");
                }

                for (int k = 0; k < numRefs; k++)
                {
                    references[k][i] = fields[k];
                }
            }
        }

        return new SegmentFiles(hypotheses, references);
    }

    private static void CheckLength(string hypothesisPath, int hypothesisLines, string referencePath, int referenceLines)
    {
        if (hypothesisLines != referenceLines)
        {
            throw new CliInputException(
                $"hypothesis file '{hypothesisPath}' has {hypothesisLines} lines but reference file '{referencePath}' has {referenceLines} " +
                "(sacreBLEU would truncate to the shorter file; llmtrack refuses).");
        }
    }
}
