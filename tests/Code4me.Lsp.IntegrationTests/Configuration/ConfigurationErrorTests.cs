using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.IntegrationTests.Configuration;

/// <summary>
/// A user's ordinary mistakes in a setting, through the published executable: one line on stderr naming the setting, its
/// value and what it may be, exit 2, never a stack trace. These used to print a 13–27-line .NET stack trace and exit 1,
/// or (a deadline of 0, a debounce minimum above its maximum) be accepted with every completion then empty.
/// </summary>
public sealed class ConfigurationErrorTests
{
    public static TheoryData<string, string> Invalid() => new()
    {
        { "Code4me:Logging:Level=Loud", "code4me-lsp: invalid setting Code4me:Logging:Level = 'Loud': expected one of Trace, Debug, Information, Warning, Error, Critical, None." },
        { "Code4me:Completion:Policy=Fastest", "code4me-lsp: invalid setting Code4me:Completion:Policy = 'Fastest': expected one of FirstToAnswer, HighestConfidence, AbTest." },
        { "Code4me:Completion:DeadlineMs=abc", "code4me-lsp: invalid setting Code4me:Completion:DeadlineMs = 'abc': expected a whole number." },
        { "Code4me:Completion:Models:0:Kind=Bogus", "code4me-lsp: invalid setting Code4me:Completion:Models:0:Kind = 'Bogus': expected one of Offline, OpenAi." },
        { "Code4me:Telemetry:Spool:MaxBytes=-1", "code4me-lsp: invalid configuration: Code4me:Telemetry:Spool:MaxBytes (-1) must be at least SegmentBytes (4194304)." },
        { "Code4me:Completion:DeadlineMs=-5", "code4me-lsp: invalid configuration: Code4me:Completion:DeadlineMs must be between 1 and 600000 ms; it is -5." },
        { "Code4me:Completion:DeadlineMs=0", "code4me-lsp: invalid configuration: Code4me:Completion:DeadlineMs must be between 1 and 600000 ms; it is 0." },
        { "Code4me:Completion:DebounceMinMs=500", "code4me-lsp: invalid configuration: Code4me:Completion:DebounceMinMs (500) must not exceed Code4me:Completion:DebounceMaxMs (400)." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Serve_InvalidSettingOnTheCommandLine_OneLineAndExit2(string setting, string expected)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("--config", setting);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal(expected, stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Serve_InvalidSettingInTheEnvironment_OneLineAndExit2()
    {
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Code4me__Logging__Level"] = "Loud" });
        server.Process.StandardInput.Close();

        Assert.Equal(2, await server.WaitForExitAsync());
        Assert.Equal(
            "code4me-lsp: invalid setting Code4me:Logging:Level = 'Loud': expected one of Trace, Debug, Information, Warning, Error, Critical, None.",
            server.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Complete_InvalidSetting_OneLineAndExit2()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("code4me-complete-").FullName, "a.py");
        await File.WriteAllTextAsync(file, "x = 1\n");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("complete", $"{file}:1:5", "--config", "Code4me:Completion:DebounceMinMs=abc");

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal("code4me-lsp: invalid setting Code4me:Completion:DebounceMinMs = 'abc': expected a whole number.", stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Serve_MistypedKey_WarnsNamingTheClosestKnownSetting_AndServes()
    {
        var (_, _, stderr) = await ServerProcess.RunAsync(
            "--config", "Code4me:Completion:Modls:0:Name=x", "--config", "Code4me:Telemetry:Consent:Enabeld=true", "--config", "Code4me:Completion:Offline:Order=4");

        Assert.Contains("code4me-lsp: warning: unknown setting Code4me:Completion:Modls (ignored); did you mean Code4me:Completion:Models?", stderr, StringComparison.Ordinal);
        Assert.Contains("code4me-lsp: warning: unknown setting Code4me:Telemetry:Consent:Enabeld (ignored); did you mean Code4me:Telemetry:Consent:Enabled?", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Offline", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Contains("Session over", stderr, StringComparison.Ordinal);   // it served (until its input ended)
    }
}
