namespace QuickStart;

/// <summary>
/// A deliberately simple baseline: multinomial Naive Bayes over lower-cased word tokens with
/// additive smoothing (add-one by default), trained on some labelled sentences and applied to others.
/// </summary>
/// <param name="smoothing">The pseudo-count added to every word count (1 = add-one / Laplace smoothing).</param>
internal sealed class NaiveBayesSentiment(double smoothing = 1.0)
{
    private readonly Dictionary<string, int>[] _wordCounts = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
    private readonly int[] _totalWords = new int[2];
    private readonly int[] _documents = new int[2];
    private readonly HashSet<string> _vocabulary = new(StringComparer.Ordinal);

    public int VocabularySize => _vocabulary.Count;

    /// <summary>The trained counts as JSON (documents and words per class, word counts per class): the whole model.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", "multinomial-naive-bayes");
            json.WriteString("smoothing", "add-one");
            json.WriteStartArray("documents");
            foreach (var count in _documents)
            {
                json.WriteNumberValue(count);
            }

            json.WriteEndArray();
            json.WriteStartArray("total_words");
            foreach (var count in _totalWords)
            {
                json.WriteNumberValue(count);
            }

            json.WriteEndArray();
            json.WriteStartArray("word_counts");
            foreach (var counts in _wordCounts)
            {
                json.WriteStartObject();
                foreach (var (word, count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteNumber(word, count);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public void Train(IEnumerable<LabelledSentence> examples)
    {
        foreach (var example in examples)
        {
            _documents[example.Label]++;
            foreach (var word in Tokenize(example.Text))
            {
                var counts = _wordCounts[example.Label];
                counts[word] = counts.GetValueOrDefault(word) + 1;
                _totalWords[example.Label]++;
                _vocabulary.Add(word);
            }
        }
    }

    /// <summary>The predicted label: 1 when the positive class is at least as likely as the negative one.</summary>
    public int Predict(string text) => PositiveProbability(text) >= 0.5 ? 1 : 0;

    /// <summary>The predicted label with a decision threshold on the positive class's posterior probability.</summary>
    public int Predict(string text, double threshold) => PositiveProbability(text) >= threshold ? 1 : 0;

    /// <summary>The posterior probability of the positive class.</summary>
    public double PositiveProbability(string text)
    {
        var total = _documents[0] + _documents[1];
        Span<double> score = [Math.Log((double)_documents[0] / total), Math.Log((double)_documents[1] / total)];
        foreach (var word in Tokenize(text))
        {
            for (var label = 0; label < 2; label++)
            {
                var count = _wordCounts[label].GetValueOrDefault(word);
                score[label] += Math.Log((count + smoothing) / (_totalWords[label] + (smoothing * _vocabulary.Count)));
            }
        }

        // P(positive) = 1 / (1 + exp(log P(negative) - log P(positive))).
        return 1.0 / (1.0 + Math.Exp(score[0] - score[1]));
    }

    private static IEnumerable<string> Tokenize(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '\'');
            if (isWord && start < 0)
            {
                start = i;
            }
            else if (!isWord && start >= 0)
            {
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }
}

/// <summary>One sentence of the UCI data set with its label (1 = positive, 0 = negative).</summary>
internal sealed record LabelledSentence(string Text, int Label)
{
    /// <summary>
    /// Reads a UCI file: one <c>sentence TAB label</c> per line, split on the LAST tab with no quote
    /// handling, lines ending at <c>\n</c> only (see data/PROVENANCE.md for the quirks).
    /// </summary>
    public static IReadOnlyList<LabelledSentence> ReadFile(string path)
    {
        var text = File.ReadAllText(path);
        var result = new List<LabelledSentence>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var tab = line.LastIndexOf('\t');
            if (tab < 0 || !int.TryParse(line.AsSpan(tab + 1), out var label) || label is not (0 or 1))
            {
                throw new InvalidDataException($"{path}: line {result.Count + 1} is not 'sentence<TAB>0|1'.");
            }

            result.Add(new LabelledSentence(line[..tab].TrimEnd(), label));
        }

        return result;
    }
}
