using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.IntegrationTests.Configuration;

/// <summary>
/// One way to give settings to every command, and a user's ordinary mistakes on the command line, through the published
/// executable. Before: <c>--config</c> before a subcommand was ignored and after it refused; <c>migrate</c>, <c>data</c>
/// and <c>user</c> refused <c>Code4me__Database__ConnectionString</c>; parse errors named .NET types or printed the whole
/// help; an unmigrated database said <c>relation "user" does not exist</c>; <c>complete</c> on a folder said "no such
/// file", on a binary printed garbage and exited 0, and took a <c>--workspace</c> that does not exist.
/// </summary>
public sealed class CommandLineTests
{
    public static TheoryData<string[]> ConfigPlacements() => new()
    {
        new[] { "--config", "{db}", "migrate", "status" },
        new[] { "migrate", "--config", "{db}", "status" },
        new[] { "migrate", "status", "--config", "{db}" },
        new[] { "-c", "{db}", "migrate", "status" },
    };

    [Theory]
    [MemberData(nameof(ConfigPlacements))]
    public async Task Config_AnywhereOnTheLine_GivesEveryCommandItsSettings(string[] arguments)
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var setting = $"Code4me:Database:ConnectionString={db.ConnectionString}";

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync([.. arguments.Select(a => a == "{db}" ? setting : a)]);

        Assert.Equal((0, ""), (exitCode, stderr));
        Assert.Contains("0 pending", stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string, string[]> DatabaseCommands() => new()
    {
        { "Code4me__Database__ConnectionString", ["migrate", "status"] },
        { "CODE4ME_DATABASE_URL", ["migrate", "status"] },
        { "Code4me__Database__ConnectionString", ["data", "export", "--user", "nobody@example.org"] },
        { "Code4me__Database__ConnectionString", ["data", "purge", "--older-than", "3650d"] },
        { "Code4me__Database__ConnectionString", ["user", "create", "--email", "a@b.c", "--name", "A"] },
        { "Code4me__Database__ConnectionString", ["telemetry", "flush"] },
    };

    [Theory]
    [MemberData(nameof(DatabaseCommands))]
    public async Task DatabaseFromTheEnvironment_EveryCommandTakesIt(string variable, string[] arguments)
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync(new Dictionary<string, string> { [variable] = db.ConnectionString }, arguments);

        Assert.DoesNotContain("No database given", stderr, StringComparison.Ordinal);
        switch (arguments[0])
        {
            case "migrate":
                Assert.Equal(0, exitCode);
                Assert.Contains("0 pending", stdout, StringComparison.Ordinal);
                break;
            case "data" when arguments[1] == "export":
                // It reached the database: the user is unknown there.
                Assert.Equal((1, "No user has the id or e-mail address 'nobody@example.org'."), (exitCode, stderr.TrimEnd('\n')));
                break;
            case "user":
                // It reached the database and got as far as the password, which stdin does not hold.
                Assert.Equal(1, exitCode);
                Assert.StartsWith("No password on stdin", stderr, StringComparison.Ordinal);
                break;
            default:
                Assert.Equal((0, ""), (exitCode, stderr));
                break;
        }
    }

    [Fact]
    public async Task TelemetryStatus_SpoolFromGlobalConfig_IsTheOneShown()
    {
        var spool = Path.Combine(Directory.CreateTempSubdirectory("code4me-spool-given-").FullName, "not-yet");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("--config", $"Code4me:Telemetry:Spool:Directory={spool}", "telemetry", "status");

        Assert.Equal((0, ""), (exitCode, stderr));
        Assert.Contains($"No telemetry spool at {spool}", stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string[]> CommandsOnAnUnmigratedDatabase() => new()
    {
        new[] { "data", "export", "--user", "ada@example.org" },
        new[] { "data", "purge", "--older-than", "90d" },
    };

    [Theory]
    [MemberData(nameof(CommandsOnAnUnmigratedDatabase))]
    public async Task UnmigratedDatabase_SaysRunMigrateUpInOneLine(string[] arguments)
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync([.. arguments, "--database", db.ConnectionString]);

        Assert.Equal((1, ""), (exitCode, stdout));
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("has no Code4me schema", line, StringComparison.Ordinal);
        Assert.EndsWith("run `code4me-lsp migrate up` as its owner.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnmigratedDatabase_WarnsOnceToRunMigrateUp()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["CODE4ME_DATABASE_URL"] = db.ConnectionString });

        await server.WaitForStderrAsync("run `code4me-lsp migrate up`");
        server.Process.StandardInput.Close();
        await server.WaitForExitAsync();

        var warning = Assert.Single(server.Stderr.Split('\n'), l => l.Contains("migrate up", StringComparison.Ordinal));
        Assert.Contains("is at schema version 0; this code4me-lsp writes version", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Stderr, StringComparison.Ordinal);   // no stack trace anywhere
    }

    public static TheoryData<string[], string> ParseErrors() => new()
    {
        {
            ["data", "export", "--installation", "xyz"],
            "code4me-lsp data export: --installation takes a UUID such as 123e4567-e89b-12d3-a456-426614174000, not 'xyz'."
        },
        { ["migrate", "down", "abc"], "code4me-lsp migrate down: down takes a whole number, not 'abc'." },
        { ["bogus"], "code4me-lsp: 'bogus' is not a command or option here; the commands are migrate, complete, telemetry, user, data, report, study." },
        { ["migrate"], "code4me-lsp migrate: name a command: up, down, status." },
        { ["user", "create", "--name", "A"], "code4me-lsp user create: Option '--email' is required." },
        { ["complte", "examples/demo.py:16:15"], "code4me-lsp: 'complte' is not a command or option here; did you mean complete?" },
        { ["--stdoi"], "code4me-lsp: '--stdoi' is not a command or option here; did you mean --stdio?" },
        {
            ["complete", "demo.py:1:1", "--worksapce", "examples"],
            "code4me-lsp complete: '--worksapce' is not a command or option here; did you mean --workspace?"
        },
        { ["complete"], "code4me-lsp complete: complete needs location: FILE:LINE:COL, 1-based (e.g. src/app.py:12:8)." },
    };

    [Theory]
    [MemberData(nameof(ParseErrors))]
    public async Task ParseError_InWordsWithAHintAndExit2(string[] arguments, string expected)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync(arguments);

        Assert.Equal((2, ""), (exitCode, stdout));
        var lines = stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(expected, lines[0]);
        Assert.StartsWith("Run 'code4me-lsp", lines[^1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);   // not the whole help
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("complete")]
    [InlineData("telemetry")]
    public async Task MistypedSetting_AnyCommand_WarnsWithTheClosestKnownKey(string command)
    {
        var folder = Directory.CreateTempSubdirectory("code4me-mistyped-").FullName;
        var file = Path.Combine(folder, "a.py");
        await File.WriteAllTextAsync(file, "def area(width, height):\n    return width * height\n\nprint(ar");
        string[] arguments = command == "complete"
            ? ["complete", $"{file}:4:9", "--config", "Code4me:Completion:ManualOnyl=true"]
            : ["telemetry", "status", "--config", "Code4me:Completion:ManualOnyl=true", "--config", $"Code4me:Telemetry:Spool:Directory={folder}/spool"];

        var (_, _, stderr) = await ServerProcess.RunAsync(arguments);

        Assert.Contains(
            "code4me-lsp: warning: unknown setting Code4me:Completion:ManualOnyl (ignored); did you mean Code4me:Completion:ManualOnly?",
            stderr.Split('\n'));
    }

    [Fact]
    public async Task Config_NotKeyValue_OneLineAndExit2ForAnyCommand()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunAsync("migrate", "status", "--config", "nonsense");

        Assert.Equal(2, exitCode);
        Assert.Equal("code4me-lsp: --config takes Key=Value (e.g. Code4me:Logging:Level=Debug), not 'nonsense'.", stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Complete_OnAFolder_SaysItIsAFolder()
    {
        var folder = Directory.CreateTempSubdirectory("code4me-complete-").FullName;

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("complete", $"{folder}:1:1");

        Assert.Equal((1, ""), (exitCode, stdout));
        Assert.StartsWith($"code4me-lsp complete: {folder} is a folder; give a file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_OnABinaryFile_RefusesIt()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("code4me-complete-").FullName, "image.py");
        await File.WriteAllBytesAsync(file, [0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x1A, 0x0A, 0x41, 0x42]);

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("complete", $"{file}:1:1");

        Assert.Equal((1, ""), (exitCode, stdout));
        Assert.Equal($"code4me-lsp complete: {file} is not a text file (it holds NUL bytes).", stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Complete_WorkspaceThatDoesNotExist_IsRefused()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("code4me-complete-").FullName, "a.py");
        await File.WriteAllTextAsync(file, "x = 1\n");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("complete", $"{file}:1:5", "--workspace", "/nonexistent/code4me");

        Assert.Equal((1, ""), (exitCode, stdout));
        Assert.Equal("code4me-lsp complete: no such folder for --workspace: /nonexistent/code4me", stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task ScriptsRun_FromAnotherFolderWithARelativePath_AnswersWithoutRepublishing()
    {
        var root = RepositoryRoot();
        var folder = Directory.CreateTempSubdirectory("code4me-run-");
        Directory.CreateDirectory(Path.Combine(folder.FullName, "src"));
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "src", "lib.py"), "def load(path):\n    return np.loadtxt(path, delimiter=',')\n");
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "src", "main.py"), "rows = np.loadtxt(\n");
        var info = new System.Diagnostics.ProcessStartInfo("bash")
        {
            WorkingDirectory = folder.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { Path.Combine(root, "scripts", "run"), "complete", "src/main.py:1:19" },
        };
        info.Environment["Code4me__Telemetry__Spool__Directory"] = Path.Combine(folder.FullName, "spool");

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestTimeout.Token());

        Assert.Equal(0, process.ExitCode);
        Assert.StartsWith("path, delimiter=','", await stdout, StringComparison.Ordinal);
        // The suite runs after `scripts/test` published: nothing changed since, so nothing is published again.
        Assert.DoesNotContain("publishing", await stderr, StringComparison.Ordinal);
    }

    /// <summary>The repository: the folder above this test assembly's that holds <c>global.json</c>.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "global.json")) && File.Exists(Path.Combine(directory.FullName, "scripts", "run")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (global.json, scripts/run) is not above " + AppContext.BaseDirectory);
    }
}
