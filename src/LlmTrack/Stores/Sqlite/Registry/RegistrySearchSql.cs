using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite.Registry;

/// <summary>
/// SQL for MLflow's registry searches: <c>name</c> (=, !=, LIKE, ILIKE) and <c>tags.x</c> for registered models;
/// <c>name</c>, <c>version_number</c>, <c>run_id</c>, <c>source_path</c> and <c>tags.x</c> for versions; MLflow's
/// default orders; prompts hidden from model searches unless the filter asks for them.
/// </summary>
internal static class RegistrySearchSql
{
    /// <summary>The tag that marks a registered model as a prompt.</summary>
    public const string IsPromptTag = "mlflow.prompt.is_prompt";

    private static readonly string[] StringComparators = ["=", "!=", "LIKE", "ILIKE"];

    /// <summary>The WHERE conditions (joined with AND) of a registered-model search over alias <c>rm</c>.</summary>
    public static string ModelConditions(SqliteCommand command, string? filter, ref int index)
    {
        var clauses = SearchFilter.Parse(filter);
        var conditions = new List<string> { "rm.workspace = 'default'" };
        var wantsPrompts = IsQueryingPrompts(clauses);
        foreach (var clause in clauses)
        {
            if (clause.Entity == SearchEntity.Tag)
            {
                if (!wantsPrompts && clause.Key == IsPromptTag)
                {
                    continue;
                }

                conditions.Add(TagCondition(command, "registered_model_tags", "t.name = rm.name", clause, ref index));
            }
            else if (clause.Entity == SearchEntity.Attribute && clause.Key == "name")
            {
                conditions.Add(Comparison(command, "rm.name", clause, StringComparators, ref index));
            }
            else
            {
                throw RegistryRules.Invalid($"Invalid attribute key '{clause.Key}' specified. Valid keys are '{{'name'}}'");
            }
        }

        if (!wantsPrompts)
        {
            conditions.Add($"NOT EXISTS (SELECT 1 FROM registered_model_tags p WHERE p.workspace = rm.workspace AND p.name = rm.name AND p.\"key\" = '{IsPromptTag}' AND p.value = 'true')");
        }

        return string.Join(" AND ", conditions);
    }

    /// <summary>The ORDER BY of a registered-model search (name ASC is always the last key).</summary>
    public static string ModelOrder(IReadOnlyList<string>? orderBy)
    {
        var columns = new List<string>();
        foreach (var order in (orderBy ?? []).Select(SearchFilter.ParseOrderBy))
        {
            var column = order.Key switch
            {
                "name" => "rm.name",
                "timestamp" or "last_updated_timestamp" => "rm.last_updated_time",
                "creation_timestamp" => "rm.creation_time",
                _ => throw RegistryRules.Invalid($"Invalid order by key '{order.Key}' specified.Valid keys are '['name', 'timestamp', 'last_updated_timestamp']'"),
            };
            AddOrder(columns, column, order.Ascending, orderBy!);
        }

        if (!columns.Any(c => c.StartsWith("rm.name ", StringComparison.Ordinal)))
        {
            columns.Add("rm.name ASC");
        }

        return string.Join(", ", columns);
    }

    /// <summary>The WHERE conditions of a model-version search over alias <c>mv</c> (deleted versions excluded).</summary>
    public static string VersionConditions(SqliteCommand command, string? filter, ref int index)
    {
        var conditions = new List<string> { "mv.workspace = 'default'", $"mv.current_stage != '{RegistryRules.DeletedStage}'" };
        foreach (var clause in SearchFilter.Parse(filter))
        {
            if (clause.Entity == SearchEntity.Tag)
            {
                conditions.Add(TagCondition(command, "model_version_tags", "t.name = mv.name AND t.version = mv.version", clause, ref index));
                continue;
            }

            var key = clause.Entity == SearchEntity.Attribute ? clause.Key : clause.Entity.ToString().ToLowerInvariant() + "." + clause.Key;
            conditions.Add(key switch
            {
                "name" => Comparison(command, "mv.name", clause, StringComparators, ref index),
                "source_path" => Comparison(command, "mv.source", clause, StringComparators, ref index),
                "run_id" => Comparison(command, "mv.run_id", clause, ["=", "!=", "LIKE", "ILIKE", "IN"], ref index),
                "version_number" => Comparison(command, "mv.version", clause with { IsQuoted = false }, ["=", "!=", "<", "<=", ">", ">=", "IN"], ref index),
                _ => throw RegistryRules.Invalid($"Invalid attribute key '{clause.Key}' specified. Valid keys are '{{'run_id', 'name', 'version_number', 'source_path'}}'"),
            });
        }

        return string.Join(" AND ", conditions);
    }

    /// <summary>The ORDER BY of a model-version search (MLflow's default: newest change first, then name, then version descending).</summary>
    public static string VersionOrder(IReadOnlyList<string>? orderBy)
    {
        var columns = new List<string>();
        var items = orderBy is { Count: > 0 } ? orderBy : ["last_updated_timestamp DESC", "name ASC", "version_number DESC"];
        foreach (var order in items.Select(SearchFilter.ParseOrderBy))
        {
            var column = order.Key switch
            {
                "name" => "mv.name",
                "version_number" => "mv.version",
                "creation_timestamp" => "mv.creation_time",
                "last_updated_timestamp" => "mv.last_updated_time",
                "run_id" => "mv.run_id",
                "source_path" => "mv.source",
                _ => throw RegistryRules.Invalid($"Invalid order by key '{order.Key}' specified. Valid keys are {{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp', 'run_id', 'source_path'}}"),
            };
            AddOrder(columns, column, order.Ascending, items);
        }

        if (!columns.Any(c => c.StartsWith("mv.name ", StringComparison.Ordinal)))
        {
            columns.Add("mv.name ASC");
        }

        if (!columns.Any(c => c.StartsWith("mv.version ", StringComparison.Ordinal)))
        {
            columns.Add("mv.version DESC");
        }

        return string.Join(", ", columns);
    }

    private static bool IsQueryingPrompts(IReadOnlyList<SearchClause> clauses)
    {
        var clause = clauses.FirstOrDefault(c => c.Entity == SearchEntity.Tag && c.Key == IsPromptTag);
        return clause is not null
            && ((clause.Comparator == "=" && string.Equals(clause.Values[0], "true", StringComparison.OrdinalIgnoreCase))
                || (clause.Comparator == "!=" && string.Equals(clause.Values[0], "false", StringComparison.OrdinalIgnoreCase)));
    }

    private static void AddOrder(List<string> columns, string column, bool ascending, IReadOnlyList<string> orderBy)
    {
        if (columns.Any(c => c.StartsWith(column + " ", StringComparison.Ordinal)))
        {
            throw RegistryRules.Invalid($"`order_by` contains duplicate fields: [{string.Join(", ", orderBy.Select(o => "'" + o + "'"))}]");
        }

        columns.Add(column + (ascending ? " ASC" : " DESC"));
    }

    private static string TagCondition(SqliteCommand command, string table, string join, SearchClause clause, ref int index)
    {
        var key = SqliteSearchSql.AddParameter(command, clause.Key, ref index);
        var value = Comparison(command, "t.value", clause, StringComparators, ref index);
        return $"EXISTS (SELECT 1 FROM {table} t WHERE t.workspace = 'default' AND {join} AND t.\"key\" = {key} AND {value})";
    }

    private static string Comparison(SqliteCommand command, string column, SearchClause clause, string[] allowed, ref int index)
    {
        if (!allowed.Contains(clause.Comparator))
        {
            throw RegistryRules.Invalid($"Invalid comparator '{clause.Comparator}' not one of '[{string.Join(", ", allowed.Select(a => "'" + a + "'"))}]'");
        }

        object Value(string raw) => clause.IsQuoted ? raw : long.Parse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture);
        switch (clause.Comparator)
        {
            case "LIKE":
                return $"{column} GLOB {SqliteSearchSql.AddParameter(command, SearchFilter.LikeToGlob(clause.Values[0]), ref index)}";
            case "ILIKE":
                return $"LOWER({column}) LIKE LOWER({SqliteSearchSql.AddParameter(command, clause.Values[0], ref index)})";
            case "IN":
                var names = new List<string>();
                foreach (var value in clause.Values)
                {
                    names.Add(SqliteSearchSql.AddParameter(command, Value(value), ref index));
                }

                return $"{column} IN ({string.Join(", ", names)})";
            default:
                return $"{column} {clause.Comparator} {SqliteSearchSql.AddParameter(command, Value(clause.Values[0]), ref index)}";
        }
    }
}
