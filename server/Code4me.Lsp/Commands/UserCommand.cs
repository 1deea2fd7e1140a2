using System.CommandLine;
using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.Commands;

/// <summary>
/// <c>code4me-lsp user create --email … --name … [--database …]</c>: creates an account. The password is read
/// from the first line of stdin (never from the command line, where other users and shell history see it),
/// hashed with Argon2id, and the auth token is printed once.
/// </summary>
internal static class UserCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var database = DatabaseCommandRunner.DatabaseOption();
        var email = new Option<string>("--email") { Description = "The e-mail address (unique, case-insensitively).", Required = true };
        var name = new Option<string>("--name") { Description = "The display name.", Required = true };

        var create = new Command("create", "Create a user; the password is read from stdin; prints the auth token once.");
        create.Options.Add(email);
        create.Options.Add(name);
        create.SetAction((parseResult, cancellationToken) => DatabaseCommandRunner.RunAsync(
            context,
            global,
            parseResult,
            database,
            async (dataSource, ct) =>
            {
                using var stdin = new StreamReader(context.Input, leaveOpen: true);
                var password = await stdin.ReadLineAsync(ct);
                if (string.IsNullOrEmpty(password))
                {
                    await context.Error.WriteLineAsync("No password on stdin: pipe it in, e.g. `read -rs p; printf '%s\\n' \"$p\" | code4me-lsp user create …`.");
                    return DatabaseCommandRunner.Failure;
                }

                var user = await new UserRepository(dataSource).CreateAsync(parseResult.GetValue(email)!, parseResult.GetValue(name)!, password, ct);
                await context.Out.WriteLineAsync($"Created user {user.UserId}.");
                await context.Out.WriteLineAsync($"Auth token (shown once, keep it secret): {user.AuthToken}");
                return 0;
            },
            cancellationToken));

        var command = new Command("user", "Manage user accounts (needs the database owner role).");
        command.Options.Add(database);
        command.Subcommands.Add(create);
        return command;
    }
}
