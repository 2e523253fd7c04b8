using System.Globalization;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Evaluation.Accumulators;

/// <summary>
/// Text-overlap metrics of an evaluation: sentence BLEU, chrF and ROUGE-L per example (table columns), then corpus
/// BLEU and chrF (with signatures and intervals) and mean ROUGE-L.
/// </summary>
internal sealed class TextOverlapAccumulator
{
    private readonly bool _bleu;
    private readonly bool _chrf;
    private readonly RougeScorer? _rougeScorer;
    private readonly List<string> _hypotheses = [];
    private readonly List<string[]> _references = [];
    private readonly List<double> _rouge = [];

    /// <summary>Creates the accumulator for the requested metrics.</summary>
    /// <param name="metrics">The requested metrics.</param>
    public TextOverlapAccumulator(EvaluationMetrics metrics)
    {
        _bleu = (metrics & EvaluationMetrics.Bleu) != 0;
        _chrf = (metrics & EvaluationMetrics.Chrf) != 0;
        if ((metrics & EvaluationMetrics.RougeL) != 0)
        {
            _rougeScorer = new RougeScorer([RougeType.RougeL]);
        }
    }

    /// <summary>Adds the table columns this accumulator fills.</summary>
    /// <param name="columns">The table's columns so far.</param>
    public void AddColumns(List<string> columns)
    {
        if (_bleu)
        {
            columns.Add(EvaluationMetricKeys.Bleu.Score);
        }

        if (_chrf)
        {
            columns.Add(EvaluationMetricKeys.Chrf.Score);
        }

        if (_rougeScorer is not null)
        {
            columns.Add(EvaluationMetricKeys.Rouge.RougeL);
        }
    }

    /// <summary>Records one example.</summary>
    /// <param name="prediction">The predicted text.</param>
    /// <param name="references">The reference texts.</param>
    /// <param name="row">The table row.</param>
    /// <param name="column">The next column to fill; advanced past this accumulator's columns.</param>
    public void Add(string prediction, string[] references, object?[] row, ref int column)
    {
        if (_bleu || _chrf)
        {
            _hypotheses.Add(prediction);
            _references.Add(references);
        }

        if (_bleu)
        {
            row[column++] = BleuScorer.SentenceScore(prediction, references).Score;
        }

        if (_chrf)
        {
            row[column++] = ChrfScorer.SentenceScore(prediction, references).Score;
        }

        if (_rougeScorer is not null)
        {
            var rouge = _rougeScorer.ScoreMulti(references, prediction)[RougeType.RougeL].FMeasure;
            _rouge.Add(rouge);
            row[column++] = rouge;
        }
    }

    /// <summary>Adds the corpus metrics and signatures.</summary>
    /// <param name="sink">Where the metrics go.</param>
    public void Log(EvaluationMetricSink sink)
    {
        if (_hypotheses.Count > 0)
        {
            var streams = Math.Max(1, _references.Max(r => r.Length));
            var refStreams = new IReadOnlyList<string?>[streams];
            for (var k = 0; k < streams; k++)
            {
                var stream = new string?[_references.Count];
                for (var i = 0; i < stream.Length; i++)
                {
                    stream[i] = k < _references[i].Length ? _references[i][k] : null;
                }

                refStreams[k] = stream;
            }

            if (_bleu)
            {
                var corpus = BleuScorer.Prepare(_hypotheses, refStreams);
                var bleu = corpus.Corpus();
                sink.Add(EvaluationMetricKeys.Bleu.Score, bleu.Score);
                sink.Add(EvaluationMetricKeys.Bleu.BrevityPenalty, bleu.BrevityPenalty);
                for (var i = 0; i < bleu.Precisions.Count; i++)
                {
                    sink.Add(EvaluationMetricKeys.Bleu.PrecisionPrefix + (i + 1).ToString(CultureInfo.InvariantCulture), bleu.Precisions[i]);
                }

                sink.Add(EvaluationMetricKeys.Bleu.SysLen, bleu.SysLen);
                sink.Add(EvaluationMetricKeys.Bleu.RefLen, bleu.RefLen);
                sink.AddSignature(EvaluationMetricKeys.Bleu.SignatureTag, bleu.Signature);
                sink.AddWithInterval(EvaluationMetricKeys.Bleu.Score, corpus.SegmentCount, corpus.CreateSampleScorer());
            }

            if (_chrf)
            {
                var corpus = ChrfScorer.Prepare(_hypotheses, refStreams);
                var chrf = corpus.Corpus();
                sink.Add(EvaluationMetricKeys.Chrf.Score, chrf.Score);
                sink.AddSignature(EvaluationMetricKeys.Chrf.SignatureTag, chrf.Signature);
                sink.AddWithInterval(EvaluationMetricKeys.Chrf.Score, corpus.SegmentCount, corpus.CreateSampleScorer());
            }
        }

        if (_rouge.Count > 0)
        {
            sink.AddMean(EvaluationMetricKeys.Rouge.RougeL, _rouge, 1.0);
        }
    }
}
