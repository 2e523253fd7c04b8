using System.Globalization;
using System.Text;

namespace LlmTrack.Validation;

/// <summary>What a key names; used in messages only (the rules are the same for all three).</summary>
internal enum KeyKind
{
    /// <summary>A metric key.</summary>
    Metric,

    /// <summary>A param key.</summary>
    Param,

    /// <summary>A run tag key.</summary>
    Tag,
}

/// <summary>
/// MLflow's rules for metric, param and tag keys and values (mlflow/utils/validation.py):
/// a key has at most 250 characters, matches <c>^[/\w.\- :]*$</c> with Python's Unicode-aware <c>\w</c>,
/// and is unchanged by POSIX path normalisation, not <c>.</c>, and does not start with <c>..</c> or <c>/</c>.
/// A param value has at most 6000 characters, a run tag value at most 8000. Lengths count Unicode code
/// points, as Python's <c>len</c> does.
/// </summary>
/// <remarks>
/// One deliberate difference: Python's <c>$</c> also matches before a trailing newline, so MLflow accepts a
/// key such as <c>"loss\n"</c>; LlmTrack refuses it.
/// </remarks>
internal static class TrackingNames
{
    /// <summary>The longest metric, param or tag key.</summary>
    public const int MaxKeyLength = 250;

    /// <summary>The longest param value.</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>The longest run tag value.</summary>
    public const int MaxRunTagValueLength = 8000;

    /// <summary>Returns why <paramref name="key"/> is not a valid key, or <see langword="null"/> when it is.</summary>
    public static string? DescribeKeyProblem(string key)
    {
        if (key.Length == 0)
        {
            return "Keys must not be empty.";
        }

        if (CodePointLength(key) > MaxKeyLength)
        {
            return $"Keys have at most {MaxKeyLength} characters; this one has {CodePointLength(key)}.";
        }

        foreach (var rune in key.EnumerateRunes())
        {
            if (!IsKeyCharacter(rune))
            {
                return "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).";
            }
        }

        var normalized = NormalizePosixPath(key);
        if (normalized != key || normalized == "." || normalized.StartsWith("..", StringComparison.Ordinal) || normalized.StartsWith('/'))
        {
            return $"Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '{normalized}'.";
        }

        return null;
    }

    /// <summary>Throws unless <paramref name="key"/> is a valid key; repeated keys cost a cache lookup only.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void ValidateKey(string key, KeyKind kind)
    {
        if (key is null || !ValidatedKeyCache.Contains(key))
        {
            ValidateNewKey(key!, kind);
        }
    }

    private static void ValidateNewKey(string key, KeyKind kind)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }

        if (DescribeKeyProblem(key) is { } problem)
        {
            throw new MlflowValidationException($"Invalid {Describe(kind)} key '{key}': {problem}", nameof(key), key);
        }

        ValidatedKeyCache.Add(key);
    }

    /// <summary>Throws unless <paramref name="value"/> is a valid param value.</summary>
    public static void ValidateParamValue(string key, string value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value), $"The value of param '{key}' must not be null.");
        }

        if (value.Length > MaxParamValueLength && CodePointLength(value) > MaxParamValueLength)
        {
            throw new MlflowValidationException(
                $"The value of param '{key}' has {CodePointLength(value)} characters; MLflow allows at most {MaxParamValueLength} (a server would truncate it silently).",
                nameof(value),
                key);
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is a valid run tag value.</summary>
    public static void ValidateTagValue(string key, string value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value), $"The value of tag '{key}' must not be null.");
        }

        if (value.Length > MaxRunTagValueLength && CodePointLength(value) > MaxRunTagValueLength)
        {
            throw new MlflowValidationException(
                $"The value of tag '{key}' has {CodePointLength(value)} characters; MLflow allows at most {MaxRunTagValueLength} (a server would truncate it silently).",
                nameof(value),
                key);
        }
    }

    /// <summary>The number of Unicode code points (Python's <c>len</c>); unpaired surrogates count one each.</summary>
    public static int CodePointLength(string value)
    {
        var length = value.Length;
        for (var i = 0; i + 1 < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && char.IsLowSurrogate(value[i + 1]))
            {
                length--;
                i++;
            }
        }

        return length;
    }

    /// <summary>Python <c>posixpath.normpath</c>.</summary>
    public static string NormalizePosixPath(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var leadingSlashes = 0;
        while (leadingSlashes < path.Length && path[leadingSlashes] == '/')
        {
            leadingSlashes++;
        }

        // POSIX allows exactly two leading slashes to mean something else; three or more mean one.
        var prefix = leadingSlashes switch
        {
            0 => "",
            2 => "//",
            _ => "/",
        };

        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part != ".." || (prefix.Length == 0 && parts.Count == 0) || (parts.Count > 0 && parts[^1] == ".."))
            {
                parts.Add(part);
            }
            else if (parts.Count > 0)
            {
                parts.RemoveAt(parts.Count - 1);
            }
        }

        var joined = prefix + string.Join('/', parts);
        return joined.Length == 0 ? "." : joined;
    }

    /// <summary>Python's <c>\w</c> (str.isalnum() or <c>_</c>) plus <c>/ . - space :</c>.</summary>
    internal static bool IsKeyCharacter(Rune rune)
    {
        if (rune.IsAscii)
        {
            var c = (char)rune.Value;
            return char.IsAsciiLetterOrDigit(c) || c is '_' or '/' or '.' or '-' or ' ' or ':';
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            _ => false,
        };
    }

    private static string Describe(KeyKind kind) => kind switch
    {
        KeyKind.Metric => "metric",
        KeyKind.Param => "param",
        _ => "tag",
    };
}
