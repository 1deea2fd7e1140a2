using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>The anonymous installation id: its file, its stability, and the session that carries it through the real pipe.</summary>
public sealed class InstallationIdentityTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("code4me-installation-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string IdPath => Path.Combine(_dir.FullName, "spool", "installation-id");

    [Fact]
    public void GetOrCreate_NoFile_CreatesAUuidFileThatAnotherInstanceReadsBack()
    {
        var first = new InstallationIdentity(IdPath, NullLogger<InstallationIdentity>.Instance).GetOrCreate();
        var second = new InstallationIdentity(IdPath, NullLogger<InstallationIdentity>.Instance).GetOrCreate();

        Assert.NotNull(first);
        Assert.Equal(first, second);
        Assert.Equal(first.Value.ToString("D"), File.ReadAllText(IdPath));
        Assert.Equal(first, InstallationIdentity.Read(IdPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(IdPath));
        }
    }

    [Fact]
    public async Task GetOrCreate_ManyInstancesAtOnce_AllGetTheSameId()
    {
        // Rounds, each from no file, so that a race between creators has many chances to show.
        for (var round = 0; round < 25; round++)
        {
            var path = Path.Combine(_dir.FullName, $"round-{round}", "installation-id");
            using var start = new Barrier(16);
            var ids = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    var identity = new InstallationIdentity(path, NullLogger<InstallationIdentity>.Instance);
                    Assert.True(start.SignalAndWait(TimeSpan.FromMinutes(1)));
                    return identity.GetOrCreate();
                },
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

            var id = Assert.Single(ids.Distinct());
            Assert.NotNull(id);
            Assert.Equal(id.Value.ToString("D"), File.ReadAllText(path));
            Assert.Equal(
                ["installation-id", "installation-id" + InstallationIdentity.LockSuffix],
                Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void GetOrCreate_FileWithoutAUuid_ReplacesIt()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(IdPath)!);
        File.WriteAllText(IdPath, "not an id");

        var id = new InstallationIdentity(IdPath, NullLogger<InstallationIdentity>.Instance).GetOrCreate();

        Assert.NotNull(id);
        Assert.Equal(id.Value.ToString("D"), File.ReadAllText(IdPath));
    }

    [Fact]
    public void GetOrCreate_PathThatCannotBeWritten_GivesNullWithoutThrowing()
    {
        // A regular file where the directory should be.
        var blocker = Path.Combine(_dir.FullName, "blocker");
        File.WriteAllText(blocker, "");

        var id = new InstallationIdentity(Path.Combine(blocker, "installation-id"), NullLogger<InstallationIdentity>.Instance).GetOrCreate();

        Assert.Null(id);
    }

    [Fact]
    public async Task Session_ConsentOnTwoServerLifetimes_CarriesTheSameInstallationIdAsTheFile()
    {
        var spool = Path.Combine(_dir.FullName, "spool");
        string[] config = [$"Code4me:Telemetry:Spool:Directory={spool}", .. TelemetryThroughProtocolTests.FullConsent];
        for (var lifetime = 0; lifetime < 2; lifetime++)
        {
            await using var server = InProcServer.Start(output, config);
            await server.Client.InitializedAsync();
            await server.Client.ShutdownAndExitAsync();
            Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));
        }

        var sessions = SpoolReader.Read(spool).OfType<SessionStartedEvent>().ToList();
        Assert.Equal(2, sessions.Count);
        Assert.NotEqual(sessions[0].SessionId, sessions[1].SessionId);
        var id = Guid.Parse(File.ReadAllText(IdPath));
        Assert.All(sessions, s => Assert.Equal(id, s.InstallationId));
    }

    [Fact]
    public async Task Session_ConsentOff_CreatesNoInstallationId()
    {
        var spool = Path.Combine(_dir.FullName, "spool");
        await using var server = InProcServer.Start(output, [$"Code4me:Telemetry:Spool:Directory={spool}"]);
        await server.Client.InitializedAsync();
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        Assert.False(File.Exists(IdPath));
    }

    [Fact]
    public void ExperimentKey_AuthToken_IsTheTokensHashOnEveryMachine()
    {
        var token = Guid.NewGuid().ToString("D");

        var key = Unit(consent: true, ("Code4me:Database:AuthToken", token)).Key;

        Assert.Equal("user:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), key);
        Assert.False(File.Exists(IdPath));
    }

    [Fact]
    public void ExperimentKey_NoTokenAndConsent_IsTheInstallationIdAcrossRestarts()
    {
        var first = Unit(consent: true).Key;
        var second = Unit(consent: true).Key;

        Assert.Equal("installation:" + File.ReadAllText(IdPath), first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void ExperimentKey_NoTokenNoConsent_CreatesNothingAndIsPerProcess()
    {
        var first = Unit(consent: false).Key;
        var second = Unit(consent: false).Key;

        Assert.StartsWith("process:", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.False(File.Exists(IdPath));
    }

    [Fact]
    public async Task ExperimentKey_InAServer_IsSettledWhenTheSettingsAreKnownBeforeAnyRequestReadsIt()
    {
        var (key, policy) = KeyAndPolicy(consent: true, createInstallationId: true);
        await key.StartAsync(TestTimeout.Token());
        Assert.False(File.Exists(IdPath));   // the consent of now is not known before the editor's settings are in

        policy.SettingsKnown();
        var timeout = TestTimeout.Token();
        while (!File.Exists(IdPath))
        {
            await Task.Delay(10, timeout);
        }

        Assert.Equal("installation:" + File.ReadAllText(IdPath), key.Key);
    }

    [Fact]
    public void ExperimentKey_ForTheCompleteCommandWithConsent_CreatesNoInstallationId()
    {
        var key = KeyAndPolicy(consent: true, createInstallationId: false).Key.Key;

        Assert.StartsWith("process:", key, StringComparison.Ordinal);
        Assert.False(File.Exists(IdPath));
    }

    private ExperimentKey Unit(bool consent, params (string Key, string Value)[] settings) => KeyAndPolicy(consent, createInstallationId: true, settings).Key;

    private (ExperimentKey Key, ConsentPolicy Policy) KeyAndPolicy(bool consent, bool createInstallationId, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var services = new ServiceCollection().AddOptions();
        services.Configure<ConsentOptions>(o => o.Enabled = consent);
        services.AddSingleton<SecretFileMatcher>();
        var provider = services.BuildServiceProvider();
        var policy = new ConsentPolicy(provider.GetRequiredService<IOptionsMonitor<ConsentOptions>>(), provider.GetRequiredService<SecretFileMatcher>());
        return (new ExperimentKey(configuration, new InstallationIdentity(IdPath, NullLogger<InstallationIdentity>.Instance), policy, createInstallationId), policy);
    }
}
