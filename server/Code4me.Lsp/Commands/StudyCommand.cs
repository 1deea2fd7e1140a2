using System.CommandLine;
using System.Globalization;
using Code4me.Lsp.Storage.Postgres.Studies;
using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.Commands;

/// <summary>
/// Studies (migration 0013): <c>code4me-lsp study create NAME [--description D] [--since T] [--until T]</c>,
/// <c>study enrol NAME --user ID|EMAIL | --installation ID [--arm A]</c>, <c>study list [NAME]</c> (the studies, or one
/// study's participants). <c>report --study NAME</c> keeps a study's participants and period. Writing needs the database
/// owner; a mistake (unknown study or user, a name taken, enrolled twice) is one line and exit 1, a malformed option exit 2.
/// </summary>
internal static class StudyCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var database = DatabaseCommandRunner.DatabaseOption();
        var name = new Argument<string>("NAME") { Description = "The study's name (unique)." };

        var description = new Option<string?>("--description") { Description = "What the study is about." };
        var since = new Option<string?>("--since") { Description = "The study counts queries at or after this time (ISO 8601; without an offset UTC)." };
        var until = new Option<string?>("--until") { Description = "The study counts queries before this time (ISO 8601; without an offset UTC)." };
        var create = new Command("create", "Create a study: a name, a description, an optional period.");
        create.Arguments.Add(name);
        create.Options.Add(description);
        create.Options.Add(since);
        create.Options.Add(until);
        create.Validators.Add(result => ReportCommand.RequireInstants(result, since, until));
        create.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (db, ct) =>
        {
            var study = parseResult.GetValue(name)!;
            await new StudyRepository(db).CreateAsync(
                study, parseResult.GetValue(description) ?? "", ReportCommand.ParseInstant(parseResult.GetValue(since)), ReportCommand.ParseInstant(parseResult.GetValue(until)), ct);
            await context.Out.WriteLineAsync($"Created study {study}.");
            return 0;
        }, cancellationToken));

        var user = new Option<string?>("--user") { Description = "The user's id or e-mail address." };
        var installation = new Option<Guid?>("--installation") { Description = "An anonymous installation id (code4me-lsp telemetry status prints it), instead of --user." };
        var arm = new Option<string?>("--arm") { Description = "The arm the participant is assigned to (free text)." };
        var enrol = new Command("enrol", "Enrol a user or an anonymous installation in a study (every query of the user, or of the installation's sessions, counts).");
        enrol.Arguments.Add(name);
        enrol.Options.Add(user);
        enrol.Options.Add(installation);
        enrol.Options.Add(arm);
        enrol.Validators.Add(result => DataCommand.OneSubject(result, user, installation));
        enrol.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (db, ct) =>
        {
            var study = parseResult.GetValue(name)!;
            var userId = parseResult.GetValue(user) is { } who ? await new UserDataRepository(db).FindAsync(who, ct) : (Guid?)null;
            var installationId = parseResult.GetValue(installation);
            await new StudyRepository(db).EnrolAsync(study, userId, installationId, parseResult.GetValue(arm), ct);
            await context.Out.WriteLineAsync($"Enrolled {(userId is { } id ? $"user {id}" : $"installation {installationId}")} in study {study}.");
            return 0;
        }, cancellationToken));

        var which = new Argument<string?>("NAME") { Description = "A study: list its participants instead.", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "List the studies (name, period, participants, description), or with NAME that study's participants.");
        list.Arguments.Add(which);
        list.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(context, global, parseResult, database, async (db, ct) =>
        {
            var repository = new StudyRepository(db);
            if (parseResult.GetValue(which) is { } study)
            {
                // One participant a line, tab-separated: kind, id, arm (- for none), enrolled at.
                foreach (var p in await repository.ParticipantsAsync(study, ct))
                {
                    await context.Out.WriteLineAsync(string.Join('\t',
                        p.UserId is not null ? "user" : "installation", (p.UserId ?? p.InstallationId)!.Value.ToString("D"), p.Arm ?? "-", Instant(p.EnrolledAt)));
                }

                return 0;
            }

            // One study a line, tab-separated: name, since (- for open), until, participants, description.
            foreach (var s in await repository.ListAsync(ct))
            {
                await context.Out.WriteLineAsync(string.Join('\t',
                    s.Name, s.StartsAt is { } from ? Instant(from) : "-", s.EndsAt is { } to ? Instant(to) : "-", s.Participants.ToString(CultureInfo.InvariantCulture), s.Description));
            }

            return 0;
        }, cancellationToken));

        var command = new Command("study", "Create studies, enrol participants, list them (writing needs the database owner role); `report --study NAME` reports on one.");
        command.Options.Add(database);
        command.Subcommands.Add(create);
        command.Subcommands.Add(enrol);
        command.Subcommands.Add(list);
        return command;
    }

    private static string Instant(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
