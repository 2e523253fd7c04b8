using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmTrack.Cli.Common;
using LlmTrack.Cli.Models;

namespace LlmTrack.Cli.Prompts;

/// <summary><c>llmtrack prompts ls|show|register</c>: the prompt registry of a tracking server or local store.</summary>
internal static class PromptsCommand
{
    /// <summary>Builds <c>prompts</c>.</summary>
    public static Command Create(CliContext context) => new("prompts", "The prompt registry: list, show and register versioned prompt templates.")
    {
        List(context), Show(context), Register(context),
    };

    private static Command List(CliContext context)
    {
        var (uri, format) = (RegistryCli.TrackingUriOption(), RegistryCli.FormatOption());
        var command = new Command("ls", "List the prompts.") { uri, format };
        RegistryCli.SetAction(command, uri, context, async (parse, tracker, stdout, ct) =>
        {
            var prompts = await RegistryCli.ToListAsync(tracker.Prompts.SearchAsync(null, ct)).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(stdout, w => ModelsCommand.WriteArray(w, prompts, (writer, p) =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", p.Name);
                    writer.WriteNumber("latest_version", p.LatestVersions.Count == 0 ? 0 : p.LatestVersions.Max(v => v.Version));
                    writer.WriteStartObject("aliases");
                    foreach (var alias in p.Aliases)
                    {
                        writer.WriteNumber(alias.Alias, alias.Version);
                    }

                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }));
            }
            else
            {
                RegistryCli.WriteTable(stdout, ["NAME", "LATEST", "ALIASES", "UPDATED"], prompts.Select(p => (IReadOnlyList<string>)
                [
                    p.Name,
                    p.LatestVersions.Count == 0 ? "" : p.LatestVersions.Max(v => v.Version).ToString(CultureInfo.InvariantCulture),
                    string.Join(",", p.Aliases.Select(a => $"{a.Alias}={a.Version}")),
                    RegistryCli.Time(p.LastUpdatedTime),
                ]));
            }

            return CliApp.Success;
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var (uri, format) = (RegistryCli.TrackingUriOption(), RegistryCli.FormatOption());
        var prompt = new Argument<string>("PROMPT") { Description = "NAME (newest version), NAME@alias or NAME/version (a prompts:/ URI works too)." };
        var command = new Command("show", "Show one prompt version: its template, variables, commit message, tags and aliases.") { prompt, uri, format };
        RegistryCli.SetAction(command, uri, context, async (parse, tracker, stdout, ct) =>
        {
            var text = parse.GetValue(prompt)!;
            var version = await tracker.Prompts.LoadAsync(text.StartsWith("prompts:/", StringComparison.Ordinal) || !text.Contains('/', StringComparison.Ordinal) ? text : "prompts:/" + text, ct).ConfigureAwait(false);
            if (parse.GetValue(format) == "json")
            {
                JsonOutput.Write(stdout, w => Write(w, version));
                return CliApp.Success;
            }

            await stdout.WriteLineAsync($"{version.Uri}  ({(version.IsChat ? "chat" : "text")})").ConfigureAwait(false);
            await stdout.WriteLineAsync($"variables: {string.Join(", ", version.Variables)}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"aliases:   {string.Join(", ", version.Aliases)}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"message:   {version.CommitMessage}").ConfigureAwait(false);
            foreach (var tag in version.Tags)
            {
                await stdout.WriteLineAsync($"tag:       {tag.Key}={tag.Value}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync("---").ConfigureAwait(false);
            await stdout.WriteLineAsync(version.IsChat ? string.Join('\n', version.Messages.Select(m => $"[{m.Role}] {m.Content}")) : version.Template).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Register(CliContext context)
    {
        var uri = RegistryCli.TrackingUriOption();
        var name = new Argument<string>("NAME") { Description = "The prompt's name." };
        var template = new Option<string>("--template") { Description = "The template with {{variables}}: a file path, or the text itself.", Required = true };
        var message = new Option<string>("--message", "-m") { Description = "The commit message of the new version." };
        var command = new Command("register", "Register a new version of a text prompt (creating the prompt on its first version).") { name, template, message, uri };
        RegistryCli.SetAction(command, uri, context, async (parse, tracker, stdout, ct) =>
        {
            var value = parse.GetValue(template)!;
            var text = File.Exists(value) ? await File.ReadAllTextAsync(value, ct).ConfigureAwait(false) : value;
            var version = await tracker.Prompts.RegisterAsync(parse.GetValue(name)!, text, parse.GetValue(message), cancellationToken: ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"Registered {version.Uri} (variables: {string.Join(", ", version.Variables)})").ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static void Write(Utf8JsonWriter w, PromptVersion version)
    {
        w.WriteStartObject();
        w.WriteString("name", version.Name);
        w.WriteNumber("version", version.Version);
        w.WriteString("uri", version.Uri);
        w.WriteString("type", version.IsChat ? "chat" : "text");
        w.WriteString("template", version.Template);
        w.WriteString("commit_message", version.CommitMessage);
        w.WriteStartArray("variables");
        foreach (var variable in version.Variables)
        {
            w.WriteStringValue(variable);
        }

        w.WriteEndArray();
        w.WriteStartArray("aliases");
        foreach (var alias in version.Aliases)
        {
            w.WriteStringValue(alias);
        }

        w.WriteEndArray();
        ModelsCommand.WriteTags(w, version.Tags.Select(t => new Tag(t.Key, t.Value)));
        w.WriteEndObject();
    }
}
