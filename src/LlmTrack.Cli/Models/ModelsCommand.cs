using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmTrack.Cli.Common;

namespace LlmTrack.Cli.Models;

/// <summary>
/// <c>llmtrack models ls|versions|alias|promote</c>: the model registry of a tracking server or local store.
/// <c>promote NAME VERSION</c> points an alias at the version (<c>--alias</c>, default <c>champion</c>) and, with
/// <c>--stage</c>, also moves it to a legacy stage (<c>--archive-existing</c> archives the versions already there).
/// </summary>
internal static class ModelsCommand
{
    /// <summary>Builds <c>models</c>.</summary>
    public static Command Create(CliContext context) => new("models", "The model registry: list models and versions, set aliases, promote a version.")
    {
        List(context), Versions(context), Alias(context), Promote(context),
    };

    private static Command List(CliContext context)
    {
        var (uri, format) = (RegistryCli.TrackingUriOption(), RegistryCli.FormatOption());
        var filter = new Option<string>("--filter") { Description = "MLflow filter, e.g. \"name LIKE 'fraud%'\" or \"tags.team = 'x'\"." };
        var command = new Command("ls", "List registered models (prompts are not listed; see `llmtrack prompts ls`).") { uri, format, filter };
        RegistryCli.SetAction(command, uri, context, async (parse, tracker, stdout, ct) =>
        {
            var models = await RegistryCli.ToListAsync(tracker.Models.SearchModelsAsync(parse.GetValue(filter), null, ct)).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(stdout, w => WriteArray(w, models, WriteModel));
            }
            else
            {
                RegistryCli.WriteTable(stdout, ["NAME", "LATEST", "ALIASES", "UPDATED", "DESCRIPTION"], models.Select(m => (IReadOnlyList<string>)
                [
                    m.Name,
                    m.LatestVersions.Count == 0 ? "" : m.LatestVersions.Max(v => v.Version).ToString(CultureInfo.InvariantCulture),
                    string.Join(",", m.Aliases.Select(a => $"{a.Alias}={a.Version}")),
                    RegistryCli.Time(m.LastUpdatedTime),
                    m.Description ?? "",
                ]));
            }

            return CliApp.Success;
        });
        return command;
    }

    private static Command Versions(CliContext context)
    {
        var (uri, format) = (RegistryCli.TrackingUriOption(), RegistryCli.FormatOption());
        var name = new Argument<string>("NAME") { Description = "The registered model." };
        var command = new Command("versions", "List the versions of a registered model, newest first.") { name, uri, format };
        RegistryCli.SetAction(command, uri, context, async (parse, tracker, stdout, ct) =>
        {
            var model = parse.GetValue(name)!;
            await tracker.Models.GetModelAsync(model, ct).ConfigureAwait(false);
            var filter = "name = '" + model.Replace("'", "\\'", StringComparison.Ordinal) + "'";
            var versions = await RegistryCli.ToListAsync(tracker.Models.SearchVersionsAsync(filter, ["version_number DESC"], ct)).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(stdout, w => WriteArray(w, versions, WriteVersion));
            }
            else
            {
                RegistryCli.WriteTable(stdout, ["VERSION", "STAGE", "ALIASES", "RUN", "CREATED", "SOURCE"], versions.Select(v => (IReadOnlyList<string>)
                [
                    v.Version.ToString(CultureInfo.InvariantCulture), v.Stage, string.Join(",", v.Aliases), v.RunId ?? "", RegistryCli.Time(v.CreationTime), v.Source ?? "",
                ]));
            }

            return CliApp.Success;
        });
        return command;
    }

    private static Command Alias(CliContext context)
    {
        var uri = RegistryCli.TrackingUriOption();
        var (name, alias, version) = (new Argument<string>("NAME") { Description = "The registered model." }, new Argument<string>("ALIAS") { Description = "The alias, e.g. champion." }, new Argument<int>("VERSION") { Description = "The version number." });
        var command = new Command("alias", "Point an alias at a version (moving it if it exists).") { name, alias, version, uri };
        RegistryCli.SetAction(command, uri, context, async (parse, tracker, stdout, ct) =>
        {
            await tracker.Models.SetAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, parse.GetValue(version), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{parse.GetValue(name)}@{parse.GetValue(alias)} → version {parse.GetValue(version)}")).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Promote(CliContext context)
    {
        var uri = RegistryCli.TrackingUriOption();
        var name = new Argument<string>("NAME") { Description = "The registered model." };
        var version = new Argument<int>("VERSION") { Description = "The version to promote." };
        var alias = new Option<string>("--alias") { Description = "The alias to point at the version (default champion, unless only --stage is given)." };
        var stage = new Option<string>("--stage") { Description = "Also move the version to this legacy stage (Staging, Production, Archived, None)." };
        var archive = new Option<bool>("--archive-existing") { Description = "With --stage: archive the versions already in that stage." };
        var command = new Command("promote", "Promote a version: point an alias at it (default champion) and/or move it to a legacy stage.") { name, version, alias, stage, archive, uri };
        RegistryCli.SetAction(command, uri, context, async (parse, tracker, stdout, ct) =>
        {
            var (model, number, stageName) = (parse.GetValue(name)!, parse.GetValue(version), parse.GetValue(stage));
            if (parse.GetValue(archive) && stageName is null)
            {
                throw new CliInputException("--archive-existing needs --stage.");
            }

            var aliasName = parse.GetValue(alias) ?? (stageName is null ? "champion" : null);
            if (aliasName is not null)
            {
                await tracker.Models.SetAliasAsync(model, aliasName, number, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{model}@{aliasName} → version {number}")).ConfigureAwait(false);
            }

            if (stageName is not null)
            {
                var moved = await tracker.Models.TransitionStageAsync(model, number, stageName, parse.GetValue(archive), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{model} version {number} → stage {moved.Stage}")).ConfigureAwait(false);
            }

            return CliApp.Success;
        });
        return command;
    }

    internal static void WriteArray<T>(Utf8JsonWriter writer, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            write(writer, item);
        }

        writer.WriteEndArray();
    }

    private static void WriteModel(Utf8JsonWriter w, RegisteredModel m)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        w.WriteNumber("creation_timestamp", m.CreationTime);
        w.WriteNumber("last_updated_timestamp", m.LastUpdatedTime);
        w.WriteString("description", m.Description);
        WriteTags(w, m.Tags);
        w.WriteStartObject("aliases");
        foreach (var alias in m.Aliases)
        {
            w.WriteNumber(alias.Alias, alias.Version);
        }

        w.WriteEndObject();
        w.WritePropertyName("latest_versions");
        WriteArray(w, m.LatestVersions, WriteVersion);
        w.WriteEndObject();
    }

    internal static void WriteVersion(Utf8JsonWriter w, ModelVersion v)
    {
        w.WriteStartObject();
        w.WriteString("name", v.Name);
        w.WriteNumber("version", v.Version);
        w.WriteString("stage", v.Stage);
        w.WriteString("status", v.Status);
        w.WriteString("source", v.Source);
        w.WriteString("run_id", v.RunId);
        w.WriteString("description", v.Description);
        w.WriteNumber("creation_timestamp", v.CreationTime);
        w.WriteNumber("last_updated_timestamp", v.LastUpdatedTime);
        w.WriteStartArray("aliases");
        foreach (var alias in v.Aliases)
        {
            w.WriteStringValue(alias);
        }

        w.WriteEndArray();
        WriteTags(w, v.Tags);
        w.WriteEndObject();
    }

    internal static void WriteTags(Utf8JsonWriter w, IEnumerable<Tag> tags)
    {
        w.WriteStartObject("tags");
        foreach (var tag in tags)
        {
            w.WriteString(tag.Key, tag.Value);
        }

        w.WriteEndObject();
    }
}
