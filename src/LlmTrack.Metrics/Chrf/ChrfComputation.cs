using System.Globalization;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Chrf;

/// <summary>chrF from match statistics, exactly as sacreBLEU's <c>CHRF._compute_f_score</c>.</summary>
internal static class ChrfComputation
{
    /// <summary>
    /// The score from triplets [hypothesis n-grams, reference n-grams, matches] per order
    /// (character orders first, then word orders).
    /// </summary>
    public static double FScore(ReadOnlySpan<long> statistics, int beta, bool epsSmoothing)
    {
        const double Eps = 1e-16;
        int orders = statistics.Length / 3;
        double factor = (double)beta * beta;
        double score = 0.0;
        double averagePrecision = 0.0;
        double averageRecall = 0.0;
        int effectiveOrder = 0;
        for (int i = 0; i < orders; i++)
        {
            long hyp = statistics[3 * i];
            long reference = statistics[(3 * i) + 1];
            long match = statistics[(3 * i) + 2];
            double precision = hyp > 0 ? match / (double)hyp : Eps;
            double recall = reference > 0 ? match / (double)reference : Eps;
            double denominator = (factor * precision) + recall;
            score += denominator > 0 ? (1 + factor) * precision * recall / denominator : Eps;
            if (hyp > 0 && reference > 0)
            {
                averagePrecision += precision;
                averageRecall += recall;
                effectiveOrder++;
            }
        }

        if (epsSmoothing)
        {
            return 100 * score / orders;
        }

        if (effectiveOrder == 0)
        {
            averagePrecision = 0.0;
            averageRecall = 0.0;
        }
        else
        {
            averagePrecision /= effectiveOrder;
            averageRecall /= effectiveOrder;
        }

        if (averagePrecision + averageRecall != 0)
        {
            double f = (1 + factor) * averagePrecision * averageRecall;
            f /= (factor * averagePrecision) + averageRecall;
            return 100 * f;
        }

        return 0.0;
    }

    /// <summary>sacreBLEU's chrF signature.</summary>
    public static string Signature(ChrfOptions options, string referenceCountLabel) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"nrefs:{referenceCountLabel}|case:{(options.Lowercase ? "lc" : "mixed")}|eff:{(options.EpsSmoothing ? "no" : "yes")}|nc:{options.CharOrder}|nw:{options.WordOrder}|space:{(options.Whitespace ? "yes" : "no")}|version:{SacreBleuReference.Version}");
}
