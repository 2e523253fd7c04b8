using System.Text;

namespace LlmTrack.Stores.Sqlite.Traces;

/// <summary>What a trace filter clause refers to.</summary>
internal enum TraceFilterEntity
{
    /// <summary>A column of <c>trace_info</c> (<c>status</c>, <c>timestamp_ms</c>, …), or <c>name</c> / <c>run_id</c>.</summary>
    Attribute,

    /// <summary>A trace tag (<c>tags.x</c>).</summary>
    Tag,

    /// <summary>A trace metadata entry (<c>metadata.x</c>).</summary>
    Metadata,

    /// <summary>A span field (<c>span.name</c>, <c>span.type</c>).</summary>
    Span,

    /// <summary>A feedback assessment by name (<c>feedback.x</c>).</summary>
    Feedback,

    /// <summary>An expectation assessment by name (<c>expectation.x</c>).</summary>
    Expectation,
}

/// <summary>One <c>identifier comparator value</c> clause of a trace filter.</summary>
/// <param name="Entity">What the identifier refers to.</param>
/// <param name="Key">The attribute, tag, metadata key, span field or assessment name.</param>
/// <param name="Comparator">Upper-case comparator: <c>=</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>LIKE</c>, <c>ILIKE</c>, <c>IN</c>, <c>NOT IN</c>.</param>
/// <param name="Values">The value (one item) or the list of an <c>IN</c> clause.</param>
/// <param name="IsQuoted">Whether the value was a quoted string (rather than a number).</param>
internal sealed record TraceFilterClause(TraceFilterEntity Entity, string Key, string Comparator, IReadOnlyList<string> Values, bool IsQuoted);

/// <summary>
/// Parses MLflow's trace filter grammar (<c>SearchTraceUtils</c>): clauses joined by <c>AND</c> on
/// <c>attributes.x</c> / <c>trace.x</c> / <c>attribute.x</c>, <c>tags.x</c>, <c>metadata.x</c>, <c>span.x</c>,
/// <c>feedback.x</c> and <c>expectation.x</c> (keys in backticks or double quotes when they hold dots or spaces),
/// quoted strings, numbers and <c>IN (…)</c> lists. Errors are <c>INVALID_PARAMETER_VALUE</c>.
/// </summary>
internal static class TraceFilter
{
    private static readonly string[] Comparators = ["NOT IN", "ILIKE", "LIKE", "IN", "!=", "<>", "<=", ">=", "=", "<", ">"];

    /// <summary>Parses a filter string (null or blank = no clauses).</summary>
    public static IReadOnlyList<TraceFilterClause> Parse(string? filter)
    {
        var clauses = new List<TraceFilterClause>();
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
            var (values, quoted) = comparator is "IN" or "NOT IN" ? (ReadList(filter, ref position), true) : ReadValue(filter, ref position);
            clauses.Add(new TraceFilterClause(entity, key, comparator, values, quoted));
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

    /// <summary>An <c>INVALID_PARAMETER_VALUE</c> error.</summary>
    public static MlflowException Invalid(string message) => new(MlflowErrorCode.InvalidParameterValue, message);

    private static (TraceFilterEntity Entity, string Key) ReadIdentifier(string text, ref int position)
    {
        var start = position;
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
            return (TraceFilterEntity.Attribute, word);
        }

        position++;
        var entity = word.ToLowerInvariant() switch
        {
            "attribute" or "attributes" or "attr" or "trace" => TraceFilterEntity.Attribute,
            "tag" or "tags" => TraceFilterEntity.Tag,
            "metadata" or "request_metadata" => TraceFilterEntity.Metadata,
            "span" => TraceFilterEntity.Span,
            "feedback" => TraceFilterEntity.Feedback,
            "expectation" => TraceFilterEntity.Expectation,
            _ => throw Invalid($"Invalid entity type '{word}'. Valid values are ['attribute', 'tag', 'metadata', 'span', 'feedback', 'expectation']"),
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
            throw Invalid($"Invalid filter '{text}': missing key after '{word}.' at position {keyStart}.");
        }

        return (entity, text[keyStart..position]);
    }

    private static string ReadComparator(string text, ref int position)
    {
        foreach (var comparator in Comparators)
        {
            if (string.Compare(text, position, comparator, 0, comparator.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                var end = position + comparator.Length;
                var isWord = char.IsLetter(comparator[0]);
                if (isWord && end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
                {
                    continue;
                }

                position = end;
                return comparator == "<>" ? "!=" : comparator.ToUpperInvariant();
            }
        }

        throw Invalid($"Invalid filter '{text}': expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) at position {position}.");
    }

    private static (IReadOnlyList<string> Values, bool Quoted) ReadValue(string text, ref int position)
    {
        if (position < text.Length && text[position] is '\'' or '"')
        {
            return ([FilterLexer.ReadQuoted(text, ref position)], true);
        }

        var start = position;
        while (position < text.Length && !char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        if (position == start)
        {
            throw Invalid($"Invalid filter '{text}': missing value at position {start}.");
        }

        return ([text[start..position]], false);
    }

    private static List<string> ReadList(string text, ref int position)
    {
        if (position >= text.Length || text[position] != '(')
        {
            throw Invalid($"Invalid filter '{text}': expected '(' at position {position}.");
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
                return values;
            }

            throw Invalid($"Invalid filter '{text}': expected ',' or ')' at position {position}.");
        }
    }

}
