namespace LlmTrack.Metrics.Rouge;

/// <summary>
/// The Porter stemmer exactly as NLTK's <c>nltk.stem.porter.PorterStemmer()</c> behaves in its
/// default <c>NLTK_EXTENSIONS</c> mode (NLTK 3.8), which is the stemmer rouge-score uses.
/// </summary>
/// <remarks>
/// Behaviour reproduced (Porter, "An algorithm for suffix stripping", 1980, plus NLTK's
/// extensions): the irregular-forms pool (e.g. <c>dying</c> → <c>die</c>), words of one or two
/// characters returned unchanged, <c>-ies</c>/<c>-ied</c> on four-letter words keep <c>ie</c>,
/// step 1c turns a final <c>y</c> into <c>i</c> only after a consonant in a stem longer than one
/// letter, step 2 applies <c>-alli</c> first and re-runs, uses <c>-bli</c> (not <c>-abli</c>),
/// adds <c>-fulli</c> and <c>-logi</c> (with the <c>l</c> counted in the stem), and the
/// two-letter "vowel consonant" case counts as <c>*o</c>. Within a rule list the first rule whose
/// suffix matches decides: if its condition fails no later rule is tried.
/// Input is expected in lower case (rouge-score lowercases before stemming); any character other
/// than <c>a e i o u</c> and a vowel-like <c>y</c> counts as a consonant (digits included).
/// The type is stateless and thread-safe.
/// </remarks>
internal static class PorterStemmer
{
    private static readonly Dictionary<string, string> IrregularForms = new(StringComparer.Ordinal)
    {
        ["sky"] = "sky",
        ["skies"] = "sky",
        ["dying"] = "die",
        ["lying"] = "lie",
        ["tying"] = "tie",
        ["news"] = "news",
        ["innings"] = "inning",
        ["inning"] = "inning",
        ["outings"] = "outing",
        ["outing"] = "outing",
        ["cannings"] = "canning",
        ["canning"] = "canning",
        ["howe"] = "howe",
        ["proceed"] = "proceed",
        ["exceed"] = "exceed",
        ["succeed"] = "succeed",
    };

    private static readonly SuffixRule[] Step2Rules =
    [
        new("ational", "ate"),
        new("tional", "tion"),
        new("enci", "ence"),
        new("anci", "ance"),
        new("izer", "ize"),
        new("bli", "ble"),
        new("alli", "al"),
        new("entli", "ent"),
        new("eli", "e"),
        new("ousli", "ous"),
        new("ization", "ize"),
        new("ation", "ate"),
        new("ator", "ate"),
        new("alism", "al"),
        new("iveness", "ive"),
        new("fulness", "ful"),
        new("ousness", "ous"),
        new("aliti", "al"),
        new("iviti", "ive"),
        new("biliti", "ble"),
        new("fulli", "ful"),
    ];

    private static readonly SuffixRule[] Step3Rules =
    [
        new("icate", "ic"),
        new("ative", ""),
        new("alize", "al"),
        new("iciti", "ic"),
        new("ical", "ic"),
        new("ful", ""),
        new("ness", ""),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
        "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
    ];

    /// <summary>Stems one lower-case word.</summary>
    /// <param name="word">The word, already in lower case.</param>
    /// <returns>The stem.</returns>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (IrregularForms.TryGetValue(word, out var irregular))
        {
            return irregular;
        }

        if (word.Length <= 2)
        {
            return word;
        }

        var stem = Step1A(word);
        stem = Step1B(stem);
        stem = Step1C(stem);
        stem = Step2(stem);
        stem = Step3(stem);
        stem = Step4(stem);
        stem = Step5A(stem);
        return Step5B(stem);
    }

    /// <summary>True when <paramref name="word"/>[<paramref name="i"/>] is a consonant in Porter's sense.</summary>
    internal static bool IsConsonant(ReadOnlySpan<char> word, int i)
    {
        // A 'y' is a consonant when it starts the word or follows a vowel, so a run of 'y's
        // alternates starting from the status of the letter before the run.
        var start = i;
        while (start > 0 && word[start] == 'y')
        {
            start--;
        }

        bool consonant = word[start] == 'y' || !IsVowelLetter(word[start]);
        return ((i - start) & 1) == 0 ? consonant : !consonant;
    }

    /// <summary>Porter's measure m: the number of vowel-to-consonant transitions in <paramref name="stem"/>.</summary>
    internal static int Measure(ReadOnlySpan<char> stem)
    {
        var count = 0;
        var previousIsVowel = false;
        var previousIsConsonant = true;
        for (var i = 0; i < stem.Length; i++)
        {
            // Consonant status of y depends only on the previous letter's status.
            bool consonant = IsVowelLetter(stem[i]) ? false : stem[i] != 'y' || i == 0 || !previousIsConsonant;
            if (consonant && previousIsVowel)
            {
                count++;
            }

            previousIsVowel = !consonant;
            previousIsConsonant = consonant;
        }

        return count;
    }

    private static bool IsVowelLetter(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    private static bool ContainsVowel(ReadOnlySpan<char> stem)
    {
        for (var i = 0; i < stem.Length; i++)
        {
            if (!IsConsonant(stem, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EndsDoubleConsonant(ReadOnlySpan<char> word) =>
        word.Length >= 2 && word[^1] == word[^2] && IsConsonant(word, word.Length - 1);

    /// <summary>Condition *o, with NLTK's extension for two-letter stems.</summary>
    private static bool EndsCvc(ReadOnlySpan<char> word)
    {
        var n = word.Length;
        if (n >= 3
            && IsConsonant(word, n - 3)
            && !IsConsonant(word, n - 2)
            && IsConsonant(word, n - 1)
            && word[n - 1] is not ('w' or 'x' or 'y'))
        {
            return true;
        }

        return n == 2 && !IsConsonant(word, 0) && IsConsonant(word, 1);
    }

    private static string Step1A(string word)
    {
        if (word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word.Length == 4 ? string.Concat(word.AsSpan(0, 1), "ie") : string.Concat(word.AsSpan(0, word.Length - 3), "i");
        }

        if (word.EndsWith("sses", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        if (word.EndsWith("ss", StringComparison.Ordinal))
        {
            return word;
        }

        return word.EndsWith('s') ? word[..^1] : word;
    }

    private static string Step1B(string word)
    {
        if (word.EndsWith("ied", StringComparison.Ordinal))
        {
            return word.Length == 4 ? string.Concat(word.AsSpan(0, 1), "ie") : string.Concat(word.AsSpan(0, word.Length - 3), "i");
        }

        if (word.EndsWith("eed", StringComparison.Ordinal))
        {
            var eedStem = word.AsSpan(0, word.Length - 3);
            return Measure(eedStem) > 0 ? string.Concat(eedStem, "ee") : word;
        }

        string intermediate;
        if (word.EndsWith("ed", StringComparison.Ordinal) && ContainsVowel(word.AsSpan(0, word.Length - 2)))
        {
            intermediate = word[..^2];
        }
        else if (word.EndsWith("ing", StringComparison.Ordinal) && ContainsVowel(word.AsSpan(0, word.Length - 3)))
        {
            intermediate = word[..^3];
        }
        else
        {
            return word;
        }

        if (intermediate.EndsWith("at", StringComparison.Ordinal)
            || intermediate.EndsWith("bl", StringComparison.Ordinal)
            || intermediate.EndsWith("iz", StringComparison.Ordinal))
        {
            return intermediate + "e";
        }

        if (EndsDoubleConsonant(intermediate))
        {
            return intermediate[^1] is 'l' or 's' or 'z' ? intermediate : intermediate[..^1];
        }

        return Measure(intermediate) == 1 && EndsCvc(intermediate) ? intermediate + "e" : intermediate;
    }

    private static string Step1C(string word)
    {
        if (!word.EndsWith('y'))
        {
            return word;
        }

        var stem = word.AsSpan(0, word.Length - 1);
        return stem.Length > 1 && IsConsonant(stem, stem.Length - 1) ? string.Concat(stem, "i") : word;
    }

    private static string Step2(string word)
    {
        // NLTK applies -alli -> -al first and, when it fires, runs step 2 again on the result.
        if (word.EndsWith("alli", StringComparison.Ordinal) && Measure(word.AsSpan(0, word.Length - 4)) > 0)
        {
            return Step2(string.Concat(word.AsSpan(0, word.Length - 4), "al"));
        }

        foreach (var rule in Step2Rules)
        {
            if (word.EndsWith(rule.Suffix, StringComparison.Ordinal))
            {
                var stem = word.AsSpan(0, word.Length - rule.Suffix.Length);
                return Measure(stem) > 0 ? string.Concat(stem, rule.Replacement) : word;
            }
        }

        // -logi -> -log, with the 'l' counted in the stem for the measure.
        if (word.EndsWith("logi", StringComparison.Ordinal))
        {
            return Measure(word.AsSpan(0, word.Length - 3)) > 0 ? word[..^1] : word;
        }

        return word;
    }

    private static string Step3(string word)
    {
        foreach (var rule in Step3Rules)
        {
            if (word.EndsWith(rule.Suffix, StringComparison.Ordinal))
            {
                var stem = word.AsSpan(0, word.Length - rule.Suffix.Length);
                return Measure(stem) > 0 ? string.Concat(stem, rule.Replacement) : word;
            }
        }

        return word;
    }

    private static string Step4(string word)
    {
        foreach (var suffix in Step4Suffixes)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                var stem = word.AsSpan(0, word.Length - suffix.Length);
                var applies = Measure(stem) > 1 && (suffix != "ion" || stem[^1] is 's' or 't');
                return applies ? stem.ToString() : word;
            }
        }

        return word;
    }

    private static string Step5A(string word)
    {
        if (!word.EndsWith('e'))
        {
            return word;
        }

        var stem = word.AsSpan(0, word.Length - 1);
        var measure = Measure(stem);
        return measure > 1 || (measure == 1 && !EndsCvc(stem)) ? stem.ToString() : word;
    }

    private static string Step5B(string word) =>
        word.EndsWith("ll", StringComparison.Ordinal) && Measure(word.AsSpan(0, word.Length - 1)) > 1
            ? word[..^1]
            : word;

    private readonly record struct SuffixRule(string Suffix, string Replacement);
}
