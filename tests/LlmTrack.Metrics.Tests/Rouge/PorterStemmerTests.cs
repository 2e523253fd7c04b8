using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Metrics.Tests.Rouge;

public class PorterStemmerTests
{
    // Expected stems are nltk 3.8 PorterStemmer() outputs (NLTK_EXTENSIONS mode), each also
    // traced through nltk/stem/porter.py by hand.
    [Theory]
    [InlineData("generously", "gener")]  // step 2 ousli -> ous, step 4 ous removed (m>1)
    [InlineData("running", "run")]       // ing removed, double consonant undoubled
    [InlineData("flies", "fli")]         // NLTK: ies -> i when longer than 4 letters
    [InlineData("dies", "die")]          // NLTK: four-letter word keeps ie
    [InlineData("dying", "die")]         // irregular-forms pool
    [InlineData("lying", "lie")]
    [InlineData("tying", "tie")]
    [InlineData("skies", "sky")]
    [InlineData("sky", "sky")]
    [InlineData("news", "news")]
    [InlineData("innings", "inning")]
    [InlineData("outings", "outing")]
    [InlineData("cannings", "canning")]
    [InlineData("howe", "howe")]
    [InlineData("proceed", "proceed")]
    [InlineData("exceed", "exceed")]
    [InlineData("succeed", "succeed")]
    [InlineData("spied", "spi")]         // NLTK: ied -> i
    [InlineData("died", "die")]          // NLTK: four-letter ied -> ie
    [InlineData("happy", "happi")]       // step 1c y -> i after a consonant
    [InlineData("enjoy", "enjoy")]       // ... but not after a vowel
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("bled", "bled")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")]
    [InlineData("fizzed", "fizz")]
    [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("rational", "ration")]
    [InlineData("digitizer", "digit")]
    [InlineData("radicalli", "radic")]   // NLTK: alli first, then step 2 again
    [InlineData("hopefulness", "hope")]
    [InlineData("geology", "geolog")]    // NLTK logi rule with the l in the stem
    [InlineData("electrical", "electr")]
    [InlineData("adjustment", "adjust")]
    [InlineData("adoption", "adopt")]
    [InlineData("controll", "control")]
    [InlineData("roll", "roll")]
    [InlineData("cease", "ceas")]
    [InlineData("l2encap", "l2encap")]   // digits are consonants
    [InlineData("sensors", "sensor")]
    [InlineData("unstable", "unstabl")]
    [InlineData("urgency", "urgenc")]
    [InlineData("abilities", "abil")]
    [InlineData("ab", "ab")]             // two letters: unchanged
    [InlineData("yyyy", "yyyi")]    // y runs alternate: the third y is a consonant
    public void StemsWellKnownWordsAsNltk(string word, string expected) =>
        Assert.Equal(expected, PorterStemmer.Stem(word));

    [Fact]
    public void StemsTheWholeWordListAsNltk38()
    {
        var mismatches = new List<string>();
        var count = 0;
        foreach (var line in File.ReadLines(RougeTestData.PathOf("porter_nltk38.tsv")))
        {
            var tab = line.IndexOf('\t');
            var word = line[..tab];
            var expected = line[(tab + 1)..];
            count++;
            var actual = PorterStemmer.Stem(word);
            if (actual != expected)
            {
                mismatches.Add($"{word}: expected {expected}, got {actual}");
            }
        }

        Assert.True(count > 60000, $"only {count} words read");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(50)));
    }

    // Examples of the measure m from Porter's paper.
    [Theory]
    [InlineData("tr", 0)]
    [InlineData("ee", 0)]
    [InlineData("tree", 0)]
    [InlineData("y", 0)]
    [InlineData("by", 0)]
    [InlineData("trouble", 1)]
    [InlineData("oats", 1)]
    [InlineData("trees", 1)]
    [InlineData("ivy", 1)]
    [InlineData("troubles", 2)]
    [InlineData("private", 2)]
    [InlineData("oaten", 2)]
    [InlineData("orrery", 2)]
    public void MeasureMatchesThePaper(string stem, int expected) =>
        Assert.Equal(expected, PorterStemmer.Measure(stem));

    [Theory]
    [InlineData("toy", 2, true)]      // y after a vowel is a consonant
    [InlineData("syzygy", 1, false)]  // y after a consonant is a vowel
    [InlineData("syzygy", 5, false)]
    [InlineData("yes", 0, true)]      // initial y is a consonant
    [InlineData("ayyy", 1, true)]     // runs of y alternate
    [InlineData("ayyy", 2, false)]
    [InlineData("ayyy", 3, true)]
    [InlineData("a1", 1, true)]       // digits are consonants
    public void ConsonantsFollowThePaper(string word, int index, bool expected) =>
        Assert.Equal(expected, PorterStemmer.IsConsonant(word, index));

    [Fact]
    public void LongRunOfYDoesNotOverflowTheStack()
    {
        var word = new string('y', 200_000) + "ing";
        Assert.NotNull(PorterStemmer.Stem(word));
    }
}
