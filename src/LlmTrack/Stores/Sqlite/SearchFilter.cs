using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmTrack.Stores.Sqlite;

/// <summary>What a search filter or order-by identifier refers to.</summary>
internal enum SearchEntity
{
    /// <summary>A metric (latest value).</summary>
    Metric,

    /// <summary>A parameter.</summary>
    Param,

    /// <summary>A tag.</summary>
    Tag,

    /// <summary>An attribute of the run or experiment (status, name, start_time, …).</summary>
    Attribute,
}

/// <summary>One <c>identifier comparator value</c> clause of a search filter.</summary>
/// <param name="Entity">What the identifier refers to.</param>
/// <param name="Key">The metric/param/tag key or attribute name.</param>
/// <param name="Comparator">Upper-case comparator: <c>=</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>LIKE</c>, <c>ILIKE</c>, <c>IN</c>, <c>NOT IN</c>.</param>
/// <param name="Values">The value (one item) or the list of an <c>IN</c> clause.</param>
/// <param name="IsQuoted">Whether the value was a quoted string (rather than a number).</param>
internal sealed record SearchClause(SearchEntity Entity, string Key, string Comparator, IReadOnlyList<string> Values, bool IsQuoted);

/// <summary>One <c>order_by</c> item.</summary>
/// <param name="Entity">What the identifier refers to.</param>
/// <param name="Key">The key or attribute name.</param>
/// <param name="Ascending">Whether the order is ascending.</param>
internal sealed record SearchOrder(SearchEntity Entity, string Key, bool Ascending);

/// <summary>
/// The subset of MLflow's search grammar the local store understands: clauses joined by <c>AND</c>,
/// identifiers <c>metrics.x</c>, <c>params.x</c>, <c>tags.x</c>, <c>attributes.x</c> (or a bare
/// attribute name; keys with spaces in backticks or double quotes), string values in single or
/// double quotes, numbers, and <c>IN ('a', 'b')</c> lists. Also MLflow's offset page tokens.
/// </summary>
internal static class SearchFilter
{
    /// <summary>Parses a filter string (null or blank = no clauses).</summary>
    public static IReadOnlyList<SearchClause> Parse(string? filter)
    {
        var clauses = new List<SearchClause>();
        if (string.IsNullOrWhiteSpace(filter))
        {
            return clauses;
        }

        var position = 0;
        while (true)
        {
            FilterLexer.SkipSpace(filter, ref position);
            var (entity, key) = ReadIdentifier(filter, ref position);
            FilterLexer.SkipSpace(filter, ref position);
            var comparator = ReadComparator(filter, ref position);
            FilterLexer.SkipSpace(filter, ref position);
            var (values, quoted) = comparator is "IN" or "NOT IN"
                ? (ReadList(filter, ref position), true)
                : ReadValue(filter, ref position);
            clauses.Add(new SearchClause(entity, key, comparator, values, quoted));
            FilterLexer.SkipSpace(filter, ref position);
            if (position >= filter.Length)
            {
                return clauses;
            }

            if (!FilterLexer.TryReadWord(filter, ref position, "AND"))
            {
                throw Invalid($"Invalid filter '{filter}': expected AND at position {position}. Only clauses joined by AND are supported.");
            }
        }
    }

    /// <summary>Parses one <c>order_by</c> item such as <c>metrics.x DESC</c>.</summary>
    public static SearchOrder ParseOrderBy(string orderBy)
    {
        var position = 0;
        FilterLexer.SkipSpace(orderBy, ref position);
        var (entity, key) = ReadIdentifier(orderBy, ref position);
        FilterLexer.SkipSpace(orderBy, ref position);
        var ascending = true;
        if (FilterLexer.TryReadWord(orderBy, ref position, "DESC"))
        {
            ascending = false;
        }
        else
        {
            FilterLexer.TryReadWord(orderBy, ref position, "ASC");
        }

        FilterLexer.SkipSpace(orderBy, ref position);
        if (position < orderBy.Length)
        {
            throw Invalid($"Invalid order_by clause '{orderBy}'.");
        }

        return new SearchOrder(entity, key, ascending);
    }

    /// <summary>Creates MLflow's page token for an offset: base64 of <c>{"offset": n}</c>.</summary>
    public static string CreatePageToken(long offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"offset\": {offset}}}")));

    /// <summary>Reads the offset of an MLflow page token (0 when there is none).</summary>
    public static int ParsePageToken(string? pageToken)
    {
        if (string.IsNullOrEmpty(pageToken))
        {
            return 0;
        }

        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(pageToken));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("offset", out var offset)
                && offset.TryGetInt32(out var value)
                && value >= 0)
            {
                return value;
            }
        }
        catch (FormatException)
        {
            throw Invalid("Invalid page token, could not base64-decode");
        }
        catch (JsonException)
        {
            throw Invalid("Invalid page token, could not decode JSON");
        }

        throw Invalid($"Invalid page token, parsed value without a non-negative 'offset'");
    }

    /// <summary>Translates a SQL LIKE pattern (<c>%</c>, <c>_</c>) to a case-sensitive GLOB pattern.</summary>
    public static string LikeToGlob(string pattern)
    {
        var builder = new StringBuilder(pattern.Length + 8);
        foreach (var c in pattern)
        {
            builder.Append(c switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static (SearchEntity Entity, string Key) ReadIdentifier(string text, ref int position)
    {
        var start = position;
        if (position < text.Length && text[position] is '`' or '"')
        {
            return (SearchEntity.Attribute, FilterLexer.ReadQuoted(text, ref position));
        }

        while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
        {
            position++;
        }

        var word = text[start..position];
        if (word.Length == 0)
        {
            throw Invalid($"Invalid identifier in '{text}' at position {start}.");
        }

        if (position >= text.Length || text[position] != '.')
        {
            return (SearchEntity.Attribute, word);
        }

        position++;
        var entity = word.ToUpperInvariant() switch
        {
            "METRIC" or "METRICS" => SearchEntity.Metric,
            "PARAM" or "PARAMS" or "PARAMETER" or "PARAMETERS" => SearchEntity.Param,
            "TAG" or "TAGS" => SearchEntity.Tag,
            "ATTRIBUTE" or "ATTRIBUTES" or "ATTR" or "RUN" => SearchEntity.Attribute,
            "DATASET" or "DATASETS" => throw Invalid($"Invalid filter '{text}': dataset filters (datasets.name, datasets.digest, datasets.context) are not supported by the local store."),
            _ => throw Invalid($"Invalid entity type '{word}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"),
        };

        if (position < text.Length && text[position] is '`' or '"')
        {
            return (entity, FilterLexer.ReadQuoted(text, ref position));
        }

        var keyStart = position;
        while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] is '_' or '.' or '-' or '/' or ':'))
        {
            position++;
        }

        if (position == keyStart)
        {
            throw Invalid($"Invalid identifier in '{text}' at position {start}: missing key.");
        }

        return (entity, text[keyStart..position]);
    }

    private static string ReadComparator(string text, ref int position)
    {
        // Like MLflow's tokenizer: a run of comparison symbols is one comparator, so '>>' or '==' is reported whole.
        var start = position;
        while (position < text.Length && text[position] is '<' or '>' or '=' or '!')
        {
            position++;
        }

        if (position > start)
        {
            var symbol = text[start..position];
            return symbol is "!=" or "<=" or ">=" or "=" or "<" or ">"
                ? symbol
                : throw Invalid($"Invalid comparator '{symbol}' not one of '{{'!=', '>=', '<=', '>', '<', '='}}'");
        }

        foreach (var word in new[] { "LIKE", "ILIKE", "IN" })
        {
            if (FilterLexer.TryReadWord(text, ref position, word))
            {
                return word;
            }
        }

        if (FilterLexer.TryReadWord(text, ref position, "NOT"))
        {
            FilterLexer.SkipSpace(text, ref position);
            if (FilterLexer.TryReadWord(text, ref position, "IN"))
            {
                return "NOT IN";
            }
        }

        throw Invalid($"Invalid comparator in '{text}' at position {position}.");
    }

    private static (IReadOnlyList<string> Values, bool Quoted) ReadValue(string text, ref int position)
    {
        if (position < text.Length && text[position] is '\'' or '"')
        {
            return ([FilterLexer.ReadQuoted(text, ref position)], true);
        }

        var start = position;
        while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] is '.' or '-' or '+'))
        {
            position++;
        }

        var token = text[start..position];
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            throw Invalid($"Invalid value '{token}' in '{text}': strings must be quoted and numbers numeric.");
        }

        return ([token], false);
    }

    private static string[] ReadList(string text, ref int position)
    {
        if (position >= text.Length || text[position] != '(')
        {
            throw Invalid($"Expected a parenthesised list after IN in '{text}'.");
        }

        position++;
        var values = new List<string>();
        while (true)
        {
            FilterLexer.SkipSpace(text, ref position);
            values.Add(FilterLexer.ReadQuoted(text, ref position));
            FilterLexer.SkipSpace(text, ref position);
            if (position < text.Length && text[position] == ',')
            {
                position++;
                continue;
            }

            if (position < text.Length && text[position] == ')')
            {
                position++;
                return [.. values];
            }

            throw Invalid($"Unterminated IN list in '{text}'.");
        }
    }

    private static MlflowException Invalid(string message) => new(MlflowErrorCode.InvalidParameterValue, message);
}
