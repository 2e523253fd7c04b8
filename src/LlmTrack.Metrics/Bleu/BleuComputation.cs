using System.Globalization;
using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Bleu;

/// <summary>BLEU from summed sufficient statistics, exactly as sacreBLEU's <c>BLEU.compute_bleu</c>.</summary>
internal static class BleuComputation
{
    /// <summary>sacreBLEU's maximum n-gram order.</summary>
    public const int MaxOrder = 4;

    /// <summary>Statistics per segment: sys_len, ref_len, correct[4], total[4].</summary>
    public const int Width = 2 + (2 * MaxOrder);

    /// <summary>The log of a precision, with sacreBLEU's <c>my_log</c> stand-in for log(0).</summary>
    private static double MyLog(double value) => value == 0.0 ? -9999999999.0 : Math.Log(value);

    /// <summary>
    /// Computes BLEU. <paramref name="counts"/> and <paramref name="totals"/> receive the reported
    /// (add-k adjusted) n-gram counts, <paramref name="precisions"/> the precisions.
    /// </summary>
    public static double Compute(
        ReadOnlySpan<long> stats,
        BleuSmoothing smoothing,
        double smoothValue,
        bool effectiveOrder,
        Span<double> counts,
        Span<double> totals,
        Span<double> precisions,
        out double brevityPenalty)
    {
        long sysLen = stats[0];
        long refLen = stats[1];
        bool anyCorrect = false;
        for (int n = 0; n < MaxOrder; n++)
        {
            counts[n] = stats[2 + n];
            totals[n] = stats[2 + MaxOrder + n];
            precisions[n] = 0.0;
            anyCorrect |= stats[2 + n] != 0;
        }

        if (sysLen < refLen)
        {
            brevityPenalty = sysLen > 0 ? Math.Exp(1.0 - ((double)refLen / sysLen)) : 0.0;
        }
        else
        {
            brevityPenalty = 1.0;
        }

        // Early stop if there are no matches (sacreBLEU issue #141).
        if (!anyCorrect)
        {
            return 0.0;
        }

        double smoothMteval = 1.0;
        int order = MaxOrder;
        for (int n = 1; n <= MaxOrder; n++)
        {
            if (smoothing == BleuSmoothing.AddK && n > 1)
            {
                counts[n - 1] += smoothValue;
                totals[n - 1] += smoothValue;
            }

            if (totals[n - 1] == 0)
            {
                break;
            }

            if (effectiveOrder)
            {
                order = n;
            }

            if (counts[n - 1] == 0)
            {
                if (smoothing == BleuSmoothing.Exponential)
                {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * totals[n - 1]);
                }
                else if (smoothing == BleuSmoothing.Floor)
                {
                    precisions[n - 1] = 100.0 * smoothValue / totals[n - 1];
                }
            }
            else
            {
                precisions[n - 1] = 100.0 * counts[n - 1] / totals[n - 1];
            }
        }

        double sum = 0.0;
        for (int n = 0; n < order; n++)
        {
            sum += MyLog(precisions[n]);
        }

        return brevityPenalty * Math.Exp(sum / order);
    }

    /// <summary>The full result from summed statistics.</summary>
    public static BleuResult ToResult(ReadOnlySpan<long> stats, BleuOptions options, string signature)
    {
        var counts = new double[MaxOrder];
        var totals = new double[MaxOrder];
        var precisions = new double[MaxOrder];
        double score = Compute(stats, options.Smoothing, options.EffectiveSmoothValue, options.EffectiveOrder, counts, totals, precisions, out double bp);
        return new BleuResult(score, counts, totals, precisions, bp, stats[0], stats[1], signature);
    }

    /// <summary>The score only, without allocating (for resampling).</summary>
    public static double ScoreOnly(ReadOnlySpan<long> stats, BleuOptions options)
    {
        Span<double> counts = stackalloc double[MaxOrder];
        Span<double> totals = stackalloc double[MaxOrder];
        Span<double> precisions = stackalloc double[MaxOrder];
        return Compute(stats, options.Smoothing, options.EffectiveSmoothValue, options.EffectiveOrder, counts, totals, precisions, out _);
    }

    /// <summary>sacreBLEU's BLEU signature for these options and reference count label.</summary>
    public static string Signature(BleuOptions options, string referenceCountLabel)
    {
        string smooth = BleuOptions.SmoothingName(options.Smoothing);
        if (options.Smoothing is BleuSmoothing.Floor or BleuSmoothing.AddK)
        {
            smooth += "[" + PythonFormatting.FormatFixed(options.EffectiveSmoothValue, 2) + "]";
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"nrefs:{referenceCountLabel}|case:{(options.Lowercase ? "lc" : "mixed")}|eff:{(options.EffectiveOrder ? "yes" : "no")}|tok:{BleuOptions.TokenizerName(options.Tokenizer)}|smooth:{smooth}|version:{SacreBleuReference.Version}");
    }
}
