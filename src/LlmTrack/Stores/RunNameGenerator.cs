namespace LlmTrack.Stores;

/// <summary>
/// Generates run names in MLflow's style, <c>adjective-animal-number</c> (e.g. <c>smiling-yak-911</c>),
/// with a number from 0 to 999.
/// </summary>
internal static class RunNameGenerator
{
    private static readonly string[] s_adjectives =
    [
        "agile", "amazing", "bold", "brave", "bright", "calm", "capable", "carefree", "clean", "clever",
        "curious", "dapper", "daring", "eager", "elegant", "fearless", "friendly", "gentle", "glamorous", "grateful",
        "happy", "honest", "humble", "industrious", "intelligent", "jolly", "kindly", "lively", "loyal", "lucky",
        "merciful", "mysterious", "nimble", "patient", "placid", "polite", "quick", "quiet", "rare", "resilient",
        "righteous", "shy", "silent", "skillful", "smiling", "steady", "sunny", "thoughtful", "unique", "upbeat",
        "valuable", "victorious", "vivid", "wise", "witty", "zealous",
    ];

    private static readonly string[] s_animals =
    [
        "ant", "ape", "bass", "bat", "bear", "bee", "bird", "boar", "cat", "cod",
        "colt", "conch", "crab", "crane", "cub", "deer", "doe", "dog", "dove", "duck",
        "eel", "elk", "finch", "fish", "fly", "foal", "fowl", "fox", "frog", "gnat",
        "goat", "goose", "grouse", "gull", "hare", "hawk", "hen", "hog", "horse", "hound",
        "jay", "kit", "koi", "lamb", "lark", "lynx", "mink", "mole", "moth", "mouse",
        "mule", "newt", "owl", "ox", "panda", "perch", "pig", "pug", "ram", "rat",
        "roo", "seal", "shad", "shark", "sheep", "shrew", "skink", "slug", "snail", "snake",
        "squid", "stag", "stoat", "swan", "toad", "trout", "wasp", "whale", "wolf", "worm",
        "wren", "yak", "zebra",
    ];

    /// <summary>A new random name.</summary>
    public static string Generate(Random? random = null)
    {
        random ??= Random.Shared;
#pragma warning disable CA5394 // Names need no cryptographic randomness.
        var adjective = s_adjectives[random.Next(s_adjectives.Length)];
        var animal = s_animals[random.Next(s_animals.Length)];
        var number = random.Next(1000);
#pragma warning restore CA5394
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{adjective}-{animal}-{number}");
    }
}
