using System.Security.Cryptography;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// Generates run names in MLflow's style (<c>adjective-animal-number</c>, e.g. <c>smiling-yak-911</c>)
/// for runs created without a name.
/// </summary>
internal static class RunNameGenerator
{
    private static readonly string[] s_adjectives =
    [
        "agile", "bold", "brave", "bright", "calm", "capable", "clean", "clever", "crisp", "curious",
        "daring", "eager", "fair", "gentle", "glad", "honest", "humble", "jolly", "keen", "kind",
        "lively", "loyal", "merry", "mighty", "nimble", "patient", "polite", "proud", "quick", "quiet",
        "rare", "serene", "sharp", "shy", "silent", "smiling", "steady", "sunny", "swift", "tidy",
        "upbeat", "vivid", "warm", "wise", "witty", "zealous",
    ];

    private static readonly string[] s_animals =
    [
        "ant", "bat", "bear", "bee", "bird", "boar", "cat", "colt", "crab", "crow",
        "deer", "dog", "dove", "duck", "eel", "elk", "finch", "fish", "fox", "frog",
        "goat", "hare", "hawk", "hen", "horse", "jay", "lamb", "lark", "lion", "lynx",
        "mole", "moth", "mouse", "newt", "owl", "ox", "panda", "pig", "ram", "seal",
        "shark", "sheep", "slug", "snail", "swan", "toad", "trout", "wasp", "whale", "wolf", "yak",
    ];

    /// <summary>Returns a new random run name.</summary>
    public static string Next()
    {
        var adjective = s_adjectives[RandomNumberGenerator.GetInt32(s_adjectives.Length)];
        var animal = s_animals[RandomNumberGenerator.GetInt32(s_animals.Length)];
        return $"{adjective}-{animal}-{RandomNumberGenerator.GetInt32(1000)}";
    }
}
